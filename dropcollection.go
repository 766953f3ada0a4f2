package motor

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// DropCollectionOptions are the options of [Database.DropCollection]. The zero value (or a nil pointer) sends the
// plain drop command.
type DropCollectionOptions struct {
	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the drop command in order. A key that a typed field sends (drop, comment,
	// writeConcern) or that appears twice is an error.
	Extra bson.D
}

// DropCollection drops the collection name and returns the server's reply: Motor's
// drop_collection(name_or_collection). Pass coll.Name() for a [*Collection], or call [Collection.Drop]. An invalid
// name is an error before any I/O (Motor sends any name to the server).
//
// It sends {drop: name, comment, ...Extra, writeConcern} with primary read preference. writeConcern is the database's
// (not the collection's, as in PyMongo), sent only when one is set and not inside a transaction; with w: 0 the server
// still replies and that reply is returned (Motor returns a made-up {ok: 1}). It is not retried.
//
// A missing collection is not an error: when the server answers NamespaceNotFound (code 26 or errmsg "ns not found",
// as servers before 7.0 do; in a mongos reply with a "raw" document of shard replies, the first failed shard's, as
// PyMongo compares them) that failed reply is returned with a nil error, as Motor does; MongoDB 7+ and FerretDB
// answer ok: 1. A writeConcernError in the reply is an error wrapping [mongo.WriteException]; any other server error
// is returned wrapped, reachable with errors.As(err, &mongo.CommandError{}). The reply is a [bson.D] decoded with the
// default codec options, as Motor decodes it.
//
// See https://www.mongodb.com/docs/manual/reference/command/drop/.
func (db *Database) DropCollection(ctx context.Context, name string, opts *DropCollectionOptions) (bson.D, error) {
	return db.dropCollection(ctx, db.call("drop collection", name), name, opts, db.set.wc)
}

// dropCollection sends the drop command of DropCollection and Collection.Drop as cl says, with the write concern wc.
func (db *Database) dropCollection(ctx context.Context, cl call, name string, opts *DropCollectionOptions, wc *writeconcern.WriteConcern) (bson.D, error) {
	cl.accept = namespaceNotFound
	cmd, err := dropCollectionCmd(name, opts, writeConcernFor(ctx, wc))
	if err != nil {
		return nil, cl.wrap(err)
	}
	reply, err := db.exec(ctx, cl, cmd)
	if err != nil {
		return nil, err
	}
	d, err := defaultCodec.decodeD(reply)
	return d, cl.wrap(err)
}

// dropCollectionCmd builds the drop command for name; wc is the write concern to send (nil: none).
func dropCollectionCmd(name string, o *DropCollectionOptions, wc *writeconcern.WriteConcern) (bson.D, error) {
	if err := validateCollectionName(name); err != nil {
		return nil, err
	}
	if o == nil {
		o = &DropCollectionOptions{}
	}
	cmd := bson.D{{Key: "drop", Value: name}}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "DropCollectionOptions", "drop", "comment", "writeConcern")
	if err != nil {
		return nil, err
	}
	if wcd := writeConcernDoc(wc); wcd != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wcd})
	}
	return cmd, nil
}

// namespaceNotFound accepts a failed reply that says the collection does not exist (code 26 or errmsg "ns not
// found"; a mongos's first failed shard), unless it also reports a writeConcernError: PyMongo's
// allowable_errors=["ns not found", 26].
func namespaceNotFound(failed bson.Raw) bool {
	_, wce := failed.LookupErr("writeConcernError")
	return wce != nil && allowable(failed, []int32{codeNamespaceNotFound}, []string{"ns not found"})
}
