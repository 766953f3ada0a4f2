package motor

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// WriteModel is one write of [Collection.BulkWrite]: an [InsertOne], [UpdateOne], [UpdateMany], [ReplaceOne],
// [DeleteOne] or [DeleteMany] (PyMongo's request classes, by their names), or a driver model wrapped in a
// [DriverModel]. It is sealed: only the types of this package implement it. Models are values: BulkWrite never
// changes them.
type WriteModel interface {
	// driverModel returns the model as the driver sends it, checked, with the collection's document hooks and size
	// check applied; acknowledged says whether the bulk write is acknowledged.
	driverModel(c *Collection, acknowledged bool) (mongo.WriteModel, error)
}

// InsertOne inserts Document: PyMongo's InsertOne(document). The document goes through the incoming document hooks
// and the size check of [Collection.InsertOne]; the driver adds an _id when it has none (the caller's document is
// not changed, so the generated _id is not reported, as in the driver).
type InsertOne struct {
	Document any
}

// UpdateOne applies Update to the first document that Filter matches: PyMongo's UpdateOne(filter, update, upsert,
// collation, array_filters, hint). Update is a document of update operators or a pipeline, checked as for
// [Collection.FindOneAndUpdate]. Sent as {q: Filter, u: Update, arrayFilters, collation, upsert, hint}; upsert is
// always sent, as PyMongo sends it, the others when set. multi is left out (the server's default is false), where
// PyMongo sends multi: false.
type UpdateOne struct {
	Filter       any
	Update       any
	Upsert       bool
	Collation    *options.Collation
	ArrayFilters []any
	Hint         any // an index name or an ordered document of index keys
}

// UpdateMany applies Update to every document that Filter matches: PyMongo's UpdateMany(filter, update, upsert,
// collation, array_filters, hint). As [UpdateOne], sent with multi: true after u.
type UpdateMany struct {
	Filter       any
	Update       any
	Upsert       bool
	Collation    *options.Collation
	ArrayFilters []any
	Hint         any
}

// ReplaceOne replaces the first document that Filter matches with Replacement: PyMongo's ReplaceOne(filter,
// replacement, upsert, collation, hint). The replacement goes through the incoming document hooks (no _id added)
// and is checked as for [Collection.FindOneAndReplace]: no key starting with '$', not larger than the server
// accepts. Sent as {q: Filter, u: Replacement, collation, upsert, hint}; upsert is always sent, as PyMongo sends
// it, the others when set. multi is left out (the server's default is false), where PyMongo sends multi: false.
type ReplaceOne struct {
	Filter      any
	Replacement any
	Upsert      bool
	Collation   *options.Collation
	Hint        any
}

// DeleteOne deletes the first document that Filter matches: PyMongo's DeleteOne(filter, collation, hint). Sent as
// {q: Filter, limit: 1, collation, hint}.
type DeleteOne struct {
	Filter    any
	Collation *options.Collation
	Hint      any
}

// DeleteMany deletes every document that Filter matches: PyMongo's DeleteMany(filter, collation, hint). Sent as
// {q: Filter, limit: 0, collation, hint}.
type DeleteMany struct {
	Filter    any
	Collation *options.Collation
	Hint      any
}

// DriverModel is a write model of the driver ([mongo.InsertOneModel], [mongo.UpdateOneModel], ...), for what motor's
// models do not offer (such as the sort of an UpdateOneModel, MongoDB 8.0+). It is sent as the driver sends it, but
// that the document of an InsertOneModel and the replacement of a ReplaceOneModel go through the same hooks and
// checks as those of [InsertOne] and [ReplaceOne] (on a copy of the model). A nil Model is an error.
type DriverModel struct {
	Model mongo.WriteModel
}

// BulkWriteOptions are the options of [Collection.BulkWrite]: the keyword arguments of Motor's bulk_write(requests,
// ordered, bypass_document_validation, session). The zero value (or a nil pointer) is an ordered bulk write that
// applies document validation.
type BulkWriteOptions struct {
	// Ordered, when false, lets the server apply the writes in any order and go on after an error. nil means true,
	// Motor's default: the writes are applied in order and the first error stops them.
	Ordered *bool

	// BypassDocumentValidation lets the writes skip the collection's validation rules: bypassDocumentValidation:
	// true on the insert and update commands, not on the deletes (PyMongo sends it on every command; see
	// [Collection.BulkWrite]). With an unacknowledged write concern it is an error, as in PyMongo.
	BypassDocumentValidation bool

	// Comment is attached to every command of the bulk write (MongoDB 4.4+); any BSON value.
	Comment any

	// Let defines variables for the filters and update pipelines: a document (MongoDB 5.0+).
	Let any
}

// checkUnacknowledged refuses collation, array filters and hints with an unacknowledged write concern, as PyMongo
// does (the server could not report what it did with them).
func checkUnacknowledged(acknowledged bool, collation *options.Collation, arrayFilters []any, hint any) error {
	if !acknowledged && (collation != nil || arrayFilters != nil || hint != nil) {
		return invalidOptionf("collation, arrayFilters and hint are unsupported for unacknowledged writes")
	}
	return nil
}

// checkWrite checks what every model but InsertOne has: a filter document, a collation, array filters and a hint.
func checkWrite(c *Collection, acknowledged bool, filter any, collation *options.Collation, arrayFilters []any, hint any) error {
	if err := checkFilter(filter); err != nil {
		return err
	}
	if err := checkUnacknowledged(acknowledged, collation, arrayFilters, hint); err != nil {
		return err
	}
	for i, af := range arrayFilters {
		if err := checkDocument(c.set.codec.reg, fmt.Sprintf("ArrayFilters[%d]", i), af); err != nil {
			return err
		}
	}
	return checkHint(c.set.codec.reg, "Hint", hint)
}

func (m InsertOne) driverModel(c *Collection, _ bool) (mongo.WriteModel, error) {
	if err := checkIsDocument("the document", m.Document); err != nil {
		return nil, err
	}
	doc, err := c.db.writing(c, m.Document, false)
	if err != nil {
		return nil, err
	}
	return mongo.NewInsertOneModel().SetDocument(c.sized(doc)), nil
}

func (m UpdateOne) driverModel(c *Collection, acknowledged bool) (mongo.WriteModel, error) {
	u, err := updateModel(c, acknowledged, m.Filter, m.Update, m.Collation, m.ArrayFilters, m.Hint)
	if err != nil {
		return nil, err
	}
	return &mongo.UpdateOneModel{Filter: m.Filter, Update: u, Upsert: &m.Upsert, Collation: m.Collation,
		ArrayFilters: m.ArrayFilters, Hint: m.Hint}, nil
}

func (m UpdateMany) driverModel(c *Collection, acknowledged bool) (mongo.WriteModel, error) {
	u, err := updateModel(c, acknowledged, m.Filter, m.Update, m.Collation, m.ArrayFilters, m.Hint)
	if err != nil {
		return nil, err
	}
	return &mongo.UpdateManyModel{Filter: m.Filter, Update: u, Upsert: &m.Upsert, Collation: m.Collation,
		ArrayFilters: m.ArrayFilters, Hint: m.Hint}, nil
}

// updateModel checks an update model and returns its update as it is sent.
func updateModel(c *Collection, acknowledged bool, filter, update any, collation *options.Collation, arrayFilters []any, hint any) (any, error) {
	if err := checkWrite(c, acknowledged, filter, collation, arrayFilters, hint); err != nil {
		return nil, err
	}
	return c.updateDoc(update)
}

func (m ReplaceOne) driverModel(c *Collection, acknowledged bool) (mongo.WriteModel, error) {
	if err := checkWrite(c, acknowledged, m.Filter, m.Collation, nil, m.Hint); err != nil {
		return nil, err
	}
	r, err := c.replacementDoc(m.Replacement)
	if err != nil {
		return nil, err
	}
	return &mongo.ReplaceOneModel{Filter: m.Filter, Replacement: r, Upsert: &m.Upsert, Collation: m.Collation, Hint: m.Hint}, nil
}

func (m DeleteOne) driverModel(c *Collection, acknowledged bool) (mongo.WriteModel, error) {
	if err := checkWrite(c, acknowledged, m.Filter, m.Collation, nil, m.Hint); err != nil {
		return nil, err
	}
	return &mongo.DeleteOneModel{Filter: m.Filter, Collation: m.Collation, Hint: m.Hint}, nil
}

func (m DeleteMany) driverModel(c *Collection, acknowledged bool) (mongo.WriteModel, error) {
	if err := checkWrite(c, acknowledged, m.Filter, m.Collation, nil, m.Hint); err != nil {
		return nil, err
	}
	return &mongo.DeleteManyModel{Filter: m.Filter, Collation: m.Collation, Hint: m.Hint}, nil
}

func (m DriverModel) driverModel(c *Collection, _ bool) (mongo.WriteModel, error) {
	switch dm := m.Model.(type) {
	case nil:
		return nil, invalidOptionf("DriverModel.Model must not be nil")
	case *mongo.InsertOneModel:
		if dm == nil {
			return nil, invalidOptionf("DriverModel.Model must not be a nil *mongo.InsertOneModel")
		}
		cp := *dm
		if err := checkIsDocument("the document", cp.Document); err != nil {
			return nil, err
		}
		doc, err := c.db.writing(c, cp.Document, false)
		if err != nil {
			return nil, err
		}
		cp.Document = c.sized(doc)
		return &cp, nil
	case *mongo.ReplaceOneModel:
		if dm == nil {
			return nil, invalidOptionf("DriverModel.Model must not be a nil *mongo.ReplaceOneModel")
		}
		cp := *dm
		var err error
		if cp.Replacement, err = c.replacementDoc(cp.Replacement); err != nil {
			return nil, err
		}
		return &cp, nil
	}
	return m.Model, nil
}

// bulkWriteOpts checks opts and translates them into the driver's builder.
func bulkWriteOpts(o *BulkWriteOptions, acknowledged bool, reg *bson.Registry) (*options.BulkWriteOptionsBuilder, error) {
	b := options.BulkWrite()
	if o == nil {
		return b, nil
	}
	if o.Ordered != nil {
		b.SetOrdered(*o.Ordered)
	}
	if o.BypassDocumentValidation {
		if !acknowledged {
			return nil, invalidOptionf("cannot set BypassDocumentValidation with an unacknowledged write concern")
		}
		b.SetBypassDocumentValidation(true)
	}
	if o.Comment != nil {
		b.SetComment(o.Comment)
	}
	if o.Let != nil {
		if err := checkDocument(reg, "BulkWriteOptions.Let", o.Let); err != nil {
			return nil, err
		}
		b.SetLet(o.Let)
	}
	return b, nil
}

// BulkWrite sends the writes of models: Motor's bulk_write(requests, ordered, bypass_document_validation, session).
//
// It is sent through the driver's BulkWrite, which groups consecutive models of one kind into one command, split
// as the server's limits require: inserts; single-document updates and replacements; multi-document updates;
// single-document deletes; multi-document deletes (PyMongo puts every update in one update command and every delete
// in one delete command; the driver keeps the single-document ones apart so that they stay retryable writes).
// Ordered, the commands follow the order of models; unordered, the driver groups each kind across models, as PyMongo
// does. Each command goes to the primary with ordered, comment (when set) and the collection's write concern (none
// inside a transaction); the update and delete commands carry let, and the insert and update commands carry
// bypassDocumentValidation: true when it is set. The delete commands do not: there is no document to validate.
// (PyMongo 3.11 sends bypassDocumentValidation on every command, the deletes included, where FerretDB refuses it:
// 'delete: unknown field "bypassDocumentValidation"'.) Inserted documents and replacements go through the incoming
// document hooks and the size check (see [InsertOne] and [ReplaceOne]); update documents are checked to hold only
// update operators.
//
// The result is the driver's: the numbers of documents inserted, matched, modified, deleted and upserted, the _id
// of each upserted document by the index of its model, and whether the writes were acknowledged (with an
// unacknowledged write concern, the counts mean nothing; unlike PyMongo, which sends an ordered w: 0 bulk write
// acknowledged, motor sends it with w: 0).
//
// An empty models (PyMongo's InvalidOperation "No operations to execute"), a nil or bad model (the error names its
// index: "model 2: ..."), collation, arrayFilters, hint or BypassDocumentValidation with an unacknowledged write
// concern, and bad options are [ErrInvalidOption] errors before any I/O. When writes fail, the error wraps the
// driver's [mongo.BulkWriteException] (errors.As reaches its WriteErrors, each with the index of its model, and
// its WriteConcernError) and the result counts the writes that were done; other errors come with a nil result.
//
// See https://www.mongodb.com/docs/manual/core/bulk-write-operations/.
func (c *Collection) BulkWrite(ctx context.Context, models []WriteModel, opts *BulkWriteOptions) (*mongo.BulkWriteResult, error) {
	cl := c.call("bulk write")
	if len(models) == 0 {
		return nil, cl.wrap(invalidOptionf("no operations to execute: models is empty"))
	}
	ack := writeConcernFor(ctx, c.set.wc).Acknowledged()
	b, err := bulkWriteOpts(opts, ack, c.set.codec.reg)
	if err != nil {
		return nil, cl.wrap(err)
	}
	dms := make([]mongo.WriteModel, len(models))
	for i, m := range models {
		if m == nil {
			err = invalidOptionf("a model must not be nil")
		} else {
			dms[i], err = m.driverModel(c, ack)
		}
		if err != nil {
			return nil, cl.wrap(&itemError{what: "model", index: i, err: err})
		}
	}
	res, err := c.bulkWrite(ctx, cl, dms, b)
	if err != nil {
		if res != nil && errors.As(err, &mongo.BulkWriteException{}) {
			res.Acknowledged = ack // the driver leaves it unset when writes fail
		} else {
			res = nil
		}
		return res, err
	}
	return res, nil
}
