package motor

import (
	"context"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// RenameOptions are the options of [Collection.Rename]: the keyword arguments of Motor's rename(new_name, session,
// **kwargs). The zero value (or a nil pointer) renames the collection and fails if the new name is taken.
type RenameOptions struct {
	// DropTarget, when true, drops an existing collection of the new name first, instead of failing. It is sent as
	// given, false included, as PyMongo sends its dropTarget keyword; nil sends nothing (the server's default,
	// false), as PyMongo does when the keyword is not given.
	DropTarget *bool

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the renameCollection command in order: PyMongo's **kwargs. A key that motor sends
	// itself (renameCollection, to, dropTarget, comment, writeConcern), or that appears twice, is an error.
	Extra bson.D
}

// renameCmd builds the renameCollection command that renames the collection from (a full name, "db.coll") to the
// collection newName of database db: {renameCollection: from, to: "db.newName", dropTarget, comment, ...Extra,
// writeConcern}.
func renameCmd(from, db, newName string, o *RenameOptions, wc *writeconcern.WriteConcern) (bson.D, error) {
	if err := validateCollectionName(newName); err != nil {
		return nil, err
	}
	if strings.HasPrefix(newName, "$cmd") {
		return nil, &NameError{Kind: "collection", Name: newName, Reason: `must not contain '$' (only names starting with "oplog.$main" may)`}
	}
	if o == nil {
		o = &RenameOptions{}
	}
	cmd := bson.D{{Key: "renameCollection", Value: from}, {Key: "to", Value: db + "." + newName}}
	if o.DropTarget != nil {
		cmd = append(cmd, bson.E{Key: "dropTarget", Value: *o.DropTarget})
	}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "RenameOptions", "renameCollection", "to", "dropTarget", "comment", "writeConcern")
	if err != nil {
		return nil, err
	}
	return appendWriteConcern(cmd, wc), nil
}

// Rename renames the collection to newName, in the same database, and returns a handle on it with this handle's
// settings: Motor's rename(new_name, session, **kwargs), which returns the server's reply ({ok: 1}) instead.
//
// newName is checked before any I/O with PyMongo's rules for rename: not empty, no NUL, no leading or trailing '.',
// no empty segment (".."), no '$' unless it starts with "oplog.$main"; a bad name is an [ErrInvalidName] error. It
// sends, to the admin database with primary read preference,
//
//	{renameCollection: "db.old", to: "db.new", dropTarget, comment, ...Extra, writeConcern}
//
// with dropTarget (true or false) and comment only when set; writeConcern is the collection's, sent unless it is the
// server default or a transaction runs in the session of ctx. The command is not retried.
//
// Server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}): NamespaceNotFound (26)
// when the collection does not exist, NamespaceExists (48) when the target exists and DropTarget is not true. A
// writeConcernError in the reply is an error wrapping [mongo.WriteException].
//
// See https://www.mongodb.com/docs/manual/reference/command/renameCollection/.
func (c *Collection) Rename(ctx context.Context, newName string, opts *RenameOptions) (*Collection, error) {
	const op = "rename"
	cl := c.call(op)
	cmd, err := renameCmd(c.full, c.db.name, newName, opts, writeConcernFor(ctx, c.set.wc))
	if err != nil {
		return nil, cl.wrap(err)
	}
	if _, err := c.db.client.adminDB().exec(ctx, cl, cmd); err != nil {
		return nil, err
	}
	return newCollection(c.db, newName, c.set), nil
}
