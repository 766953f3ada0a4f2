package main

// The Collection's operations beyond insert, find and aggregate: each subcommand is a thin layer over one library
// call, its flags the fields of the call's options struct in kebab case (Sort is --sort, ReturnDocument is
// --return-document, MaxTime is --max-time).

import (
	"context"
	"errors"
	"flag"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/gomotor/motor"
)

// crudCommands returns the collection subcommands that follow find, in the order "motor help" lists them.
func crudCommands() []*command {
	return []*command{
		{
			name: "find-one", args: "COLLECTION [FILTER]", minArgs: 1, maxArgs: 2,
			summary: "Print the first document that matches a filter, or null",
			motor:   "await collection.find_one(filter, projection, sort=..., skip=...)",
			example: "motor find-one orders '{\"item\": \"tea\"}' --projection '{\"_id\": 0}'",
			setup: func(fs *flag.FlagSet) action {
				var q queryFlags
				q.register(fs, true, false)
				return func(s *session, args []string) (op, error) {
					filter, err := s.optionalFilter(args, 1)
					if err != nil {
						return nil, err
					}
					var o motor.FindOneOptions
					if err := q.parse(s, &o.Projection, &o.Sort, &o.Skip, nil, &o.Hint, &o.MaxTime, &o.Collation, &o.Comment); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return orNull(coll.FindOne(ctx, filter, &o).Raw())
					}), nil
				}
			},
		},
		{
			name: "count", args: "COLLECTION [FILTER]", minArgs: 1, maxArgs: 2,
			summary: "Print the number of documents that match a filter (--estimated: of the collection, from its metadata)",
			motor:   "await collection.count_documents(filter, skip=..., limit=...) / estimated_document_count()",
			example: "motor count orders '{\"qty\": {\"$gte\": 2}}'\nmotor count orders --estimated",
			setup: func(fs *flag.FlagSet) action {
				estimated := fs.Bool("estimated", false, "count every document from the collection's metadata (EstimatedDocumentCount), without a filter")
				var q queryFlags
				q.register(fs, false, true)
				return func(s *session, args []string) (op, error) {
					if *estimated {
						if len(args) > 1 || q.skip != 0 || q.limit != 0 || q.hint != "" || q.collation != "" {
							return nil, usageErrorf("--estimated counts the whole collection: it takes no filter, --skip, --limit, --hint or --collation")
						}
						o := motor.EstimatedDocumentCountOptions{MaxTime: q.maxTime}
						setComment(&o.Comment, q.comment)
						return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
							n, err := coll.EstimatedDocumentCount(ctx, &o)
							return text(strconv.FormatInt(n, 10)), err
						}), nil
					}
					filter, err := s.optionalFilter(args, 1)
					if err != nil {
						return nil, err
					}
					var o motor.CountDocumentsOptions
					if err := q.parse(s, nil, nil, &o.Skip, &o.Limit, &o.Hint, &o.MaxTime, &o.Collation, &o.Comment); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						n, err := coll.CountDocuments(ctx, filter, &o)
						return text(strconv.FormatInt(n, 10)), err
					}), nil
				}
			},
		},
		{
			name: "distinct", args: "COLLECTION KEY [FILTER]", minArgs: 2, maxArgs: 3,
			summary: "Print the distinct values of a field, one per line",
			motor:   "await collection.distinct(key, filter)",
			example: "motor distinct orders item '{\"qty\": {\"$gt\": 0}}'",
			setup: func(fs *flag.FlagSet) action {
				var q queryFlags
				q.registerCommon(fs)
				return func(s *session, args []string) (op, error) {
					filter, err := s.optionalFilter(args, 2)
					if err != nil {
						return nil, err
					}
					var o motor.DistinctOptions
					if err := q.parse(s, nil, nil, nil, nil, nil, &o.MaxTime, &o.Collation, &o.Comment); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						values, err := motor.DistinctAs[bson.RawValue](ctx, coll, args[1], filter, &o)
						return values, err
					}), nil
				}
			},
		},
		updateCommand("update-one", "the first document", "update_one", (*motor.Collection).UpdateOne),
		updateCommand("update-many", "every document", "update_many", (*motor.Collection).UpdateMany),
		{
			name: "replace-one", args: "COLLECTION FILTER REPLACEMENT", minArgs: 3, maxArgs: 3,
			summary: "Replace the first document that matches a filter, and print the counts",
			motor:   "await collection.replace_one(filter, replacement, upsert=...)",
			example: "motor replace-one orders '{\"item\": \"tea\"}' '{\"item\": \"green tea\", \"qty\": 4}' --upsert",
			setup: func(fs *flag.FlagSet) action {
				var w writeFlags
				w.register(fs, true, false)
				return func(s *session, args []string) (op, error) {
					filter, repl, err := s.filterAnd(args, s.replacement)
					if err != nil {
						return nil, err
					}
					o := motor.ReplaceOptions{Upsert: w.upsert, BypassDocumentValidation: w.bypass}
					if err := w.parse(s, &o.Hint, &o.Collation, &o.Let, &o.Comment, nil); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return updateResult(coll.ReplaceOne(ctx, filter, repl, &o))
					}), nil
				}
			},
		},
		deleteCommand("delete-one", "the first document", "delete_one", (*motor.Collection).DeleteOne),
		deleteCommand("delete-many", "every document", "delete_many", (*motor.Collection).DeleteMany),
		{
			name: "find-one-and-update", args: "COLLECTION FILTER UPDATE", minArgs: 3, maxArgs: 3,
			summary: "Update the first document that matches a filter and print it, as it was or (--return-document after) as it is",
			motor:   "await collection.find_one_and_update(filter, update, projection, sort, upsert, return_document)",
			example: "motor find-one-and-update counters '{\"_id\": \"orders\"}' '{\"$inc\": {\"n\": 1}}' --upsert --return-document after",
			setup: func(fs *flag.FlagSet) action {
				var f famFlags
				f.register(fs, true, true)
				return func(s *session, args []string) (op, error) {
					filter, update, err := s.filterAnd(args, s.update)
					if err != nil {
						return nil, err
					}
					o := motor.FindOneAndUpdateOptions{Upsert: f.w.upsert, BypassDocumentValidation: f.w.bypass}
					if err := f.parse(s, &o.FindOneAndOptions, &o.ReturnDocument, &o.ArrayFilters); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return orNull(coll.FindOneAndUpdate(ctx, filter, update, &o).Raw())
					}), nil
				}
			},
		},
		{
			name: "find-one-and-replace", args: "COLLECTION FILTER REPLACEMENT", minArgs: 3, maxArgs: 3,
			summary: "Replace the first document that matches a filter and print it, as it was or (--return-document after) as it is",
			motor:   "await collection.find_one_and_replace(filter, replacement, projection, sort, upsert, return_document)",
			example: "motor find-one-and-replace orders '{\"item\": \"tea\"}' '{\"item\": \"tea\", \"qty\": 0}' --return-document after",
			setup: func(fs *flag.FlagSet) action {
				var f famFlags
				f.register(fs, true, false)
				return func(s *session, args []string) (op, error) {
					filter, repl, err := s.filterAnd(args, s.replacement)
					if err != nil {
						return nil, err
					}
					o := motor.FindOneAndReplaceOptions{Upsert: f.w.upsert, BypassDocumentValidation: f.w.bypass}
					if err := f.parse(s, &o.FindOneAndOptions, &o.ReturnDocument, nil); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return orNull(coll.FindOneAndReplace(ctx, filter, repl, &o).Raw())
					}), nil
				}
			},
		},
		{
			name: "find-one-and-delete", args: "COLLECTION FILTER", minArgs: 2, maxArgs: 2,
			summary: "Delete the first document that matches a filter and print it, or null",
			motor:   "await collection.find_one_and_delete(filter, projection, sort)",
			example: "motor find-one-and-delete jobs '{}' --sort '{\"queued\": 1}'",
			setup: func(fs *flag.FlagSet) action {
				var f famFlags
				f.register(fs, false, false)
				return func(s *session, args []string) (op, error) {
					filter, err := s.doc("filter", args[1])
					if err != nil {
						return nil, err
					}
					var o motor.FindOneAndDeleteOptions
					if err := f.parse(s, &o.FindOneAndOptions, nil, nil); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return orNull(coll.FindOneAndDelete(ctx, filter, &o).Raw())
					}), nil
				}
			},
		},
		{
			name: "bulk-write", args: "COLLECTION MODELS|-", minArgs: 2, maxArgs: 2,
			summary: "Send many writes at once: models in Extended JSON, one per line or an array, and print the counts",
			motor:   "await collection.bulk_write([InsertOne(...), UpdateOne(...), ...], ordered=...)",
			example: "motor bulk-write orders '[{\"insertOne\": {\"document\": {\"item\": \"jam\"}}}, " +
				"{\"updateMany\": {\"filter\": {}, \"update\": {\"$inc\": {\"qty\": 1}}}}, {\"deleteOne\": {\"filter\": {\"qty\": 0}}}]'\n" +
				"# models: insertOne {document}, updateOne and updateMany {filter, update, upsert, arrayFilters, collation, hint},\n" +
				"# replaceOne {filter, replacement, upsert, collation, hint}, deleteOne and deleteMany {filter, collation, hint}",
			setup: func(fs *flag.FlagSet) action {
				ordered := fs.Bool("ordered", true, "apply the writes in order and stop at the first error; --ordered=false goes on")
				bypass := fs.Bool("bypass-document-validation", false, "skip the collection's validation rules")
				comment := commentFlag(fs)
				let := fs.String("let", "", "variables `document` for the filters and update pipelines ($$name)")
				return func(s *session, args []string) (op, error) {
					docs, _, err := s.documents("models", args[1])
					if err != nil {
						return nil, err
					}
					var models []motor.WriteModel
					for _, d := range docs {
						m, err := writeModel(d)
						if err != nil {
							return nil, usageErrorf("model %d: %v", len(models), err)
						}
						models = append(models, m)
					}
					if len(models) == 0 {
						return nil, usageErrorf("no models to write")
					}
					o := motor.BulkWriteOptions{BypassDocumentValidation: *bypass}
					if !*ordered {
						o.Ordered = ordered
					}
					setComment(&o.Comment, *comment)
					if err := s.optionalDoc("let", *let, &o.Let); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						res, err := coll.BulkWrite(ctx, models, &o)
						if err != nil {
							return nil, err
						}
						out := bson.D{
							{Key: "insertedCount", Value: small(res.InsertedCount)},
							{Key: "matchedCount", Value: small(res.MatchedCount)},
							{Key: "modifiedCount", Value: small(res.ModifiedCount)},
							{Key: "deletedCount", Value: small(res.DeletedCount)},
							{Key: "upsertedCount", Value: small(res.UpsertedCount)},
						}
						if len(res.UpsertedIDs) > 0 {
							ids := bson.D{}
							for i := range models {
								if id, ok := res.UpsertedIDs[int64(i)]; ok {
									ids = append(ids, bson.E{Key: strconv.Itoa(i), Value: id})
								}
							}
							out = append(out, bson.E{Key: "upsertedIds", Value: ids})
						}
						return out, nil
					}), nil
				}
			},
		},
		{
			name: "create-index", args: "COLLECTION KEYS", minArgs: 2, maxArgs: 2,
			summary: "Create an index and print its name",
			motor:   "await collection.create_index(keys, name=..., unique=..., ...)",
			example: "motor create-index orders '{\"item\": 1, \"qty\": -1}' --unique\nmotor create-index sessions '{\"at\": 1}' --expire-after-seconds 3600",
			setup: func(fs *flag.FlagSet) action {
				var o motor.CreateIndexOptions
				fs.StringVar(&o.Name, "name", "", "index `name` (default: generated from the keys, as item_1_qty_-1)")
				fs.BoolVar(&o.Unique, "unique", false, "refuse a second document with the same key values")
				fs.BoolVar(&o.Sparse, "sparse", false, "leave out the documents that lack the indexed fields")
				fs.BoolVar(&o.Hidden, "hidden", false, "hide the index from the query planner (MongoDB 4.4+)")
				ttl := fs.Int64("expire-after-seconds", -1, "make a TTL index: remove documents this many `seconds` after the date in the indexed field (default: none)")
				partial := fs.String("partial-filter-expression", "", "index only the documents this filter `document` matches")
				collation := fs.String("collation", "", "collation `document` of the index, e.g. '{\"locale\": \"fr\"}'")
				maxTimeFlag(fs, &o.MaxTime, "command")
				comment := commentFlag(fs)
				return func(s *session, args []string) (op, error) {
					keys, err := s.doc("keys", args[1])
					if err != nil {
						return nil, err
					}
					if *ttl >= 0 {
						o.ExpireAfterSeconds = ttl
					}
					if err := s.optionalDoc("partial filter expression", *partial, &o.PartialFilterExpression); err != nil {
						return nil, err
					}
					if o.Collation, err = s.collation(*collation); err != nil {
						return nil, err
					}
					setComment(&o.Comment, *comment)
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						name, err := coll.CreateIndex(ctx, keys, &o)
						return text(name), err
					}), nil
				}
			},
		},
		{
			name: "list-indexes", args: "COLLECTION", minArgs: 1, maxArgs: 1,
			summary: "Print the listIndexes document of each index of a collection",
			motor:   "await collection.list_indexes().to_list(None)",
			example: "motor list-indexes orders",
			setup: func(fs *flag.FlagSet) action {
				return func(s *session, args []string) (op, error) {
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return coll.ListIndexes(ctx)
					}), nil
				}
			},
		},
		{
			name: "drop-index", args: "COLLECTION NAME", minArgs: 2, maxArgs: 2,
			summary: "Drop an index by its name (as list-indexes shows it), or every index but _id's with '*'",
			motor:   "await collection.drop_index(name) / drop_indexes()",
			example: "motor drop-index orders item_1_qty_-1",
			setup: func(fs *flag.FlagSet) action {
				var o motor.DropIndexOptions
				maxTimeFlag(fs, &o.MaxTime, "command")
				comment := commentFlag(fs)
				return func(s *session, args []string) (op, error) {
					setComment(&o.Comment, *comment)
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						if args[1] == "*" {
							return nil, coll.DropIndexes(ctx, &o)
						}
						return nil, coll.DropIndex(ctx, args[1], &o)
					}), nil
				}
			},
		},
		{
			name: "rename", args: "COLLECTION NEW-NAME", minArgs: 2, maxArgs: 2,
			summary: "Rename a collection within its database",
			motor:   "await collection.rename(new_name, dropTarget=...)",
			example: "motor rename orders orders_2024 --drop-target",
			setup: func(fs *flag.FlagSet) action {
				dropTarget := fs.Bool("drop-target", false, "drop an existing collection of the new name first, instead of failing")
				comment := commentFlag(fs)
				return func(s *session, args []string) (op, error) {
					var o motor.RenameOptions
					if *dropTarget {
						o.DropTarget = dropTarget
					}
					setComment(&o.Comment, *comment)
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						renamed, err := coll.Rename(ctx, args[1], &o)
						if err != nil {
							return nil, err
						}
						return bson.D{{Key: "renamed", Value: coll.FullName()}, {Key: "to", Value: renamed.FullName()}}, nil
					}), nil
				}
			},
		},
	}
}

// updateCommand is update-one or update-many.
func updateCommand(name, which, method string, call func(*motor.Collection, context.Context, any, any, *motor.UpdateOptions) (*mongo.UpdateResult, error)) *command {
	return &command{
		name: name, args: "COLLECTION FILTER UPDATE", minArgs: 3, maxArgs: 3,
		summary: "Update " + which + " that matches a filter, and print the counts",
		motor:   "await collection." + method + "(filter, update, upsert=..., array_filters=...)",
		example: "motor " + name + " orders '{\"item\": \"tea\"}' '{\"$inc\": {\"qty\": 1}}'\n" +
			"motor " + name + " orders '{\"item\": \"jam\"}' '{\"$set\": {\"qty\": 1}}' --upsert",
		setup: func(fs *flag.FlagSet) action {
			var w writeFlags
			w.register(fs, true, true)
			return func(s *session, args []string) (op, error) {
				filter, update, err := s.filterAnd(args, s.update)
				if err != nil {
					return nil, err
				}
				o := motor.UpdateOptions{Upsert: w.upsert, BypassDocumentValidation: w.bypass}
				if err := w.parse(s, &o.Hint, &o.Collation, &o.Let, &o.Comment, &o.ArrayFilters); err != nil {
					return nil, err
				}
				return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
					return updateResult(call(coll, ctx, filter, update, &o))
				}), nil
			}
		},
	}
}

// deleteCommand is delete-one or delete-many.
func deleteCommand(name, which, method string, call func(*motor.Collection, context.Context, any, *motor.DeleteOptions) (*mongo.DeleteResult, error)) *command {
	return &command{
		name: name, args: "COLLECTION FILTER", minArgs: 2, maxArgs: 2,
		summary: "Delete " + which + " that matches a filter, and print the count",
		motor:   "await collection." + method + "(filter)",
		example: "motor " + name + " orders '{\"qty\": 0}'",
		setup: func(fs *flag.FlagSet) action {
			var w writeFlags
			w.register(fs, false, false)
			return func(s *session, args []string) (op, error) {
				filter, err := s.doc("filter", args[1])
				if err != nil {
					return nil, err
				}
				var o motor.DeleteOptions
				if err := w.parse(s, &o.Hint, &o.Collation, &o.Let, &o.Comment, nil); err != nil {
					return nil, err
				}
				return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
					res, err := call(coll, ctx, filter, &o)
					if err != nil {
						return nil, err
					}
					return bson.D{{Key: "deletedCount", Value: small(res.DeletedCount)}}, nil
				}), nil
			}
		},
	}
}

// updateResult is what update-one, update-many and replace-one print.
func updateResult(res *mongo.UpdateResult, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	out := bson.D{{Key: "matchedCount", Value: small(res.MatchedCount)}, {Key: "modifiedCount", Value: small(res.ModifiedCount)}}
	if res.UpsertedID != nil {
		out = append(out, bson.E{Key: "upsertedId", Value: res.UpsertedID})
	}
	return out, nil
}

// orNull is what the commands that print one document print: the document, or null when nothing matched (Motor
// returns None).
func orNull(doc bson.Raw, err error) (any, error) {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return text("null"), nil
	}
	return doc, err
}

// small returns a count as an int32 when it fits, so that it prints as a plain number.
func small(n int64) any {
	if n == int64(int32(n)) {
		return int32(n)
	}
	return n
}
