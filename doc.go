// Package motor gives Go programs the API of Python Motor 2.3 (on PyMongo 3.11): every method and property of
// AsyncIOMotorClient ([Client]), AsyncIOMotorDatabase ([Database]) and AsyncIOMotorCollection ([Collection]), their
// cursors ([Cursor]) and change streams ([ChangeStream]), the deprecated and obsolete ones included, on top of the
// official driver go.mongodb.org/mongo-driver/v2, against any MongoDB-wire server.
//
// # Layers
//
// The driver does the wire protocol, server selection, pooling, sessions, retries, authentication and TLS. motor adds
// Motor's API above it, and every handle exposes the driver handle beneath it ([Client.Mongo],
// [Database.Mongo], [Collection.Mongo], [Cursor.Mongo], [ChangeStream.Mongo]), so nobody is ever stuck; [NewClient] wraps a driver client
// that a program already has, to adopt motor one call at a time.
//
// # Handles and settings
//
// [Connect] makes a [Client]; [Client.Database] a [Database] (Motor's client[name]); [Database.Collection] a
// [Collection] (db[name], db.name and get_collection). Read preference, read concern, write concern and
// [CodecOptions] are [Option] values; what a handle does not set it inherits from the handle it was made from,
// and [Database.WithOptions] returns a changed copy. Handles are immutable and safe for concurrent use. Names are
// checked before any I/O ([ErrInvalidName]).
//
// The constructors return the handle alone, so that handles chain as the driver's do:
// client.Database("blog").Collection("posts"). A bad name or option stays in the handle: [Database.Err] and
// [Collection.Err] report it at once, like bufio.Scanner.Err, and every operation on the handle (or on a collection
// of a database with an error) returns it, wrapped, before any I/O: "motor: find a b.posts: invalid database name
// ...". Mongo returns nil on such a handle.
//
// # Calls
//
// Every call that talks to the server takes a [context.Context] first, blocks only the calling goroutine and honours
// the context's deadline and cancellation; a driver session travels in the context ([mongo.NewSessionContext]).
// Motor's keyword arguments become an options struct passed last, nil meaning Motor's defaults, with an ordered
// Extra [bson.D] for PyMongo's **kwargs. Each doc comment says what the call sends, which settings apply, its errors
// and where motor differs from Motor.
//
// # Errors
//
// Every error reads "motor: <operation>: <cause>", for example "motor: drop collection logs: (Unauthorized) ..." or
// "motor: find shop.orders: context deadline exceeded". The cause stays reachable: errors.As(err,
// &mongo.CommandError{}), mongo.IsTimeout and errors.Is(err, context.DeadlineExceeded) keep working. motor's own
// conditions have sentinels: [ErrInvalidName], [ErrInvalidOption], [ErrInvalidOperation], [ErrCollectionInvalid],
// [ErrClientDisconnected], [ErrAlreadyAuthenticated]; details a caller needs are error types that errors.As reaches
// ([*NameError], [*CollectionValidationError], [*DereferenceError]). Bad arguments are refused before any I/O.
// Passwords and URI credentials never appear in an error or a String.
//
// # Deprecated members
//
// What Motor 2.3 marks DEPRECATED or OBSOLETE (add_user, authenticate, eval, error, ...) ships
// working, with a Deprecated paragraph naming its replacement. Where the server removed the command, the call still
// sends it and wraps the server's error with the MongoDB version that removed it.
//
// # Servers for tests and examples
//
// Package github.com/gomotor/motor/embedded, a module of its own, starts FerretDB (a MongoDB-wire server written in
// Go) on SQLite on 127.0.0.1, like net/http/httptest; package github.com/gomotor/motor/motortest has test helpers and
// runs FerretDB's binary as a child process without importing it. A program that imports only this package compiles
// neither, and its go.sum names no FerretDB.
//
// Each example is a whole program: it starts its own server, FerretDB through motortest.StartServer (about 20 ms),
// or a scripted motortest.Fake where FerretDB lacks the command, connects with [Connect] and checks every error.
// Replace the server with your own MongoDB's URI: motor.Connect("mongodb://...").
package motor
