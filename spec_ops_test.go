package motor_test

// The operations of the spec runner (spec_runner_test.go): the test runner's own, and those of the database,
// collection and cursor entities, each mapped to motor's API with its arguments checked.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
)

// runOp runs one operation and checks its result or error.
func (st *caseState) runOp(ctx context.Context, op specOp) error {
	a := newArgs(op.Arguments)
	if v, ok := a.get("session"); ok {
		s, err := entity[*specSession](st, v.StringValue())
		if err != nil {
			return err
		}
		ctx = mongo.NewSessionContext(ctx, s.s)
	}
	var res opResult
	var err error
	if op.Object == "testRunner" {
		return st.testRunnerOp(ctx, op.Name, a)
	}
	switch obj := st.ents[op.Object].(type) {
	case *motor.Database:
		res, err = st.databaseOp(ctx, obj, op.Name, a)
	case *motor.Collection:
		res, err = collectionOp(ctx, obj, op.Name, a)
	case *motor.Cursor:
		res, err = cursorOp(ctx, obj, op.Name, a)
	case *specSession:
		if op.Name != "endSession" {
			return skipf("runner: session operation %s not supported", op.Name)
		}
		if err := a.done(op.Name); err != nil {
			return err
		}
		obj.s.EndSession(ctx)
		return nil
	case nil:
		return fmt.Errorf("no entity %q", op.Object)
	default:
		return skipf("runner: operations on %T not supported", obj)
	}
	var skip skipError
	if errors.As(err, &skip) {
		return err
	}
	if op.IgnoreResultAndError {
		if res.entity != nil {
			closeEntity(ctx, res.entity)
		}
		return nil
	}
	if op.ExpectError != nil {
		if res.entity != nil {
			closeEntity(ctx, res.entity)
		}
		return (&matcher{st: st}).checkError(op.ExpectError, err)
	}
	if err != nil {
		return err
	}
	if op.ExpectResult.Type != 0 {
		m := &matcher{st: st}
		if res.many {
			err = m.matchEach(op.ExpectResult, res.value)
		} else {
			err = m.match("result", op.ExpectResult, res.value, true)
		}
		if err != nil {
			return err
		}
	}
	if op.SaveResultAsEntity != "" {
		v := res.entity
		if v == nil {
			v = res.value
		}
		return st.put(op.SaveResultAsEntity, v)
	}
	if res.entity != nil {
		closeEntity(ctx, res.entity)
	}
	return nil
}

func closeEntity(ctx context.Context, e any) {
	if c, ok := e.(*motor.Cursor); ok {
		_ = c.Close(ctx)
	}
}

// opResult is what an operation returned: a value to match (many: an array of root-level documents) and an object
// to save as an entity (a cursor or a collection).
type opResult struct {
	value  bson.RawValue
	many   bool
	entity any
}

func (st *caseState) testRunnerOp(ctx context.Context, name string, a *args) error {
	switch name {
	case "failPoint":
		if _, err := entity[*specClient](st, a.str("client")); err != nil {
			return err
		}
		fp := a.doc1("failPoint")
		if err := a.done(name); err != nil {
			return err
		}
		// On a standalone the internal client reaches the same server as the client entity.
		err := st.r.internal.Database("admin").RunCommand(ctx, fp).Err()
		var ce mongo.CommandError
		if errors.As(err, &ce) && ce.Code == 59 {
			return skipf("needs a fail point: the server has no configureFailPoint (CommandNotFound)")
		}
		if err != nil {
			return fmt.Errorf("failPoint: %w", err)
		}
		st.failPoints = append(st.failPoints, fp.Lookup("configureFailPoint").StringValue())
		return nil
	case "createEntities":
		v, _ := a.get("entities")
		if err := a.done(name); err != nil {
			return err
		}
		vals, _ := v.Array().Values()
		list := make([]bson.Raw, len(vals))
		for i, e := range vals {
			list[i] = e.Document()
		}
		return st.createEntities(ctx, list)
	case "assertSameLsidOnLastTwoCommands", "assertDifferentLsidOnLastTwoCommands":
		c, err := entity[*specClient](st, a.str("client"))
		if err != nil {
			return err
		}
		if err := a.done(name); err != nil {
			return err
		}
		var started []specEvent
		for _, e := range c.snapshot() {
			if e.kind == "commandStartedEvent" {
				started = append(started, e)
			}
		}
		if len(started) < 2 {
			return fmt.Errorf("%s: %d commands observed", name, len(started))
		}
		l1, l2 := started[len(started)-2].doc.Lookup("lsid"), started[len(started)-1].doc.Lookup("lsid")
		if same := l1.Equal(l2); same != (name == "assertSameLsidOnLastTwoCommands") {
			return fmt.Errorf("%s: lsids %s and %s", name, l1, l2)
		}
		return nil
	case "assertCollectionExists", "assertCollectionNotExists":
		db, coll := a.str("databaseName"), a.str("collectionName")
		if err := a.done(name); err != nil {
			return err
		}
		names, err := st.r.internal.Database(db).ListCollectionNames(ctx, bson.D{{Key: "name", Value: coll}})
		if err != nil {
			return err
		}
		if exists := len(names) > 0; exists != (name == "assertCollectionExists") {
			return fmt.Errorf("%s %s.%s: exists=%v", name, db, coll, exists)
		}
		return nil
	}
	return skipf("runner: testRunner operation %s not supported", name)
}

// databaseOp maps the database operations of the unified format to motor's Database methods.
// optReadPref reads an operation's optional readPreference argument (nil when absent).
func optReadPref(a *args) (*readpref.ReadPref, error) {
	v, ok := a.get("readPreference")
	if !ok {
		return nil, nil
	}
	return readPref(v.Document())
}

func (st *caseState) databaseOp(ctx context.Context, db *motor.Database, name string, a *args) (opResult, error) {
	switch name {
	case "runCommand":
		a.get("commandName") // the first key of command
		cmd := a.doc1("command")
		opts := &motor.CommandOptions{}
		rp, err := optReadPref(a)
		if err != nil {
			return opResult{}, err
		}
		opts.ReadPreference = rp
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		reply, err := db.Command(ctx, cmd, opts)
		if err != nil {
			return opResult{}, err
		}
		return opResult{value: rawValue(reply)}, nil
	case "runCursorCommand", "createCommandCursor":
		a.get("commandName")
		cmd := a.doc1("command")
		opts := &motor.CommandCursorOptions{}
		if v, ok := a.get("batchSize"); ok {
			opts.BatchSize = int32(v.AsInt64())
		}
		if v, ok := a.get("maxTimeMS"); ok {
			opts.MaxAwaitTime = time.Duration(v.AsInt64()) * time.Millisecond
		}
		if v, ok := a.get("cursorType"); ok && v.StringValue() != "tailable" && v.StringValue() != "tailableAwait" {
			return opResult{}, fmt.Errorf("bad cursorType %s", v)
		}
		if v, ok := a.get("comment"); ok {
			opts.Comment = v
		}
		rp, err := optReadPref(a)
		if err != nil {
			return opResult{}, err
		}
		opts.ReadPreference = rp
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		cc, err := db.CommandCursor(ctx, cmd, opts)
		if err != nil {
			return opResult{}, err
		}
		if name == "createCommandCursor" {
			return opResult{entity: cc}, nil
		}
		return allDocs(ctx, cc)
	case "createCollection":
		coll := a.str("collection")
		opts, err := createOptions(a)
		if err != nil {
			return opResult{}, err
		}
		c, err := db.CreateCollection(ctx, coll, opts)
		if err != nil {
			return opResult{}, err
		}
		return opResult{entity: c}, nil
	case "dropCollection":
		coll := a.str("collection")
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		_, err := db.DropCollection(ctx, coll, nil)
		return opResult{}, err
	case "listCollections":
		opts := &motor.ListCollectionsOptions{}
		if v, ok := a.get("filter"); ok {
			opts.Filter = v.Document()
		}
		if v, ok := a.get("batchSize"); ok {
			opts.BatchSize = int32(v.AsInt64())
		}
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		cc, err := db.ListCollections(ctx, opts)
		if err != nil {
			return opResult{}, err
		}
		return allDocs(ctx, cc)
	case "listCollectionNames":
		opts := &motor.ListCollectionNamesOptions{}
		if v, ok := a.get("filter"); ok {
			opts.Filter = v.Document()
		}
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		names, err := db.ListCollectionNames(ctx, opts)
		if err != nil {
			return opResult{}, err
		}
		return opResult{value: rawValue(names)}, nil
	}
	return opResult{}, skipf("runner: database operation %s not supported by motor", name)
}

// createOptions maps createCollection arguments to CreateCollectionOptions: the typed fields motor has, the rest
// in Extra, in order.
func createOptions(a *args) (*motor.CreateCollectionOptions, error) {
	o := &motor.CreateCollectionOptions{}
	elems, _ := a.doc.Elements()
	for _, e := range elems {
		k, v := e.Key(), e.Value()
		if a.used[k] || k == "collection" {
			continue
		}
		a.used[k] = true
		switch k {
		case "capped":
			o.Capped = v.Boolean()
		case "size":
			o.Size = v.AsInt64()
		case "max":
			o.Max = v.AsInt64()
		case "expireAfterSeconds":
			o.ExpireAfterSeconds = v.AsInt64()
		case "clusteredIndex":
			o.ClusteredIndex = v.Document()
		case "changeStreamPreAndPostImages":
			if enabled, _ := v.Document().Lookup("enabled").BooleanOK(); !enabled {
				return nil, skipf("runner: changeStreamPreAndPostImages %s not expressible with motor", v)
			}
			o.ChangeStreamPreAndPostImages = true
		case "timeseries":
			d := v.Document()
			ts := &motor.TimeseriesOptions{}
			ts.TimeField, _ = d.Lookup("timeField").StringValueOK()
			ts.MetaField, _ = d.Lookup("metaField").StringValueOK()
			ts.Granularity, _ = d.Lookup("granularity").StringValueOK()
			ts.BucketMaxSpanSeconds, _ = d.Lookup("bucketMaxSpanSeconds").AsInt64OK()
			ts.BucketRoundingSeconds, _ = d.Lookup("bucketRoundingSeconds").AsInt64OK()
			o.Timeseries = ts
		case "validator":
			o.Validator = v.Document()
		case "storageEngine":
			o.StorageEngine = v.Document()
		case "indexOptionDefaults":
			o.IndexOptionDefaults = v.Document()
		case "validationLevel":
			o.ValidationLevel = v.StringValue()
		case "validationAction":
			o.ValidationAction = v.StringValue()
		case "viewOn":
			o.ViewOn = v.StringValue()
		case "pipeline":
			o.Pipeline = v.Array()
		case "encryptedFields":
			o.EncryptedFields = v.Document()
		case "comment":
			o.Comment = v
		default:
			o.Extra = append(o.Extra, bson.E{Key: k, Value: v})
		}
	}
	return o, nil
}

// collectionOp maps the collection operations this runner supports to motor's Collection methods.
func collectionOp(ctx context.Context, c *motor.Collection, name string, a *args) (opResult, error) {
	switch name {
	case "insertOne":
		doc := a.doc1("document")
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		res, err := c.InsertOne(ctx, doc, nil)
		if err != nil {
			return opResult{}, err
		}
		return opResult{value: rawValue(bson.D{{Key: "insertedId", Value: res.InsertedID}})}, nil
	case "insertMany":
		v, _ := a.get("documents")
		opts := &motor.InsertManyOptions{}
		if o, ok := a.get("ordered"); ok {
			ordered := o.Boolean()
			opts.Ordered = &ordered
		}
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		vals, _ := v.Array().Values()
		docs := make([]any, len(vals))
		for i, d := range vals {
			docs[i] = d.Document()
		}
		res, err := c.InsertMany(ctx, docs, opts)
		if err != nil {
			return opResult{}, err
		}
		ids := bson.D{}
		for i, id := range res.InsertedIDs {
			ids = append(ids, bson.E{Key: fmt.Sprint(i), Value: id})
		}
		return opResult{value: rawValue(bson.D{{Key: "insertedIds", Value: ids}})}, nil
	case "find":
		filter := a.doc1("filter")
		opts := &motor.FindOptions{}
		if v, ok := a.get("sort"); ok {
			if err := bson.Unmarshal(v.Document(), &opts.Sort); err != nil {
				return opResult{}, err
			}
		}
		if v, ok := a.get("projection"); ok {
			opts.Projection = v.Document()
		}
		if v, ok := a.get("limit"); ok {
			opts.Limit = v.AsInt64()
		}
		if v, ok := a.get("skip"); ok {
			opts.Skip = v.AsInt64()
		}
		if v, ok := a.get("batchSize"); ok {
			opts.BatchSize = int32(v.AsInt64())
		}
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		cur, err := c.Find(ctx, filter, opts)
		if err != nil {
			return opResult{}, err
		}
		return allDocs(ctx, cur)
	case "deleteOne", "deleteMany":
		filter := a.doc1("filter")
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		var res *mongo.DeleteResult
		var err error
		if name == "deleteOne" {
			res, err = c.DeleteOne(ctx, filter, nil)
		} else {
			res, err = c.DeleteMany(ctx, filter, nil)
		}
		if err != nil {
			return opResult{}, err
		}
		return opResult{value: rawValue(bson.D{{Key: "deletedCount", Value: res.DeletedCount}})}, nil
	case "countDocuments":
		filter := a.doc1("filter")
		if err := a.done(name); err != nil {
			return opResult{}, err
		}
		n, err := c.CountDocuments(ctx, filter, nil)
		if err != nil {
			return opResult{}, err
		}
		return opResult{value: rawValue(n)}, nil
	}
	return opResult{}, skipf("runner: collection operation %s not supported", name)
}

// cursorOp runs the cursor operations on a command cursor (or a find cursor).
func cursorOp(ctx context.Context, cur *motor.Cursor, name string, a *args) (opResult, error) {
	if err := a.done(name); err != nil {
		return opResult{}, err
	}
	switch name {
	case "iterateUntilDocumentOrError":
		if cur.Next(ctx) {
			return opResult{value: rawValue(append(bson.Raw(nil), cur.Current()...))}, nil
		}
		if err := cur.Err(); err != nil {
			return opResult{}, err
		}
		return opResult{}, errors.New("iterateUntilDocumentOrError: the cursor is exhausted")
	case "iterateOnce":
		if cur.TryNext(ctx) {
			return opResult{value: rawValue(append(bson.Raw(nil), cur.Current()...))}, nil
		}
		return opResult{}, cur.Err()
	case "close":
		return opResult{}, cur.Close(ctx)
	}
	return opResult{}, skipf("runner: cursor operation %s not supported", name)
}

// allDocs iterates the cursor to the end (closing it) and returns its documents as an array of root documents.
func allDocs(ctx context.Context, cur *motor.Cursor) (opResult, error) {
	docs := []bson.Raw{}
	if err := cur.All(ctx, &docs); err != nil {
		return opResult{}, err
	}
	return opResult{value: rawValue(docs), many: true}, nil
}
