package motor

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// The Client's own commands: listing and dropping databases, the server's build information, and the database that
// the connection string names.

// ListDatabasesOptions are the options of [Client.ListDatabases]: the keyword arguments of Motor's
// list_databases(session, **kwargs). The zero value (or a nil pointer) lists every database with its size.
type ListDatabasesOptions struct {
	// Filter selects the databases by their listDatabases document (name, sizeOnDisk, empty, shards): a document
	// such as bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^app"}}}}. nil sends no filter.
	Filter any

	// NameOnly asks for {name} documents only, which is cheaper for the server (no database locks).
	NameOnly bool

	// AuthorizedDatabases, when set, is sent as authorizedDatabases: true lets a user without the listDatabases
	// privilege list the databases it has privileges on, false asks for every database (which needs the privilege).
	// nil sends nothing: the server decides from the user's privileges (MongoDB 4.0.5+).
	AuthorizedDatabases *bool

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order: PyMongo's **kwargs. A key that a typed field sends
	// (listDatabases, filter, nameOnly, authorizedDatabases, comment), or that appears twice, is an error.
	Extra bson.D
}

// ListDatabaseNamesOptions are the options of [Client.ListDatabaseNames]. Motor's list_database_names takes none
// but a session; the zero value (or a nil pointer) sends what it sends. The fields are those of
// [ListDatabasesOptions] but for NameOnly, which is always sent.
type ListDatabaseNamesOptions struct {
	// Filter selects the databases by name, e.g. bson.D{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^app"}}}}.
	// nil sends no filter.
	Filter any

	// AuthorizedDatabases is sent as authorizedDatabases when set; see [ListDatabasesOptions].
	AuthorizedDatabases *bool

	// Comment is attached to the command for the server's logs and profiler (MongoDB 4.4+); any BSON value.
	Comment any

	// Extra fields are appended to the command in order. A key that motor sends itself (listDatabases, filter,
	// nameOnly, authorizedDatabases, comment), or that appears twice, is an error.
	Extra bson.D
}

// listDatabasesTyped are the keys that the listDatabases options send through typed fields.
var listDatabasesTyped = []string{"listDatabases", "filter", "nameOnly", "authorizedDatabases", "comment"}

// listDatabasesCmd builds the listDatabases command: {listDatabases: 1, filter, nameOnly, authorizedDatabases,
// comment, ...Extra}, with only the fields that are set. what names the options struct in errors.
func listDatabasesCmd(o *ListDatabasesOptions, reg *bson.Registry, what string) (bson.D, error) {
	if o == nil {
		o = &ListDatabasesOptions{}
	}
	cmd := bson.D{{Key: "listDatabases", Value: int32(1)}}
	if o.Filter != nil {
		if err := checkDocument(reg, "the listDatabases filter", o.Filter); err != nil {
			return nil, err
		}
		cmd = append(cmd, bson.E{Key: "filter", Value: o.Filter})
	}
	if o.NameOnly {
		cmd = append(cmd, bson.E{Key: "nameOnly", Value: true})
	}
	if o.AuthorizedDatabases != nil {
		cmd = append(cmd, bson.E{Key: "authorizedDatabases", Value: *o.AuthorizedDatabases})
	}
	if o.Comment != nil {
		cmd = append(cmd, bson.E{Key: "comment", Value: o.Comment})
	}
	return appendExtraFields(cmd, o.Extra, what, listDatabasesTyped...)
}

// listDatabaseNamesCmd builds the listDatabases command of ListDatabaseNames: listDatabasesCmd's with nameOnly.
func listDatabaseNamesCmd(o *ListDatabaseNamesOptions, reg *bson.Registry) (bson.D, error) {
	if o == nil {
		o = &ListDatabaseNamesOptions{}
	}
	return listDatabasesCmd(&ListDatabasesOptions{
		Filter: o.Filter, NameOnly: true, AuthorizedDatabases: o.AuthorizedDatabases, Comment: o.Comment, Extra: o.Extra,
	}, reg, "ListDatabaseNamesOptions")
}

// adminDB returns a handle on the admin database with the client's settings.
func (c *Client) adminDB() *Database {
	return &Database{client: c, name: "admin", set: c.set, hooks: new(hookSlot)}
}

// ListDatabases returns a cursor over the listDatabases documents of the server's databases ({name, sizeOnDisk,
// empty}, plus shards on a mongos): Motor's list_databases(session, **kwargs).
//
// It sends {listDatabases: 1, filter, nameOnly, authorizedDatabases, comment, ...Extra}, with only the fields that
// are set, to the admin database with primary read preference, whatever the client's is (as Motor does); a session
// in ctx is used. Like Motor, it retries once, with the same command, after a network error or a retryable server
// error, unless the client disables retryable reads or a transaction is running. The server answers with one
// array, which the cursor holds: it sends nothing more (the reply's totalSize is dropped, as Motor drops it).
//
// The documents are decoded with the client's codec options, where Motor decodes them with the default codec
// options. Bad options are [ErrInvalidOption] errors before any I/O; server errors are returned wrapped, reachable
// with errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/listDatabases/.
func (c *Client) ListDatabases(ctx context.Context, opts *ListDatabasesOptions) (*Cursor, error) {
	cmd, err := listDatabasesCmd(opts, c.set.codec.reg, "ListDatabasesOptions")
	if err != nil {
		return nil, err
	}
	admin, dbs, err := c.listDatabases(ctx, cmd)
	if err != nil {
		return nil, err
	}
	docs := make([]any, len(dbs))
	for i, d := range dbs {
		docs[i] = d
	}
	cur, err := mongo.NewCursorFromDocuments(docs, nil, nil)
	if err != nil {
		return nil, wrapOp(opListDatabases, err)
	}
	return admin.commandCursor(cur, admin.set.codec, admin.call(opListDatabases, "")), nil
}

// ListDatabaseNames returns the names of the server's databases, in the server's order: Motor's
// list_database_names(session).
//
// It sends {listDatabases: 1, nameOnly: true} (with filter, authorizedDatabases, comment and Extra from opts when
// set, in the order of [Client.ListDatabases]) as ListDatabases does: same database, read preference, retry,
// session and errors. A document without a string name is an error.
//
// See https://www.mongodb.com/docs/manual/reference/command/listDatabases/.
func (c *Client) ListDatabaseNames(ctx context.Context, opts *ListDatabaseNamesOptions) ([]string, error) {
	cmd, err := listDatabaseNamesCmd(opts, c.set.codec.reg)
	if err != nil {
		return nil, err
	}
	_, dbs, err := c.listDatabases(ctx, cmd)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(dbs))
	for i, d := range dbs {
		name, ok := d.Lookup("name").StringValueOK()
		if !ok {
			return nil, wrapOp(opListDatabases, errors.New("a listDatabases document has no string name"))
		}
		names[i] = name
	}
	return names, nil
}

// opListDatabases names the listDatabases operations in errors.
const opListDatabases = "list databases"

// listDatabases sends the listDatabases command cmd to the admin database, retried once as a read, and returns
// that database and the documents of the reply's databases array.
func (c *Client) listDatabases(ctx context.Context, cmd bson.D) (*Database, []bson.Raw, error) {
	admin := c.adminDB()
	call := call{op: opListDatabases, retryRead: true}
	reply, err := admin.exec(ctx, call, cmd)
	if err != nil {
		return nil, nil, err
	}
	arr, ok := reply.Lookup("databases").ArrayOK()
	if !ok {
		return nil, nil, call.wrap(errors.New("the listDatabases reply has no databases array"))
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, nil, call.wrap(err)
	}
	out := make([]bson.Raw, len(vals))
	for i, v := range vals {
		if out[i], ok = v.DocumentOK(); !ok {
			return nil, nil, call.wrap(errors.New("the listDatabases reply holds a database that is not a document"))
		}
	}
	return admin, out, nil
}

// DropDatabase drops the database name: Motor's drop_database(name_or_database). Pass db.Name() for a
// [*Database], or call [Database.Drop].
//
// It sends {dropDatabase: 1, writeConcern} to that database with primary read preference; writeConcern is the
// client's, sent only when one is set and not inside a transaction, as Motor does. It is not retried. A missing
// database is not an error (the server says ok). An invalid name is an [ErrInvalidName] error before any I/O. A
// writeConcernError in the reply is an error wrapping [mongo.WriteException], as Motor raises WriteConcernError;
// other server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/dropDatabase/.
func (c *Client) DropDatabase(ctx context.Context, name string) error {
	return c.Database(name).Drop(ctx)
}

// Drop drops this database. It sends what [Client.DropDatabase] sends, with this database's write concern (the
// client's unless the database sets its own; Motor's client.drop_database(db) sends the client's), and has its
// errors. Motor 2.3 has no Database.drop; this is the Go form of drop_database called with a database.
//
// See https://www.mongodb.com/docs/manual/reference/command/dropDatabase/.
func (db *Database) Drop(ctx context.Context) error {
	_, err := db.exec(ctx, call{op: "drop database", subject: db.name}, dropDatabaseCmd(writeConcernFor(ctx, db.set.wc)))
	return err
}

// dropDatabaseCmd builds the dropDatabase command; wc is the write concern to send (nil: none).
func dropDatabaseCmd(wc *writeconcern.WriteConcern) bson.D {
	cmd := bson.D{{Key: "dropDatabase", Value: int32(1)}}
	if wcd := writeConcernDoc(wc); wcd != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wcd})
	}
	return cmd
}

// ServerInfo returns the build information of the server that the client's primary reads go to: Motor's
// server_info(session).
//
// As PyMongo does, it sends {buildinfo: 1} (lower case, which servers accept as buildInfo) to the admin database
// with primary read preference, whatever the client's is; a session in ctx is used, and it is not retried. The
// reply (version, versionArray, gitVersion, bits, maxBsonObjectSize, ...) is a [bson.D] decoded with the default
// codec options, as Motor's command decodes it; decode it into a struct with [CommandAs] on the admin database if
// you prefer. Server errors are returned wrapped, reachable with errors.As(err, &mongo.CommandError{}).
//
// See https://www.mongodb.com/docs/manual/reference/command/buildInfo/.
func (c *Client) ServerInfo(ctx context.Context) (bson.D, error) {
	const op = "server info"
	raw, err := c.adminDB().exec(ctx, call{op: op}, bson.D{{Key: "buildinfo", Value: int32(1)}})
	if err != nil {
		return nil, err
	}
	d, err := defaultCodec.decodeD(raw)
	return d, wrapOp(op, err)
}

// DefaultDatabase returns a handle on the database that the connection string names in its path
// ("mongodb://host/DATABASE"), with the client's settings, which opts override: Motor's
// get_default_database(default=None, codec_options, read_preference, write_concern, read_concern) and
// get_database() without a name. No I/O happens.
//
// When the connection string names no database, or the client was made by [NewClient] (which has no connection
// string), it returns an error wrapping [ErrInvalidOption], as Motor raises ConfigurationError; where Motor would
// use its default argument, call [Client.Database] with that name instead. The name is checked as
// [Client.Database] checks it.
func (c *Client) DefaultDatabase(opts ...Option) (*Database, error) {
	if c.base == nil {
		return nil, invalidOptionf("default database: a client made by NewClient has no connection string")
	}
	name := uriDatabase(c.base.GetURI())
	if name == "" {
		return nil, invalidOptionf("default database: the connection string names no database (mongodb://host/DATABASE)")
	}
	db := c.Database(name, opts...)
	if db.err != nil {
		return nil, db.err
	}
	return db, nil
}

// uriDatabase returns the database that a connection string names in its path, unescaped; "" for none.
func uriDatabase(uri string) string {
	i := strings.Index(uri, "://")
	if i < 0 {
		return ""
	}
	rest := uri[i+3:]
	j := strings.IndexAny(rest, "/?")
	if j < 0 || rest[j] == '?' {
		return ""
	}
	path := rest[j+1:]
	if k := strings.IndexByte(path, '?'); k >= 0 {
		path = path[:k]
	}
	if name, err := url.PathUnescape(path); err == nil {
		return name
	}
	return path
}
