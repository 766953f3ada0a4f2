package motor

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// ListCollectionsOptions are the options of [Database.ListCollections]: the filter and keyword arguments of Motor's
// list_collections(session, filter, **kwargs). The zero value (or a nil pointer) lists every collection with full
// information.
type ListCollectionsOptions struct {
	// Filter selects the collections by their listCollections document (name, type, options, info, idIndex): a
	// document such as bson.D{{Key: "type", Value: "view"}}. nil sends no filter.
	Filter any

	// NameOnly asks for {name, type} documents only, which is cheaper for the server (no collection locks).
	NameOnly bool

	// AuthorizedCollections, with NameOnly, lets a user without the listCollections privilege list the collections
	// it has privileges on (MongoDB 4.0+).
	AuthorizedCollections bool

	// BatchSize is the size of the first batch (sent as cursor: {batchSize}) and of each getMore. 0 means the
	// server's default.
	BatchSize int32

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order, before the filter: PyMongo's **kwargs. A key that a typed
	// field sends (listCollections, cursor, filter, nameOnly, authorizedCollections, comment), or that appears twice,
	// is an error.
	Extra bson.D
}

// listTyped are the keys that the listCollections options send through typed fields.
var listTyped = []string{"listCollections", "cursor", "filter", "nameOnly", "authorizedCollections", "comment"}

// ListCollections returns a cursor over the listCollections documents of this database's collections and views
// ({name, type, options, info, idIndex}): Motor's list_collections(session, filter, **kwargs).
//
// It sends {listCollections: 1, cursor: {} (or {batchSize}), authorizedCollections, comment, ...Extra, nameOnly,
// filter} with only the fields that are set, in Motor's order, with primary read preference whatever the database's
// is (as Motor does); a session in ctx is used. Like Motor, it retries once, with the same command, after a network
// error or a retryable server error (codes 6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436), unless
// the client disables retryable reads or a transaction is running. Later batches are fetched with getMore.
//
// Every document is decoded with the database's codec options: Motor decodes the first batch with the default codec
// options and only later batches with the database's, which motor does not copy. Bad options are [ErrInvalidOption]
// errors before any I/O; server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
func (db *Database) ListCollections(ctx context.Context, opts *ListCollectionsOptions) (*Cursor, error) {
	if opts == nil {
		opts = &ListCollectionsOptions{}
	}
	cmd, err := listCollectionsCmd(opts, db.set.codec.reg)
	if err != nil {
		return nil, err
	}
	c := db.call("list collections", "")
	c.retryRead = true
	cur, err := db.execCursor(ctx, c, cmd)
	if err != nil {
		return nil, err
	}
	if opts.BatchSize > 0 {
		cur.SetBatchSize(opts.BatchSize)
	}
	return db.commandCursor(cur, db.set.codec, c), nil
}

// listCollectionsCmd builds the listCollections command: {listCollections: 1, cursor, authorizedCollections, comment,
// ...Extra, nameOnly, filter}. That order gives Motor's documents for both list_collections (where nameOnly is a
// keyword argument) and list_collection_names (which adds nameOnly after the caller's keyword arguments), with the
// filter last.
func listCollectionsCmd(o *ListCollectionsOptions, reg *bson.Registry) (bson.D, error) {
	if o.BatchSize < 0 {
		return nil, invalidOptionf("ListCollectionsOptions.BatchSize must not be negative, got %d", o.BatchSize)
	}
	if o.Filter != nil {
		if err := checkDocument(reg, "the listCollections filter", o.Filter); err != nil {
			return nil, err
		}
	}
	cursor := bson.D{}
	if o.BatchSize > 0 {
		cursor = bson.D{{Key: "batchSize", Value: o.BatchSize}}
	}
	cmd := bson.D{{Key: "listCollections", Value: int32(1)}, {Key: "cursor", Value: cursor}}
	if o.AuthorizedCollections {
		cmd = append(cmd, bson.E{Key: "authorizedCollections", Value: true})
	}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	cmd, err := appendExtraFields(cmd, o.Extra, "ListCollectionsOptions", listTyped...)
	if err != nil {
		return nil, err
	}
	if o.NameOnly {
		cmd = append(cmd, bson.E{Key: "nameOnly", Value: true})
	}
	if o.Filter != nil {
		cmd = append(cmd, bson.E{Key: "filter", Value: o.Filter})
	}
	return cmd, nil
}

// ListCollectionNamesOptions are the options of [Database.ListCollectionNames]: the filter and keyword arguments of
// Motor's list_collection_names(session, filter, **kwargs). The zero value (or a nil pointer) lists every name.
type ListCollectionNamesOptions struct {
	// Filter selects the collections by their listCollections document: a document such as
	// bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^log"}}}}. nil sends no filter.
	Filter any

	// AuthorizedCollections lets a user without the listCollections privilege list the collections it has privileges
	// on (MongoDB 4.0+).
	AuthorizedCollections bool

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order, before nameOnly and the filter: PyMongo's **kwargs. A key
	// that motor sends itself (listCollections, cursor, filter, nameOnly, authorizedCollections, comment), or that
	// appears twice, is an error.
	Extra bson.D
}

// ListCollectionNames returns the names of this database's collections and views, in the server's order: Motor's
// list_collection_names(session, filter, **kwargs).
//
// It sends listCollections as [Database.ListCollections] does (same read preference, retry, session and errors),
// with nameOnly: true when the filter can be answered from names alone: no filter, an empty one, or one that tests
// nothing but "name" (also inside $and, $or and $nor; PyMongo only recognises {} and {name: ...}). A filter on any
// other field (type, options, info) is sent without nameOnly, because the server would filter {name, type}
// documents and miss; the driver's ListCollectionNames always sends nameOnly. Examples of what is sent:
//
//	nil                                   {listCollections: 1, cursor: {}, nameOnly: true}
//	Filter {name: "a"}                    {listCollections: 1, cursor: {}, nameOnly: true, filter: {name: "a"}}
//	Filter {name: "a", type: "view"}      {listCollections: 1, cursor: {}, filter: {name: "a", type: "view"}}
//	Filter {name: "a"}, Authorized...     {listCollections: 1, cursor: {}, authorizedCollections: true, nameOnly: true, filter: {...}}
//
// A document without a string name is an error.
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
func (db *Database) ListCollectionNames(ctx context.Context, opts *ListCollectionNamesOptions) ([]string, error) {
	cmd, err := listCollectionNamesCmd(opts, db.set.codec.reg)
	if err != nil {
		return nil, err
	}
	return db.collectionNames(ctx, call{op: "list collections"}, cmd)
}

// collectionNames sends the listCollections command cmd as c says, retried once as a read, and returns the names of
// the collections it lists.
func (db *Database) collectionNames(ctx context.Context, c call, cmd bson.D) ([]string, error) {
	c.retryRead = true
	cur, err := db.execCursor(ctx, c, cmd)
	if err != nil {
		return nil, err
	}
	defer closeAfter(ctx, cur)
	names := make([]string, 0, cur.RemainingBatchLength())
	// With no document hooks (which could change the documents) and strict UTF-8, the name is read from the reply's
	// bytes instead of decoding each document.
	fast := !db.rewritesReads() && db.set.codec.opts.UnicodeDecodeErrorHandler == UnicodeStrict
	for cur.Next(ctx) {
		var v bson.RawValue
		if fast {
			v = cur.Current.Lookup("name")
		} else {
			var doc struct {
				Name bson.RawValue `bson:"name"`
			}
			if err := db.decodeFrom(nil, db.set.codec, cur.Current, &doc); err != nil {
				return nil, c.wrap(err)
			}
			v = doc.Name
		}
		name, ok := v.StringValueOK()
		if !ok {
			return nil, c.wrap(errors.New("a listCollections document has no string name"))
		}
		if fast && !utf8.ValidString(name) {
			return nil, c.wrap(fmt.Errorf("invalid UTF-8 in collection name %q (UnicodeDecodeErrorHandler is strict)", name))
		}
		names = append(names, name)
	}
	if err := cur.Err(); err != nil {
		return nil, c.wrap(err)
	}
	return names, nil
}

// listCollectionNamesCmd builds the listCollections command of ListCollectionNames, deciding nameOnly from the
// filter (encoded with reg to read its keys).
func listCollectionNamesCmd(o *ListCollectionNamesOptions, reg *bson.Registry) (bson.D, error) {
	if o == nil {
		o = &ListCollectionNamesOptions{}
	}
	nameOnly := true
	if o.Filter != nil {
		if err := checkDocument(reg, "the listCollections filter", o.Filter); err != nil {
			return nil, err
		}
		raw, _ := encodeDoc(reg, o.Filter)
		nameOnly = onlyName(raw)
	}
	return listCollectionsCmd(&ListCollectionsOptions{
		Filter:                o.Filter,
		NameOnly:              nameOnly,
		AuthorizedCollections: o.AuthorizedCollections,
		Comment:               o.Comment,
		Extra:                 o.Extra,
	}, reg)
}

// onlyName reports whether the query filter tests nothing but the field "name", directly or inside $and, $or and
// $nor, so that the {name, type} documents of nameOnly give the same answer.
func onlyName(filter bson.Raw) bool {
	elems, err := filter.Elements()
	if err != nil {
		return false
	}
	for _, e := range elems {
		switch e.Key() {
		case "name":
		case "$and", "$or", "$nor":
			arr, ok := e.Value().ArrayOK()
			if !ok {
				return false
			}
			vals, err := arr.Values()
			if err != nil {
				return false
			}
			for _, v := range vals {
				d, ok := v.DocumentOK()
				if !ok || !onlyName(d) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
