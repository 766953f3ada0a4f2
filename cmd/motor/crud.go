package main

// The Collection's operations beyond insert, find and aggregate: each subcommand is a thin layer over one library
// call, its flags the fields of the call's options struct in kebab case (Sort is --sort, ReturnDocument is
// --return-document, MaxTime is --max-time).

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

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

// queryFlags are the flags of the reads: find-one, count and distinct take the ones that their options have.
type queryFlags struct {
	projection, sort, hint, collation, comment string
	skip, limit                                int64
	maxTime                                    time.Duration
}

// register adds the flags of a read of documents: --projection and --sort with project (find, find-one), --skip,
// --limit with limit (find, count), --hint, and the common ones.
func (q *queryFlags) register(fs *flag.FlagSet, project, limit bool) {
	if project {
		fs.StringVar(&q.projection, "projection", "", "projection `document`, e.g. '{\"_id\": 0}'")
		fs.StringVar(&q.sort, "sort", "", "sort `document`, e.g. '{\"qty\": -1}'")
	}
	fs.Int64Var(&q.skip, "skip", 0, "skip the first `n` documents")
	if limit {
		fs.Int64Var(&q.limit, "limit", 0, "at most `n` documents (0: all)")
	}
	fs.StringVar(&q.hint, "hint", "", "the index to use: its `name` or its keys document, e.g. '{\"qty\": 1}'")
	q.registerCommon(fs)
}

// registerCommon adds --max-time, --collation and --comment.
func (q *queryFlags) registerCommon(fs *flag.FlagSet) {
	maxTimeFlag(fs, &q.maxTime, "query")
	fs.StringVar(&q.collation, "collation", "", "collation `document` of the string comparisons, e.g. '{\"locale\": \"en\", \"strength\": 2}'")
	commentFlagVar(fs, &q.comment)
}

// parse sets the options that the read has (a nil pointer: it has not).
func (q *queryFlags) parse(s *session, projection *any, sort *bson.D, skip, limit *int64, hint *any, maxTime *time.Duration, collation **options.Collation, comment *any) error {
	if q.skip < 0 || q.limit < 0 {
		return usageErrorf("--skip and --limit must not be negative")
	}
	if projection != nil {
		if err := s.optionalDoc("projection", q.projection, projection); err != nil {
			return err
		}
	}
	if sort != nil {
		if err := s.optionalSort(q.sort, sort); err != nil {
			return err
		}
	}
	if skip != nil {
		*skip = q.skip
	}
	if limit != nil {
		*limit = q.limit
	}
	if hint != nil {
		h, err := s.hint(q.hint)
		if err != nil {
			return err
		}
		*hint = h
	}
	*maxTime = q.maxTime
	c, err := s.collation(q.collation)
	if err != nil {
		return err
	}
	*collation = c
	setComment(comment, q.comment)
	return nil
}

// writeFlags are the flags of the writes.
type writeFlags struct {
	upsert, bypass                             bool
	hint, collation, let, comment, arrayFilter string
}

// register adds the flags of a write: --upsert and --bypass-document-validation with upsert (updates and
// replacements), --array-filters with arrays (updates), and --hint, --collation, --let and --comment.
func (w *writeFlags) register(fs *flag.FlagSet, upsert, arrays bool) {
	if upsert {
		fs.BoolVar(&w.upsert, "upsert", false, "insert a document made from the filter and the update when nothing matches")
		fs.BoolVar(&w.bypass, "bypass-document-validation", false, "skip the collection's validation rules")
	}
	if arrays {
		fs.StringVar(&w.arrayFilter, "array-filters", "", "`array` of filters for the $[identifier] array elements, e.g. '[{\"x.qty\": {\"$lt\": 1}}]'")
	}
	fs.StringVar(&w.hint, "hint", "", "the index to use: its `name` or its keys document, e.g. '{\"qty\": 1}'")
	fs.StringVar(&w.collation, "collation", "", "collation `document` of the filter's string comparisons, e.g. '{\"locale\": \"en\"}'")
	fs.StringVar(&w.let, "let", "", "variables `document` that the filter reads as $$name with $expr")
	commentFlagVar(fs, &w.comment)
}

// parse sets the options of a write (arrayFilters nil: it has none).
func (w *writeFlags) parse(s *session, hint *any, collation **options.Collation, let *any, comment *any, arrayFilters *[]any) error {
	h, err := s.hint(w.hint)
	if err != nil {
		return err
	}
	*hint = h
	if *collation, err = s.collation(w.collation); err != nil {
		return err
	}
	if err := s.optionalDoc("let", w.let, let); err != nil {
		return err
	}
	setComment(comment, w.comment)
	if arrayFilters != nil && w.arrayFilter != "" {
		src, err := s.jsonInput("array filters", w.arrayFilter)
		if err != nil {
			return err
		}
		a, err := parseArray("array filters", src)
		if err != nil {
			return err
		}
		*arrayFilters = a
	}
	return nil
}

// famFlags are the flags of the find-one-and commands.
type famFlags struct {
	w          writeFlags
	projection string
	sort       string
	returnDoc  string
	maxTime    time.Duration
}

// register adds the flags of a find-one-and command: upsert for update and replace, arrays for update.
func (f *famFlags) register(fs *flag.FlagSet, upsert, arrays bool) {
	fs.StringVar(&f.projection, "projection", "", "projection `document` of the printed document, e.g. '{\"_id\": 0}'")
	fs.StringVar(&f.sort, "sort", "", "sort `document` that picks the document when several match, e.g. '{\"qty\": -1}'")
	if upsert {
		fs.StringVar(&f.returnDoc, "return-document", "before", "print the document `before` the change or after it")
	}
	maxTimeFlag(fs, &f.maxTime, "command")
	f.w.register(fs, upsert, arrays)
}

// parse sets the options of a find-one-and command (returnDoc and arrayFilters nil: it has none).
func (f *famFlags) parse(s *session, o *motor.FindOneAndOptions, returnDoc *motor.ReturnDocument, arrayFilters *[]any) error {
	if err := s.optionalDoc("projection", f.projection, &o.Projection); err != nil {
		return err
	}
	if err := s.optionalSort(f.sort, &o.Sort); err != nil {
		return err
	}
	if returnDoc != nil {
		switch strings.ToLower(f.returnDoc) {
		case "before":
			*returnDoc = motor.ReturnDocumentBefore
		case "after":
			*returnDoc = motor.ReturnDocumentAfter
		default:
			return usageErrorf("--return-document must be before or after, not %q", f.returnDoc)
		}
	}
	o.MaxTime = f.maxTime
	return f.w.parse(s, &o.Hint, &o.Collation, &o.Let, &o.Comment, arrayFilters)
}

// optionalFilter parses the filter argument at index i of args, if there is one: {} otherwise.
func (s *session) optionalFilter(args []string, i int) (bson.D, error) {
	if len(args) <= i {
		return bson.D{}, nil
	}
	return s.doc("filter", args[i])
}

// documents reads a DOCUMENTS or MODELS argument named what (JSON, or - for standard input: one document, an array of
// documents or one per line): the documents in order, and whether it was one lone document.
func (s *session) documents(what, arg string) (docs []bson.D, one bool, err error) {
	src, err := s.jsonInput(what, arg)
	if err != nil {
		return nil, false, err
	}
	values, err := parseDocs(what, src)
	if err != nil {
		return nil, false, err
	}
	for _, v := range values {
		if v.array {
			docs = append(docs, v.items...)
		} else {
			docs = append(docs, v.doc)
		}
	}
	return docs, len(values) == 1 && !values[0].array, nil
}

// filterAnd parses the FILTER argument args[1] and, with second (s.update or s.replacement), the UPDATE or
// REPLACEMENT argument args[2]: the arguments of the updates and replacements.
func (s *session) filterAnd(args []string, second func(arg string) (any, error)) (filter bson.D, doc any, err error) {
	if filter, err = s.doc("filter", args[1]); err != nil {
		return nil, nil, err
	}
	if doc, err = second(args[2]); err != nil {
		return nil, nil, err
	}
	return filter, doc, nil
}

// replacement parses a replacement argument: one document.
func (s *session) replacement(arg string) (any, error) {
	return s.doc("replacement", arg)
}

// optionalSort parses --sort into dst, if it is set.
func (s *session) optionalSort(arg string, dst *bson.D) error {
	if arg == "" {
		return nil
	}
	d, err := s.doc("sort", arg)
	if err != nil {
		return err
	}
	*dst = d
	return nil
}

// commentHelp is the help text of every --comment.
const commentHelp = "a `comment` for the server's logs and profiler"

// commentFlag adds --comment.
func commentFlag(fs *flag.FlagSet) *string {
	return fs.String("comment", "", commentHelp)
}

// commentFlagVar adds --comment, stored in p.
func commentFlagVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "comment", "", commentHelp)
}

// setComment sets an options' Comment to --comment's value, if it is set (Comment stays nil otherwise).
func setComment(dst *any, comment string) {
	if comment != "" {
		*dst = comment
	}
}

// maxTimeFlag adds --max-time, stored in p; what is what it bounds: "query" or "command".
func maxTimeFlag(fs *flag.FlagSet, p *time.Duration, what string) {
	fs.DurationVar(p, "max-time", 0, "bound the server's time on the "+what+" (maxTimeMS), e.g. 2s")
}

// update parses an update argument: a document of update operators, or an aggregation pipeline (an array).
func (s *session) update(arg string) (any, error) {
	src, err := s.jsonInput("update", arg)
	if err != nil {
		return nil, err
	}
	values, err := parseDocs("update", src)
	if err != nil {
		return nil, err
	}
	if len(values) != 1 {
		return nil, usageErrorf("the update must be one JSON document or one pipeline array, not %s", describe(values))
	}
	if values[0].array {
		a := make(bson.A, len(values[0].items))
		for i, d := range values[0].items {
			a[i] = d
		}
		return a, nil
	}
	return values[0].doc, nil
}

// hint parses --hint: an index name, or its keys as a JSON document.
func (s *session) hint(arg string) (any, error) {
	if arg == "" {
		return nil, nil
	}
	if t := strings.TrimSpace(arg); strings.HasPrefix(t, "{") || t == "-" {
		return s.doc("hint", arg)
	}
	return arg, nil
}

// collation parses --collation: a JSON document with the fields of a collation ({locale, caseLevel, caseFirst,
// strength, numericOrdering, alternate, maxVariable, normalization, backwards}).
func (s *session) collation(arg string) (*options.Collation, error) {
	if arg == "" {
		return nil, nil
	}
	d, err := s.doc("collation", arg)
	if err != nil {
		return nil, err
	}
	return parseCollation("--collation", d)
}

// parseCollation reads a collation document; what names it in errors.
func parseCollation(what string, d bson.D) (*options.Collation, error) {
	var c struct {
		Locale          string `bson:"locale"`
		CaseLevel       bool   `bson:"caseLevel"`
		CaseFirst       string `bson:"caseFirst"`
		Strength        int    `bson:"strength"`
		NumericOrdering bool   `bson:"numericOrdering"`
		Alternate       string `bson:"alternate"`
		MaxVariable     string `bson:"maxVariable"`
		Normalization   bool   `bson:"normalization"`
		Backwards       bool   `bson:"backwards"`
	}
	known := []string{"locale", "caseLevel", "caseFirst", "strength", "numericOrdering", "alternate", "maxVariable", "normalization", "backwards"}
	for _, e := range d {
		if !slices.Contains(known, e.Key) {
			return nil, usageErrorf("%s has no field %q (it has %s)", what, e.Key, strings.Join(known, ", "))
		}
	}
	raw, err := bson.Marshal(d)
	if err == nil {
		err = bson.Unmarshal(raw, &c)
	}
	if err != nil {
		return nil, usageErrorf("bad %s: %v", what, err)
	}
	if c.Locale == "" {
		return nil, usageErrorf("%s needs a locale, e.g. {\"locale\": \"en\"}", what)
	}
	o := options.Collation(c)
	return &o, nil
}

// writeModel reads one bulk-write model: {insertOne: {document}}, {updateOne: {filter, update, upsert,
// arrayFilters, collation, hint}}, {updateMany: ...}, {replaceOne: {filter, replacement, upsert, collation, hint}},
// {deleteOne: {filter, collation, hint}} or {deleteMany: ...}, the names of the MongoDB shell and drivers.
func writeModel(d bson.D) (motor.WriteModel, error) {
	kinds := "insertOne, updateOne, updateMany, replaceOne, deleteOne or deleteMany"
	if len(d) != 1 {
		return nil, fmt.Errorf("a model is a document with one key, %s, not %d keys", kinds, len(d))
	}
	body, ok := d[0].Value.(bson.D)
	if !ok {
		return nil, fmt.Errorf("%s must be a document", d[0].Key)
	}
	f := map[string]any{}
	for _, e := range body {
		f[e.Key] = e.Value
	}
	allowed := map[string][]string{
		"insertOne":  {"document"},
		"updateOne":  {"filter", "update", "upsert", "arrayFilters", "collation", "hint"},
		"updateMany": {"filter", "update", "upsert", "arrayFilters", "collation", "hint"},
		"replaceOne": {"filter", "replacement", "upsert", "collation", "hint"},
		"deleteOne":  {"filter", "collation", "hint"},
		"deleteMany": {"filter", "collation", "hint"},
	}
	fields, ok := allowed[d[0].Key]
	if !ok {
		return nil, fmt.Errorf("unknown model %q: the models are %s", d[0].Key, kinds)
	}
	for k := range f {
		if !slices.Contains(fields, k) {
			return nil, fmt.Errorf("%s has no field %q (it has %s)", d[0].Key, k, strings.Join(fields, ", "))
		}
	}
	need := fields[:1]
	if d[0].Key != "insertOne" && d[0].Key != "deleteOne" && d[0].Key != "deleteMany" {
		need = fields[:2]
	}
	for _, k := range need {
		if _, ok := f[k]; !ok {
			return nil, fmt.Errorf("%s needs %s", d[0].Key, strings.Join(need, " and "))
		}
	}
	upsert, ok := f["upsert"].(bool)
	if _, set := f["upsert"]; set && !ok {
		return nil, fmt.Errorf("%s.upsert must be true or false", d[0].Key)
	}
	var collation *options.Collation
	if c, set := f["collation"]; set {
		cd, ok := c.(bson.D)
		if !ok {
			return nil, fmt.Errorf("%s.collation must be a document", d[0].Key)
		}
		var err error
		if collation, err = parseCollation("the collation of "+d[0].Key, cd); err != nil {
			return nil, err
		}
	}
	var arrayFilters []any
	if a, set := f["arrayFilters"]; set {
		arr, ok := a.(bson.A)
		if !ok {
			return nil, fmt.Errorf("%s.arrayFilters must be an array", d[0].Key)
		}
		arrayFilters = arr
	}
	hint := f["hint"]
	switch d[0].Key {
	case "insertOne":
		return motor.InsertOne{Document: f["document"]}, nil
	case "updateOne":
		return motor.UpdateOne{Filter: f["filter"], Update: f["update"], Upsert: upsert, Collation: collation, ArrayFilters: arrayFilters, Hint: hint}, nil
	case "updateMany":
		return motor.UpdateMany{Filter: f["filter"], Update: f["update"], Upsert: upsert, Collation: collation, ArrayFilters: arrayFilters, Hint: hint}, nil
	case "replaceOne":
		return motor.ReplaceOne{Filter: f["filter"], Replacement: f["replacement"], Upsert: upsert, Collation: collation, Hint: hint}, nil
	case "deleteOne":
		return motor.DeleteOne{Filter: f["filter"], Collation: collation, Hint: hint}, nil
	}
	return motor.DeleteMany{Filter: f["filter"], Collation: collation, Hint: hint}, nil
}
