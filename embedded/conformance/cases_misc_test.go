package conformance_test

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// commandCases are write concerns, error codes of commands, collection options, transactions.
func commandCases() []tcase {
	const three = `[{"_id": 1, "a": 1}, {"_id": 2, "a": 2}, {"_id": 3, "a": 2}]`
	insert := func(wc string) string {
		return `{"insert": "c", "documents": [{"_id": 9}], "writeConcern": ` + wc + `}`
	}
	return []tcase{
		{area: "write concern", feature: "w: 1", name: "acknowledged", cmd: insert(`{"w": 1}`), want: `{"n": 1}`, after: ids(9)},
		{area: "write concern", feature: "w: majority", name: "on a standalone", cmd: insert(`{"w": "majority"}`), want: `{"n": 1}`, after: ids(9)},
		{area: "write concern", feature: "j: true", name: "journaled", cmd: insert(`{"w": 1, "j": true}`), want: `{"n": 1}`, after: ids(9)},
		{area: "write concern", feature: "wtimeout", name: "with w: 1", cmd: insert(`{"w": 1, "wtimeout": 1000}`), want: `{"n": 1}`, after: ids(9)},
		// The manual: w greater than 1 needs replica set members to acknowledge; a standalone answers an error.
		{area: "write concern", feature: "w: 2", name: "on a standalone", cmd: insert(`{"w": 2}`), code: anyError},
		{area: "write concern", feature: "w: 0", name: "no reply, the next command's answer is its own", docs: `[{"_id": 1}]`, run: unacknowledged,
			want: `{"n": 2}`},
		{area: "command", feature: "getLastError", name: "removed in MongoDB 5.1", cmd: `{"getLastError": 1}`, code: 59},
		{area: "command", feature: "unknown command", name: "CommandNotFound", cmd: `{"nosuchcommand": 1}`, code: 59},
		{area: "command", feature: "create", name: "existing collection", docs: three, cmd: `{"create": "c"}`, code: 48},
		{area: "command", feature: "drop", name: "missing collection", cmd: `{"drop": "nosuch"}`, want: `{"ok": 1}`},
		{area: "command", feature: "listIndexes", name: "missing collection", cmd: `{"listIndexes": "nosuch"}`, code: 26},
		{area: "command", feature: "dropIndexes", name: "missing index", docs: three, cmd: `{"dropIndexes": "c", "index": "nosuch"}`, code: 27},
		{area: "command", feature: "getMore", name: "unknown cursor", docs: three, cmd: `{"getMore": {"$numberLong": "123456789"}, "collection": "c"}`, code: 43},
		{area: "command", feature: "killCursors", name: "unknown cursor", docs: three,
			cmd: `{"killCursors": "c", "cursors": [{"$numberLong": "123456789"}]}`, want: `{"cursorsNotFound": [123456789]}`},
		{area: "command", feature: "insert", name: "empty collection name", cmd: `{"insert": "", "documents": [{"_id": 1}]}`, code: 73},
		{area: "command", feature: "find", name: "filter of the wrong type", docs: three, cmd: `{"find": "c", "filter": 1}`, code: 14},
		{area: "command", feature: "find", name: "unknown field", docs: three, cmd: `{"find": "c", "nosuch": 1}`, code: 40415},
		{area: "command", feature: "count", name: "missing collection", cmd: `{"count": "nosuch"}`, want: `{"n": 0}`},
		{area: "command", feature: "validator", name: "a document that fails validation",
			setup: []string{`{"create": "c", "validator": {"a": {"$type": "int"}}}`},
			cmd:   `{"insert": "c", "documents": [{"_id": 1, "a": "x"}]}`, code: 121},
		{area: "command", feature: "collMod", name: "validator", docs: three,
			cmd: `{"collMod": "c", "validator": {"a": {"$exists": true}}}`, want: `{"ok": 1}`},
		{area: "command", feature: "view", name: "find on a view", docs: three,
			setup: []string{`{"create": "v", "viewOn": "c", "pipeline": [{"$match": {"a": 2}}]}`},
			cmd:   `{"find": "v", "projection": {"_id": 1}}`, want: ids(2, 3)},
		{area: "command", feature: "time series", name: "create",
			cmd: `{"create": "c", "timeseries": {"timeField": "t"}}`, want: `{"ok": 1}`},
		{area: "command", feature: "transactions", name: "on a standalone", docs: three, run: transaction, code: 20},
	}
}

// unacknowledged runs two w:0 inserts on one connection, the first a duplicate key, and then a count on it:
// MongoDB sends no reply to a w:0 write, so the count reads its own reply, n: 2.
func unacknowledged(ctx context.Context, db *mongo.Database) (result, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(suite.uri).SetMaxPoolSize(1))
	if err != nil {
		return result{}, err
	}
	defer func() { _ = client.Disconnect(context.WithoutCancel(ctx)) }()
	cdb := client.Database(db.Name())
	coll := cdb.Collection("c", options.Collection().SetWriteConcern(writeconcern.Unacknowledged()))
	for _, id := range []int{1, 2} {
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return result{}, fmt.Errorf("w:0 insert: %w", err)
		}
	}
	reply, err := cdb.RunCommand(ctx, bson.D{{Key: "count", Value: "c"}}).Raw()
	if err != nil {
		return result{}, err
	}
	return result{reply: reply}, nil
}

// transaction inserts a document in a transaction. A transaction needs a replica set or a sharded cluster: a
// standalone MongoDB answers IllegalOperation (20).
func transaction(ctx context.Context, db *mongo.Database) (result, error) {
	sess, err := db.Client().StartSession()
	if err != nil {
		return result{}, err
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	if err := sess.StartTransaction(); err != nil {
		return result{}, err
	}
	_, err = db.Collection("c").InsertOne(mongo.NewSessionContext(ctx, sess), bson.D{{Key: "_id", Value: 4}})
	if err == nil {
		err = sess.CommitTransaction(ctx)
	}
	return result{}, err
}

// allCases is the table.
func allCases() []tcase {
	var all []tcase
	for _, f := range []func() []tcase{queryCases, findCases, updateCases, writeCases, aggregateCases, expressionCases, commandCases, moreCases} {
		all = append(all, f()...)
	}
	return all
}
