package motor_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// One error shape per failure (issue 15 item 4): TestErrorShapes runs every operation that does I/O against each
// kind of failure, a table row per operation, with one scripted fake server per kind.

// A shapeFailure is a kind of failure; a row says which kinds apply to its operation.
type shapeFailure int

const (
	failWrite        shapeFailure = 1 << iota // writeErrors in the reply (a duplicate key)
	failWriteConcern                          // a writeConcernError in an ok: 1 reply
	failCommand                               // ok: 0 with code, codeName and errmsg
	failNetwork                               // the connection closed instead of a reply, or in the middle of one
	failExpired                               // a context past its deadline

	// failRead is what applies to an operation that only reads; failWrites to one that writes with a write
	// concern; failCRUD to a single write or a bulk write.
	failRead   = failCommand | failNetwork | failExpired
	failWrites = failRead | failWriteConcern
	failCRUD   = failWrites | failWrite
)

func (k shapeFailure) String() string {
	return map[shapeFailure]string{
		failWrite: "write error", failWriteConcern: "write concern error", failCommand: "command error",
		failNetwork: "network error", failExpired: "expired context",
	}[k]
}

// shapeCode is the code of the scripted command error: BadValue, which no operation acts on and no read retries.
const shapeCode = 2

// shapeEnv is what a row's operation runs on: handles on a fresh client of the failure's fake. Collection "c" fails;
// collection "iter" opens cursors (find, aggregate, change streams) whose getMore and killCursors fail, so that the
// iterators' own I/O can be checked. opened marks the point from where the operation must send nothing when its
// context has expired, and from where the proxy cuts the next reply; an iterator row calls it once the iterator is
// open, TestErrorShapes before every other row.
type shapeEnv struct {
	t      *testing.T
	live   context.Context
	client *motor.Client
	db     *motor.Database
	coll   *motor.Collection
	iter   *motor.Collection
	opened func()
}

// shapeRow is one operation: method is its Go name, op how its errors name it ("motor: <op>: ..." or
// "motor: <op> ...").
type shapeRow struct {
	method string
	op     string
	fails  shapeFailure
	bulk   bool // its write errors and write concern errors are a mongo.BulkWriteException
	do     func(ctx context.Context, e *shapeEnv) error
}

// shapeRows are the operations: every exported call of Client, Database and Collection that does I/O (but
// Disconnect, StartSession and Logout, which send no command), and the calls of the iterators that do.
func shapeRows() []shapeRow {
	doc := bson.D{{Key: "_id", Value: 1}}
	none := bson.D{}
	upd := bson.D{{Key: "$set", Value: bson.D{{Key: "x", Value: 1}}}}
	ref := motor.DBRef{Collection: "c", ID: 1}
	mapF, reduceF := "function() {}", "function(k, v) {}"
	err1 := func(_ any, err error) error { return err }
	cursorErr := func(cur *motor.Cursor, err error) error {
		if err == nil {
			_ = cur.Close(context.Background())
		}
		return err
	}
	// openFind opens a cursor on "iter" with the live context; the iterator rows then fail.
	openFind := func(e *shapeEnv) *motor.Cursor {
		cur, err := e.iter.Find(e.live, none, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		e.opened()
		return cur
	}
	openRaw := func(e *shapeEnv) *motor.RawBatchCursor {
		cur, err := e.iter.FindRawBatches(e.live, none, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		e.opened()
		return cur
	}
	openWatch := func(e *shapeEnv) *motor.ChangeStream {
		cs, err := e.iter.Watch(e.live, nil, nil)
		if err != nil {
			e.t.Fatal(err)
		}
		e.opened()
		return cs
	}
	return []shapeRow{
		// Client.
		{"Client.ListDatabaseNames", "list databases", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.ListDatabaseNames(ctx, nil))
		}},
		{"Client.ListDatabases", "list databases", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.client.ListDatabases(ctx, nil))
		}},
		{"Client.DropDatabase", "drop database shop", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.client.DropDatabase(ctx, "shop")
		}},
		{"Client.Fsync", "fsync", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.client.Fsync(ctx, nil)
		}},
		{"Client.Unlock", "unlock", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.client.Unlock(ctx)
		}},
		{"Client.ServerInfo", "server info", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.ServerInfo(ctx))
		}},
		{"Client.Watch", "watch cluster", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.Watch(ctx, nil, nil))
		}},
		{"Client.Dereference", "dereference", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.client.Dereference(ctx, motor.DBRef{Collection: "c", ID: 1, Database: "shop"}, nil).Err()
		}},
		{"Client.DereferenceMany", "dereference in shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			var out []bson.D
			return err1(e.client.DereferenceMany(ctx, []motor.DBRef{{Collection: "c", ID: 1, Database: "shop"}}, &out, nil))
		}},

		// Database.
		{"Database.Aggregate", "aggregate shop", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.db.Aggregate(ctx, bson.A{bson.D{{Key: "$currentOp", Value: none}}}, nil))
		}},
		{"Database.AddUser", "add user", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.AddUser(ctx, "bob", "pw", nil)
		}},
		{"Database.Authenticate", "authenticate", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.Authenticate(ctx, "bob", "pw", nil)
		}},
		{"Database.RemoveUser", "remove user", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.RemoveUser(ctx, "bob")
		}},
		{"Database.CollectionNames", "list collections", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.CollectionNames(ctx, false))
		}},
		{"Database.ListCollectionNames", "list collections", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.ListCollectionNames(ctx, nil))
		}},
		{"Database.ListCollections", "list collections", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.db.ListCollections(ctx, nil))
		}},
		{"Database.Command", "command ping", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.Command(ctx, "ping", nil))
		}},
		{"CommandAs", "command ping", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(motor.CommandAs[bson.M](ctx, e.db, "ping", nil))
		}},
		{"Database.CommandCursor", "command listCollections", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.db.CommandCursor(ctx, bson.D{{Key: "listCollections", Value: 1}}, nil))
		}},
		{"Database.CreateCollection", "create collection new", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.CreateCollection(ctx, "new", nil))
		}},
		{"Database.CurrentOp", "currentOp", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.CurrentOp(ctx, nil))
		}},
		{"Database.Dereference", "dereference", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.Dereference(ctx, ref, nil).Err()
		}},
		{"Database.DereferenceMany", "dereference in shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			var out []bson.D
			return err1(e.db.DereferenceMany(ctx, []motor.DBRef{ref}, &out, nil))
		}},
		{"Database.Drop", "drop database shop", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.Drop(ctx)
		}},
		{"Database.DropCollection", "drop collection c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.DropCollection(ctx, "c", nil))
		}},
		{"Database.Error", "error", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.Error(ctx))
		}},
		{"Database.Eval", "eval", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.Eval(ctx, "1"))
		}},
		{"Database.LastStatus", "last status", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.LastStatus(ctx))
		}},
		{"Database.PreviousError", "previous error", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.PreviousError(ctx))
		}},
		{"Database.ResetErrorHistory", "reset error history", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.ResetErrorHistory(ctx)
		}},
		{"Database.ProfilingLevel", "profile", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.ProfilingLevel(ctx))
		}},
		{"Database.SetProfilingLevel", "profile 1", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.db.SetProfilingLevel(ctx, motor.ProfilingSlowOnly, nil)
		}},
		{"Database.ProfilingInfo", "profiling info", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.ProfilingInfo(ctx))
		}},
		{"Database.ValidateCollection", `validate collection "c"`, failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.ValidateCollection(ctx, "c", nil))
		}},
		{"Database.Watch", "watch shop", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.db.Watch(ctx, nil, nil))
		}},

		// Collection.
		{"Collection.Aggregate", "aggregate shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.coll.Aggregate(ctx, bson.A{}, nil))
		}},
		{"Collection.Aggregate $out", "aggregate shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.coll.Aggregate(ctx, bson.A{bson.D{{Key: "$out", Value: "out"}}}, nil))
		}},
		{"Collection.AggregateRawBatches", "aggregate shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.AggregateRawBatches(ctx, bson.A{}, nil))
		}},
		{"Collection.BulkWrite", "bulk write shop.c", failCRUD, true, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.BulkWrite(ctx, []motor.WriteModel{motor.InsertOne{Document: doc}}, nil))
		}},
		{"Collection.CountDocuments", "count documents shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.CountDocuments(ctx, none, nil))
		}},
		{"Collection.CreateIndex", "create index shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.CreateIndex(ctx, bson.D{{Key: "x", Value: 1}}, nil))
		}},
		{"Collection.CreateIndexes", "create indexes shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.CreateIndexes(ctx, []motor.IndexModel{{Keys: bson.D{{Key: "x", Value: 1}}}}, nil))
		}},
		{"Collection.DeleteMany", "delete shop.c", failCRUD, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.DeleteMany(ctx, none, nil))
		}},
		{"Collection.DeleteOne", "delete shop.c", failCRUD, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.DeleteOne(ctx, none, nil))
		}},
		{"Collection.Distinct", "distinct shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.Distinct(ctx, "x", none, nil))
		}},
		{"DistinctAs", "distinct shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(motor.DistinctAs[int](ctx, e.coll, "x", none, nil))
		}},
		{"Collection.Drop", "drop shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.Drop(ctx)
		}},
		{"Collection.DropIndex", "drop index shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.DropIndex(ctx, "x_1", nil)
		}},
		{"Collection.DropIndexes", "drop indexes shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.DropIndexes(ctx, nil)
		}},
		{"Collection.EstimatedDocumentCount", "count shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.EstimatedDocumentCount(ctx, nil))
		}},
		{"Collection.Find", "find shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.coll.Find(ctx, none, nil))
		}},
		{"Collection.FindOne", "find shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.FindOne(ctx, none, nil).Err()
		}},
		{"Collection.FindOneAndDelete", "find one and delete shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.FindOneAndDelete(ctx, none, nil).Err()
		}},
		{"Collection.FindOneAndReplace", "find one and replace shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.FindOneAndReplace(ctx, none, doc, nil).Err()
		}},
		{"Collection.FindOneAndUpdate", "find one and update shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return e.coll.FindOneAndUpdate(ctx, none, upd, nil).Err()
		}},
		{"Collection.FindRawBatches", "find shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.FindRawBatches(ctx, none, nil))
		}},
		{"Collection.IndexInformation", "index information shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.IndexInformation(ctx))
		}},
		{"Collection.InlineMapReduce", "inline map reduce shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.InlineMapReduce(ctx, mapF, reduceF, nil))
		}},
		{"Collection.InsertMany", "insert shop.c", failCRUD, true, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.InsertMany(ctx, []any{doc}, nil))
		}},
		{"Collection.InsertOne", "insert shop.c", failCRUD, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.InsertOne(ctx, doc, nil))
		}},
		{"Collection.ListIndexes", "list indexes shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return cursorErr(e.coll.ListIndexes(ctx))
		}},
		{"Collection.MapReduce", "map reduce shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.MapReduce(ctx, mapF, reduceF, "out", nil))
		}},
		{"Collection.Options", "options shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.Options(ctx))
		}},
		{"Collection.Reindex", "reindex shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.Reindex(ctx, nil))
		}},
		{"Collection.Rename", "rename shop.c", failWrites, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.Rename(ctx, "d", nil))
		}},
		{"Collection.ReplaceOne", "replace shop.c", failCRUD, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.ReplaceOne(ctx, none, doc, nil))
		}},
		{"Collection.UpdateMany", "update shop.c", failCRUD, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.UpdateMany(ctx, none, upd, nil))
		}},
		{"Collection.UpdateOne", "update shop.c", failCRUD, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.UpdateOne(ctx, none, upd, nil))
		}},
		{"Collection.Watch", "watch shop.c", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.coll.Watch(ctx, nil, nil))
		}},

		// Iterators, on a cursor opened with the live context: getMore and killCursors fail.
		{"Cursor.Next", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			cur := openFind(e)
			cur.Next(ctx)
			return cur.Err()
		}},
		{"Cursor.TryNext", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			cur := openFind(e)
			cur.TryNext(ctx) // the empty first batch: no getMore
			cur.TryNext(ctx)
			return cur.Err()
		}},
		{"Cursor.All", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			var out []bson.D
			return openFind(e).All(ctx, &out)
		}},
		{"Cursor.ToList", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(openFind(e).ToList(ctx, 0))
		}},
		{"ToListAs", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(motor.ToListAs[bson.M](ctx, openFind(e), 5))
		}},
		{"Cursor.Close", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return openFind(e).Close(ctx)
		}},
		{"RawBatchCursor.Next", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			cur := openRaw(e)
			cur.Next(ctx)
			return cur.Err()
		}},
		{"RawBatchCursor.Close", "find shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return openRaw(e).Close(ctx)
		}},
		{"ChangeStream.Next", "watch shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			cs := openWatch(e)
			cs.Next(ctx)
			return cs.Err()
		}},
		{"ChangeStream.TryNext", "watch shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			cs := openWatch(e)
			cs.TryNext(ctx) // the empty first batch: no getMore
			cs.TryNext(ctx)
			return cs.Err()
		}},
		{"ChangeStream.Close", "watch shop.iter", failRead, false, func(ctx context.Context, e *shapeEnv) error {
			return openWatch(e).Close(ctx)
		}},

		// The accessors that wait for a server send no command; only the context applies.
		{"Client.Address", "address", failExpired, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.Address(ctx))
		}},
		{"Client.IsMongos", "is mongos", failExpired, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.IsMongos(ctx))
		}},
		{"Client.IsPrimary", "is primary", failExpired, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.IsPrimary(ctx))
		}},
		{"Client.MaxBSONSize", "max bson size", failExpired, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.MaxBSONSize(ctx))
		}},
		{"Client.MaxMessageSize", "max message size", failExpired, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.MaxMessageSize(ctx))
		}},
		{"Client.MaxWriteBatchSize", "max write batch size", failExpired, false, func(ctx context.Context, e *shapeEnv) error {
			return err1(e.client.MaxWriteBatchSize(ctx))
		}},
	}
}

// shapeWriteCommands are the commands that write: in the write concern fake they report a writeConcernError, and
// the others answer as they would on success.
var shapeWriteCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findandmodify": true, "create": true, "drop": true,
	"dropdatabase": true, "createindexes": true, "dropindexes": true, "renamecollection": true, "createuser": true,
	"updateuser": true, "dropuser": true, "mapreduce": true, "aggregate": true,
}

// shapeCommands are the commands the operations send, each answered by the failure's handler.
var shapeCommands = []string{
	"insert", "update", "delete", "findAndModify", "find", "getMore", "killCursors", "aggregate", "count", "distinct",
	"create", "drop", "dropDatabase", "createIndexes", "dropIndexes", "listIndexes", "listCollections",
	"listDatabases", "renameCollection", "mapReduce", "validate", "profile", "currentOp", "buildInfo", "ping",
	"usersInfo", "createUser", "updateUser", "dropUser", "fsync", "fsyncUnlock", "$eval", "getLastError",
	"getPrevError", "resetError", "reIndex", "saslStart",
}

// shapeSuccess is a reply to cmd as the server gives it on success: a cursor for the commands that open one (with
// an id for collection "iter", so that iteration sends getMore), the fields the driver reads for the others.
func shapeSuccess(name string, cmd bson.D) bson.D {
	coll, _ := cmd[0].Value.(string)
	ns := "shop." + coll
	var id int64
	if coll == "iter" {
		id = 42
	}
	switch strings.ToLower(name) {
	case "find", "aggregate", "listindexes", "listcollections", "getmore":
		batch := "firstBatch"
		if name == "getMore" {
			batch = "nextBatch"
		}
		reply := cursorReply(id, ns, batch)
		if name == "aggregate" { // a change stream resumes after it, with resumeAfter
			cursor := reply[0].Value.(bson.D)
			reply[0].Value = append(cursor, bson.E{Key: "postBatchResumeToken", Value: bson.D{{Key: "_data", Value: "00"}}})
		}
		return reply
	case "findandmodify":
		return motortest.OK(bson.E{Key: "lastErrorObject", Value: bson.D{{Key: "n", Value: int32(0)}}}, bson.E{Key: "value", Value: nil})
	case "usersinfo":
		return motortest.OK(bson.E{Key: "users", Value: bson.A{}})
	case "mapreduce":
		return motortest.OK(bson.E{Key: "result", Value: "out"})
	}
	return motortest.OK(bson.E{Key: "n", Value: int32(0)}, bson.E{Key: "nModified", Value: int32(0)})
}

// shapeFake starts the fake of one failure kind: every command fails that way, except the opening commands of the
// iterators on collection "iter" and, in the write concern fake, the commands that only read. Kind 0 is a fake on
// which every command succeeds.
func shapeFake(t *testing.T, kind shapeFailure) *motortest.Fake {
	f := motortest.NewFake(t)
	for _, name := range shapeCommands {
		f.Handle(name, func(cmd bson.D) bson.D {
			lname := strings.ToLower(name)
			// A change stream resumes once after a network error; that fails too.
			opening := lname != "getmore" && lname != "killcursors" && !strings.Contains(shapeJSON(cmd), "resumeAfter")
			if coll, _ := cmd[0].Value.(string); coll == "iter" && opening {
				return shapeSuccess(name, cmd)
			}
			switch kind {
			case failWrite:
				return motortest.OK(bson.E{Key: "n", Value: int32(0)}, bson.E{Key: "writeErrors", Value: bson.A{bson.D{
					{Key: "index", Value: int32(0)}, {Key: "code", Value: int32(11000)},
					{Key: "errmsg", Value: "E11000 duplicate key error collection: shop.c index: _id_ dup key: { _id: 1 }"},
				}}})
			case failWriteConcern:
				reply := shapeSuccess(name, cmd)
				if !shapeWriteCommands[lname] || lname == "aggregate" && !strings.Contains(shapeJSON(cmd), "$out") {
					return reply
				}
				return append(reply[:len(reply)-1], bson.E{Key: "writeConcernError", Value: bson.D{
					{Key: "code", Value: int32(64)}, {Key: "codeName", Value: "WriteConcernFailed"},
					{Key: "errmsg", Value: "waiting for replication timed out"},
				}}, reply[len(reply)-1])
			case failCommand:
				return motortest.CommandError(shapeCode, "BadValue", "scripted failure")
			case failNetwork:
				return nil
			case 0: // a server that works, behind a proxy that cuts the reply
				return shapeSuccess(name, cmd)
			default: // failExpired: TestErrorShapes checks that nothing is sent
				return motortest.CommandError(shapeCode, "BadValue", "sent with an expired context")
			}
		})
	}
	return f
}

// shapeJSON is d in extended JSON, to look for a stage.
func shapeJSON(d bson.D) string {
	raw, err := bson.MarshalExtJSON(d, false, false)
	if err != nil {
		return ""
	}
	return string(raw)
}

// TestErrorShapes checks that every operation's error for a failure reads "motor: <op> ...", shows none of the
// driver's internals, and reaches the same thing with errors.As and errors.Is as every other operation's for that
// kind of failure: a mongo.WriteException (mongo.BulkWriteException for InsertMany and BulkWrite) for write errors
// and write concern errors, the server's mongo.CommandError for a command error, mongo.IsNetworkError for a closed
// connection, and context.DeadlineExceeded and mongo.IsTimeout for an expired context, which sends nothing.
func TestErrorShapes(t *testing.T) {
	rows := shapeRows()
	for _, tc := range []struct {
		kind shapeFailure
		// known: the client knows the server before the row runs (an expired context fails server selection on a
		// client that does not, and the connection checkout or the operation on one that does).
		known bool
		// cut: a network error from a proxy that cuts the operation's reply in half, in front of a server that
		// works, rather than from the fake closing the connection instead of replying.
		cut bool
	}{
		{failWrite, false, false}, {failWriteConcern, false, false}, {failCommand, false, false},
		{failNetwork, false, false}, {failNetwork, true, true}, {failExpired, false, false}, {failExpired, true, false},
	} {
		name := tc.kind.String()
		if tc.cut {
			name += ", reply cut"
		} else if tc.known {
			name += ", server known"
		}
		t.Run(name, func(t *testing.T) {
			var f *motortest.Fake
			var proxy *motortest.Proxy
			connect := func(opts ...motor.Option) *motor.Client { return fakeClient(t, f, opts...) }
			if tc.cut {
				f = shapeFake(t, 0)
				proxy = motortest.NewProxy(t, f.Addr())
				connect = func(opts ...motor.Option) *motor.Client {
					opts = append(opts, motor.WithClientOptions(options.Client().SetServerSelectionTimeout(fakeTimeout)))
					c, err := motor.Connect(proxy.URI(), opts...)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
					return c
				}
			} else {
				f = shapeFake(t, tc.kind)
			}
			var opts []motor.Option
			if tc.kind == failNetwork {
				// A retried read or write would wait half a second for the driver to see the server again;
				// TestRetryOnce covers the retry.
				opts = append(opts, motor.WithClientOptions(options.Client().SetRetryReads(false).SetRetryWrites(false)))
			}
			n := 0
			for _, row := range rows {
				if row.fails&tc.kind == 0 || tc.cut && shapeNotCut[row.method] {
					continue
				}
				n++
				// A fresh client for every row: a network error makes the driver forget the server, and waiting
				// for it to come back would cost half a second a row.
				client := connect(opts...)
				db := shapeDB(t, client, "shop")
				if tc.cut { // a pooled connection, so that the cut reply is the operation's, not a handshake's
					if _, err := db.Command(t.Context(), "ping", nil); err != nil {
						t.Fatal(err)
					}
				} else if tc.known {
					if _, err := client.Address(t.Context()); err != nil {
						t.Fatal(err)
					}
				}
				e := &shapeEnv{t: t, live: t.Context(), client: client, db: db, coll: shapeColl(t, db, "c"), iter: shapeColl(t, db, "iter")}
				var sent, cuts int
				e.opened = func() {
					sent = len(f.Commands())
					if proxy != nil {
						cuts = proxy.Faults()
						proxy.SetFault(motortest.FaultCutReply)
					}
				}
				if !strings.HasSuffix(row.op, ".iter") { // an iterator row opens its iterator first, then calls opened
					e.opened()
				}
				// No deadline otherwise: with one, the driver retries a read until it passes.
				ctx := t.Context()
				if tc.kind == failExpired {
					var cancel context.CancelFunc
					ctx, cancel = context.WithDeadline(ctx, time.Now().Add(-time.Second))
					defer cancel()
				}
				err := row.do(ctx, e)
				t.Logf("%s: %v", row.method, err)
				checkShape(t, tc.kind, row, err)
				if proxy != nil {
					if proxy.Faults() != cuts+1 {
						t.Errorf("%s: %d replies cut, want 1", row.method, proxy.Faults()-cuts)
					}
					proxy.SetFault(motortest.FaultNone)
				}
				if tc.kind == failExpired {
					// All and ToList, which close the cursor, kill it on the server whatever their context.
					cleanup := func(cmd bson.D) bool { return row.op == "find shop.iter" && cmd[0].Key == "killCursors" }
					if cmds := slices.DeleteFunc(f.Commands()[sent:], cleanup); len(cmds) > 0 {
						t.Errorf("%s with an expired context sent %v", row.method, cmds)
					}
				}
				_ = client.Disconnect(context.Background())
			}
			t.Logf("%d operations", n)
		})
	}
}

// shapeDB and shapeColl are the handles of the rows, checked before use.
func shapeDB(t *testing.T, c *motor.Client, name string) *motor.Database {
	t.Helper()
	db := c.Database(name)
	if err := db.Err(); err != nil {
		t.Fatal(err)
	}
	return db
}

func shapeColl(t *testing.T, db *motor.Database, name string) *motor.Collection {
	t.Helper()
	coll := db.Collection(name)
	if err := coll.Err(); err != nil {
		t.Fatal(err)
	}
	return coll
}

// shapeNotCut are the operations that a reply cut in half does not fail: Authenticate connects a new driver
// client, whose first reply is its server monitor's hello, and a change stream resumes after a network error, on a
// server that works.
var shapeNotCut = map[string]bool{"Database.Authenticate": true, "ChangeStream.Next": true, "ChangeStream.TryNext": true}

// checkShape checks the error of row's operation for a failure of the kind.
func checkShape(t *testing.T, kind shapeFailure, row shapeRow, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", row.method)
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "motor: "+row.op+": ") && !strings.HasPrefix(msg, "motor: "+row.op+" ") {
		t.Errorf("%s: %q does not start with %q", row.method, msg, "motor: "+row.op)
	}
	for _, internal := range []string{"driver.", "x/mongo", "(*"} {
		if strings.Contains(msg, internal) {
			t.Errorf("%s: %q shows the driver's internals (%q)", row.method, msg, internal)
		}
	}
	var we mongo.WriteException
	var bwe mongo.BulkWriteException
	var ce mongo.CommandError
	switch kind {
	case failWrite:
		if row.bulk {
			if !errors.As(err, &bwe) || len(bwe.WriteErrors) != 1 || bwe.WriteErrors[0].Code != 11000 {
				t.Errorf("%s: %v (%T), want a mongo.BulkWriteException with the duplicate key error", row.method, err, errors.Unwrap(err))
			}
		} else if !errors.As(err, &we) || len(we.WriteErrors) != 1 || we.WriteErrors[0].Code != 11000 {
			t.Errorf("%s: %v (%T), want a mongo.WriteException with the duplicate key error", row.method, err, errors.Unwrap(err))
		}
		if !mongo.IsDuplicateKeyError(err) {
			t.Errorf("%s: %v, not mongo.IsDuplicateKeyError", row.method, err)
		}
	case failWriteConcern:
		if row.bulk {
			if !errors.As(err, &bwe) || bwe.WriteConcernError == nil || bwe.WriteConcernError.Code != 64 {
				t.Errorf("%s: %v (%T), want a mongo.BulkWriteException with the write concern error", row.method, err, errors.Unwrap(err))
			}
		} else if !errors.As(err, &we) || we.WriteConcernError == nil || we.WriteConcernError.Code != 64 {
			t.Errorf("%s: %v (%T), want a mongo.WriteException with the write concern error", row.method, err, errors.Unwrap(err))
		}
	case failCommand:
		if !errors.As(err, &ce) || ce.Code != shapeCode || ce.Name != "BadValue" {
			t.Errorf("%s: %v (%T), want the server's mongo.CommandError", row.method, err, errors.Unwrap(err))
		}
	case failNetwork:
		if !mongo.IsNetworkError(err) {
			t.Errorf("%s: %v (%T), want mongo.IsNetworkError", row.method, err, errors.Unwrap(err))
		}
	case failExpired:
		if !errors.Is(err, context.DeadlineExceeded) || !mongo.IsTimeout(err) {
			t.Errorf("%s: %v (%T), want context.DeadlineExceeded and mongo.IsTimeout", row.method, err, errors.Unwrap(err))
		}
	}
}

// TestErrorShapesNilContext checks that a nil context behaves the same on every iterator: Next and TryNext return
// false and Err reports a "motor: <op> ...: nil context" error wrapping motor.ErrInvalidOption; All, ToList and Close
// return that error. Nothing is sent.
func TestErrorShapesNilContext(t *testing.T) {
	f := shapeFake(t, failCommand)
	db := fakeDB(t, f, "shop")
	iter := shapeColl(t, db, "iter")
	var nilCtx context.Context
	find := func() *motor.Cursor {
		cur, err := iter.Find(t.Context(), bson.D{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cur
	}
	raw := func(open func(context.Context) (*motor.RawBatchCursor, error)) *motor.RawBatchCursor {
		cur, err := open(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return cur
	}
	findRaw := func(ctx context.Context) (*motor.RawBatchCursor, error) {
		return iter.FindRawBatches(ctx, bson.D{}, nil)
	}
	aggRaw := func(ctx context.Context) (*motor.RawBatchCursor, error) {
		return iter.AggregateRawBatches(ctx, bson.A{}, nil)
	}
	watch := func() *motor.ChangeStream {
		cs, err := iter.Watch(t.Context(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	// Each step returns what the call returned (false for the calls that return no bool) and its error, or Err's.
	for _, tc := range []struct {
		method, op string
		step       func() (bool, error)
	}{
		{"Cursor.Next", "find shop.iter", func() (bool, error) { cur := find(); return cur.Next(nilCtx), cur.Err() }},
		{"Cursor.TryNext", "find shop.iter", func() (bool, error) { cur := find(); return cur.TryNext(nilCtx), cur.Err() }},
		{"Cursor.All", "find shop.iter", func() (bool, error) { var out []bson.D; return false, find().All(nilCtx, &out) }},
		{"Cursor.ToList", "find shop.iter", func() (bool, error) { _, err := find().ToList(nilCtx, 0); return false, err }},
		{"ToListAs", "find shop.iter", func() (bool, error) { _, err := motor.ToListAs[bson.M](nilCtx, find(), 0); return false, err }},
		{"Cursor.Close", "find shop.iter", func() (bool, error) { return false, find().Close(nilCtx) }},
		{"RawBatchCursor.Next", "find shop.iter", func() (bool, error) { cur := raw(findRaw); return cur.Next(nilCtx), cur.Err() }},
		{"RawBatchCursor.Next", "aggregate shop.iter", func() (bool, error) { cur := raw(aggRaw); return cur.Next(nilCtx), cur.Err() }},
		{"RawBatchCursor.Close", "find shop.iter", func() (bool, error) { return false, raw(findRaw).Close(nilCtx) }},
		{"ChangeStream.Next", "watch shop.iter", func() (bool, error) { cs := watch(); return cs.Next(nilCtx), cs.Err() }},
		{"ChangeStream.TryNext", "watch shop.iter", func() (bool, error) { cs := watch(); return cs.TryNext(nilCtx), cs.Err() }},
		{"ChangeStream.Close", "watch shop.iter", func() (bool, error) { return false, watch().Close(nilCtx) }},
	} {
		f.Reset()
		ok, err := tc.step()
		want := "motor: " + tc.op + ": nil context"
		if ok || err == nil || err.Error() != want || !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("%s(nil): %v, error %v; want false and %q wrapping motor.ErrInvalidOption", tc.method, ok, err, want)
		}
		if sent := fakeNames(f); len(sent) > 1 { // the command that opened the iterator
			t.Errorf("%s(nil) sent %v", tc.method, sent[1:])
		}
	}
}
