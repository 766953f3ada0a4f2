package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"golang.org/x/term"

	"github.com/gomotor/motor"
)

// commands returns every subcommand, in the order "motor help" lists them: the database's operations in the order
// of Motor's documentation, then the collection operations, then the server's.
func commands() []*command {
	all := []*command{
		{
			name: "command", args: "NAME|DOCUMENT", minArgs: 1, maxArgs: 1,
			summary: "Run a database command and print the reply",
			motor:   "await db.command(command)",
			example: "motor command buildInfo\nmotor command '{\"count\": \"orders\", \"query\": {\"qty\": {\"$gte\": 2}}}'",
			setup: func(fs *flag.FlagSet) action {
				return func(s *session, args []string) (op, error) {
					var cmd any = args[0]
					if t := strings.TrimSpace(args[0]); strings.HasPrefix(t, "{") || t == "-" {
						d, err := s.doc("command", args[0])
						if err != nil {
							return nil, err
						}
						cmd = d
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						return db.Command(ctx, cmd, nil)
					}, nil
				}
			},
		},
		{
			name: "create-collection", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "Create a collection, capped if asked",
			motor:   "await db.create_collection(name, capped=..., size=..., max=...)",
			example: "motor create-collection logs --capped --size 1048576 --max 1000",
			setup: func(fs *flag.FlagSet) action {
				var o motor.CreateCollectionOptions
				fs.BoolVar(&o.Capped, "capped", false, "make a capped collection (needs --size)")
				fs.Int64Var(&o.Size, "size", 0, "maximum size of a capped collection in `bytes`")
				fs.Int64Var(&o.Max, "max", 0, "maximum number of documents of a capped collection")
				validator := fs.String("validator", "", "validation `document`, e.g. '{\"$jsonSchema\": {...}}'")
				return func(s *session, args []string) (op, error) {
					if err := s.optionalDoc("validator", *validator, &o.Validator); err != nil {
						return nil, err
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						coll, err := db.CreateCollection(ctx, args[0], &o)
						if err != nil {
							return nil, err
						}
						return bson.D{{Key: "created", Value: coll.FullName()}}, nil
					}, nil
				}
			},
		},
		{
			name: "drop-collection", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "Drop a collection and print the server's reply",
			motor:   "await db.drop_collection(name)",
			example: "motor drop-collection logs",
			setup: withoutFlags(func(ctx context.Context, db *motor.Database, args []string) (any, error) {
				return db.DropCollection(ctx, args[0], nil)
			}),
		},
		{
			name: "list-collections", maxArgs: 0,
			summary: "Print the listCollections document of each collection",
			motor:   "await db.list_collections(filter=...).to_list(None)",
			example: "motor list-collections --filter '{\"type\": \"collection\"}'",
			setup: func(fs *flag.FlagSet) action {
				filter := fs.String("filter", "", "only the collections whose listCollections document matches this `document`")
				var o motor.ListCollectionsOptions
				fs.BoolVar(&o.NameOnly, "name-only", false, "ask for {name, type} only")
				return func(s *session, args []string) (op, error) {
					if err := s.optionalDoc("filter", *filter, &o.Filter); err != nil {
						return nil, err
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						return db.ListCollections(ctx, &o)
					}, nil
				}
			},
		},
		{
			name: "list-collection-names", maxArgs: 0,
			summary: "Print the name of each collection, one per line",
			motor:   "await db.list_collection_names(filter=...)",
			example: "motor list-collection-names --filter '{\"name\": {\"$regex\": \"^log\"}}'",
			setup: func(fs *flag.FlagSet) action {
				filter := fs.String("filter", "", "only the collections whose listCollections document matches this `document`")
				return func(s *session, args []string) (op, error) {
					var o motor.ListCollectionNamesOptions
					if err := s.optionalDoc("filter", *filter, &o.Filter); err != nil {
						return nil, err
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						return db.ListCollectionNames(ctx, &o)
					}, nil
				}
			},
		},
		{
			name: "validate-collection", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "Validate a collection and print the server's reply; exit 1 if it is invalid",
			motor:   "await db.validate_collection(name, scandata=..., full=...)",
			example: "motor validate-collection orders --full",
			setup: func(fs *flag.FlagSet) action {
				var o motor.ValidateCollectionOptions
				fs.BoolVar(&o.Scandata, "scandata", false, "scan the data too (servers before MongoDB 3.4)")
				fs.BoolVar(&o.Full, "full", false, "a full, slower validation")
				return func(s *session, args []string) (op, error) {
					return func(ctx context.Context, db *motor.Database) (any, error) {
						res, err := db.ValidateCollection(ctx, args[0], &o)
						if res == nil || res.Raw == nil {
							return nil, err
						}
						return res.Raw, err // the reply, also when it says the collection is invalid
					}, nil
				}
			},
		},
		{
			name: "profiling-level", maxArgs: 0,
			summary: "Print the database's profiling level: 0 (off), 1 (slow operations) or 2 (all)",
			motor:   "await db.profiling_level()",
			example: "motor profiling-level --uri mongodb://localhost:27017/",
			setup: withoutFlags(func(ctx context.Context, db *motor.Database, args []string) (any, error) {
				level, err := db.ProfilingLevel(ctx)
				return text(strconv.Itoa(int(level))), err
			}),
		},
		{
			name: "set-profiling-level", args: "LEVEL", minArgs: 1, maxArgs: 1,
			summary: "Set the profiling level: off (0), slow (1) or all (2)",
			motor:   "await db.set_profiling_level(level, slow_ms=...)",
			example: "motor set-profiling-level slow --slow-ms 50 --uri mongodb://localhost:27017/",
			setup: func(fs *flag.FlagSet) action {
				slowMS := fs.Int("slow-ms", -1, "operations slower than this many `milliseconds` are slow (default: the server's)")
				sample := fs.Float64("sample-rate", -1, "profile this `fraction` of the slow operations, 0 to 1 (default: the server's)")
				return func(s *session, args []string) (op, error) {
					level, err := parseLevel(args[0])
					if err != nil {
						return nil, err
					}
					if *sample > 1 {
						return nil, usageErrorf("--sample-rate must be between 0 and 1, not %v", *sample)
					}
					var o motor.SetProfilingLevelOptions
					if *slowMS >= 0 {
						o.SlowMS = slowMS
					}
					if *sample >= 0 {
						o.SampleRate = sample
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						return nil, db.SetProfilingLevel(ctx, level, &o)
					}, nil
				}
			},
		},
		{
			name: "profiling-info", maxArgs: 0,
			summary: "Print the profiler's entries (system.profile)",
			motor:   "await db.profiling_info()",
			example: "motor profiling-info --uri mongodb://localhost:27017/",
			setup: withoutFlags(func(ctx context.Context, db *motor.Database, args []string) (any, error) {
				entries, err := db.ProfilingInfo(ctx)
				docs := make([]bson.Raw, len(entries))
				for i, e := range entries {
					docs[i] = e.Raw
				}
				return docs, err
			}),
		},
		{
			name: "current-op", maxArgs: 0,
			summary: "Print the operations running on the server (deprecated in Motor)",
			motor:   "await db.current_op(include_all=...)",
			example: "motor current-op --all",
			setup: func(fs *flag.FlagSet) action {
				var o motor.CurrentOpOptions
				fs.BoolVar(&o.IncludeAll, "all", false, "include idle connections and system operations")
				return func(s *session, args []string) (op, error) {
					return func(ctx context.Context, db *motor.Database) (any, error) {
						res, err := db.CurrentOp(ctx, &o)
						if err != nil {
							return nil, err
						}
						return res.Raw, nil
					}, nil
				}
			},
		},
		{
			name: "dereference", args: "DBREF", minArgs: 1, maxArgs: 1,
			summary: "Print the document a DBRef points to, or null",
			motor:   "await db.dereference(DBRef(collection, id))",
			example: "motor dereference '{\"$ref\": \"orders\", \"$id\": {\"$oid\": \"6650f1c2a1b2c3d4e5f60718\"}}'",
			setup: func(fs *flag.FlagSet) action {
				return func(s *session, args []string) (op, error) {
					d, err := s.doc("DBRef", args[0])
					if err != nil {
						return nil, err
					}
					raw, err := bson.Marshal(d)
					if err != nil {
						return nil, err
					}
					var ref motor.DBRef
					if err := ref.UnmarshalBSON(raw); err != nil {
						return nil, usageErrorf("%s", strings.TrimPrefix(err.Error(), "motor: "))
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						res := db.Dereference(ctx, ref, nil)
						if ref.Database != "" {
							res = db.Client().Dereference(ctx, ref, nil)
						}
						doc, err := res.Raw()
						if errors.Is(err, mongo.ErrNoDocuments) {
							return text("null"), nil // Motor returns None
						}
						return doc, err
					}, nil
				}
			},
		},
		{
			name: "add-user", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "Create a user, or change its password (deprecated in Motor)",
			motor:   "await db.add_user(name, password, read_only=...)",
			example: "echo \"$PASSWORD\" | motor add-user alice --read-only --uri mongodb://admin@localhost:27017/",
			setup: func(fs *flag.FlagSet) action {
				var o motor.AddUserOptions
				fs.BoolVar(&o.ReadOnly, "read-only", false, "give the user the read role")
				roles := fs.String("roles", "", "roles `array`, e.g. '[\"readWrite\"]' (FerretDB accepts only [])")
				return func(s *session, args []string) (op, error) {
					if *roles != "" {
						r, err := s.rolesArray(*roles)
						if err != nil {
							return nil, err
						}
						o.Extra = bson.D{{Key: "roles", Value: r}}
					}
					password, err := s.password()
					if err != nil {
						return nil, err
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						return nil, db.AddUser(ctx, args[0], password, &o)
					}, nil
				}
			},
		},
		{
			name: "remove-user", args: "NAME", minArgs: 1, maxArgs: 1,
			summary: "Remove a user (deprecated in Motor)",
			motor:   "await db.remove_user(name)",
			example: "motor remove-user alice --uri mongodb://admin@localhost:27017/",
			setup: withoutFlags(func(ctx context.Context, db *motor.Database, args []string) (any, error) {
				return nil, db.RemoveUser(ctx, args[0])
			}),
		},
		{
			name: "eval", args: "CODE [ARG...]", minArgs: 1, maxArgs: -1,
			summary: "Evaluate JavaScript on the server and print its result (removed in MongoDB 4.2)",
			motor:   "await db.eval(code, *args)",
			example: "motor eval 'function (x) { return x * 2; }' 21 --uri mongodb://old-server:27017/",
			setup: func(fs *flag.FlagSet) action {
				return func(s *session, args []string) (op, error) {
					var evalArgs []any
					for i, a := range args[1:] {
						v, err := parseArg(fmt.Sprintf("argument %d", i+1), a)
						if err != nil {
							return nil, err
						}
						evalArgs = append(evalArgs, v)
					}
					return func(ctx context.Context, db *motor.Database) (any, error) {
						return db.Eval(ctx, args[0], evalArgs...)
					}, nil
				}
			},
		},
		{
			name: "insert", args: "COLLECTION DOCUMENTS|-", minArgs: 2, maxArgs: 2,
			summary: "Insert a document, an array of documents or one document per line, and print the _ids",
			motor:   "await collection.insert_one(document) / insert_many(documents)",
			example: "motor insert orders '{\"item\": \"tea\", \"qty\": 2}'\nmotor find orders | motor insert backup -",
			setup: func(fs *flag.FlagSet) action {
				ordered := fs.Bool("ordered", true, "insert in order and stop at the first error; --ordered=false goes on")
				bypass := fs.Bool("bypass-document-validation", false, "skip the collection's validation rules")
				comment := commentFlag(fs)
				return func(s *session, args []string) (op, error) {
					ds, one, err := s.documents("documents", args[1])
					if err != nil {
						return nil, err
					}
					if len(ds) == 0 {
						return nil, usageErrorf("no documents to insert")
					}
					docs := make([]any, len(ds))
					for i, d := range ds {
						docs[i] = d
					}
					oneOpts := motor.InsertOneOptions{BypassDocumentValidation: *bypass}
					manyOpts := motor.InsertManyOptions{BypassDocumentValidation: *bypass}
					setComment(&oneOpts.Comment, *comment)
					setComment(&manyOpts.Comment, *comment)
					if !*ordered {
						manyOpts.Ordered = ordered
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						if one {
							res, err := coll.InsertOne(ctx, docs[0], &oneOpts)
							if err != nil {
								return nil, err
							}
							return bson.D{{Key: "insertedId", Value: res.InsertedID}}, nil
						}
						res, err := coll.InsertMany(ctx, docs, &manyOpts)
						if err != nil {
							return nil, err
						}
						return bson.D{{Key: "insertedIds", Value: res.InsertedIDs}}, nil
					}), nil
				}
			},
		},
		{
			name: "find", args: "COLLECTION [FILTER]", minArgs: 1, maxArgs: 2,
			summary: "Print the documents that match a filter",
			motor:   "await collection.find(filter, projection, sort=..., limit=..., skip=...).to_list(None)",
			example: "motor find orders '{\"qty\": {\"$gte\": 2}}' --sort '{\"item\": 1}' --limit 10",
			setup: func(fs *flag.FlagSet) action {
				var q queryFlags
				q.register(fs, true, true)
				return func(s *session, args []string) (op, error) {
					filter, err := s.optionalFilter(args, 1)
					if err != nil {
						return nil, err
					}
					var o motor.FindOptions
					if err := q.parse(s, &o.Projection, &o.Sort, &o.Skip, &o.Limit, &o.Hint, &o.MaxTime, &o.Collation, &o.Comment); err != nil {
						return nil, err
					}
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return coll.Find(ctx, filter, &o)
					}), nil
				}
			},
		},
		{
			name: "aggregate", args: "COLLECTION PIPELINE", minArgs: 2, maxArgs: 2,
			summary: "Run an aggregation pipeline and print its results",
			motor:   "await collection.aggregate(pipeline).to_list(None)",
			example: "motor aggregate orders '[{\"$group\": {\"_id\": \"$item\", \"total\": {\"$sum\": \"$qty\"}}}]'",
			setup: func(fs *flag.FlagSet) action {
				var q queryFlags
				fs.StringVar(&q.hint, "hint", "", "the index to use: its `name` or its keys document, e.g. '{\"qty\": 1}'")
				q.registerCommon(fs)
				let := fs.String("let", "", "variables `document` that the pipeline reads as $$name")
				allowDiskUse := fs.Bool("allow-disk-use", false, "let the stages that need much memory write temporary files")
				batchSize := fs.Int("batch-size", 0, "`n` documents in each batch (0: the server's default)")
				return func(s *session, args []string) (op, error) {
					src, err := s.jsonInput("pipeline", args[1])
					if err != nil {
						return nil, err
					}
					pipeline, err := parseArray("pipeline", src)
					if err != nil {
						return nil, err
					}
					var o motor.AggregateOptions
					if err := q.parse(s, nil, nil, nil, nil, &o.Hint, &o.MaxTime, &o.Collation, &o.Comment); err != nil {
						return nil, err
					}
					if err := s.optionalDoc("let", *let, &o.Let); err != nil {
						return nil, err
					}
					if *allowDiskUse {
						o.AllowDiskUse = allowDiskUse
					}
					if *batchSize < 0 || *batchSize > math.MaxInt32 {
						return nil, usageErrorf("--batch-size must be between 0 and %d", math.MaxInt32)
					}
					o.BatchSize = int32(*batchSize)
					return onCollection(args[0], func(ctx context.Context, coll *motor.Collection) (any, error) {
						return coll.Aggregate(ctx, pipeline, &o)
					}), nil
				}
			},
		},
		{
			name: "list-databases", maxArgs: 0,
			summary: "Print each database of the server: name, size on disk, whether empty",
			motor:   "await client.list_databases() / list_database_names()",
			example: "motor list-databases --name-only",
			setup: func(fs *flag.FlagSet) action {
				nameOnly := fs.Bool("name-only", false, "print the names only, one per line")
				return func(s *session, args []string) (op, error) {
					return func(ctx context.Context, db *motor.Database) (any, error) {
						if *nameOnly {
							return db.Client().ListDatabaseNames(ctx, nil)
						}
						return db.Client().ListDatabases(ctx, nil)
					}, nil
				}
			},
		},
		filesCommand(),
		serveCommand(),
		stopCommand(),
		versionCommand(),
	}
	// The collection's other operations follow find.
	find := slices.IndexFunc(all, func(c *command) bool { return c.name == "find" })
	return slices.Insert(all, find+1, crudCommands()...)
}

// withoutFlags is the setup of a subcommand without flags of its own whose arguments need no checking.
func withoutFlags(f func(ctx context.Context, db *motor.Database, args []string) (any, error)) func(*flag.FlagSet) action {
	return func(*flag.FlagSet) action {
		return func(_ *session, args []string) (op, error) {
			return func(ctx context.Context, db *motor.Database) (any, error) { return f(ctx, db, args) }, nil
		}
	}
}

// onCollection returns an op on the collection name of the database; a bad name fails before any I/O.
func onCollection(name string, f func(ctx context.Context, coll *motor.Collection) (any, error)) op {
	return func(ctx context.Context, db *motor.Database) (any, error) {
		coll := db.Collection(name)
		if err := coll.Err(); err != nil {
			return nil, err
		}
		return f(ctx, coll)
	}
}

// parseLevel parses a profiling level: 0, 1, 2, off, slow or all.
func parseLevel(s string) (motor.ProfilingLevel, error) {
	switch strings.ToLower(s) {
	case "0", "off":
		return motor.ProfilingOff, nil
	case "1", "slow", "slow-only", "slowonly":
		return motor.ProfilingSlowOnly, nil
	case "2", "all":
		return motor.ProfilingAll, nil
	}
	return 0, usageErrorf("the profiling level must be off (0), slow (1) or all (2), not %q", s)
}

// parseArg parses an eval argument: any Extended JSON value (a document, an array, a string in quotes, a number,
// true, false or null).
func parseArg(what, src string) (any, error) {
	var d bson.D
	err := bson.UnmarshalExtJSON([]byte(`{"v":`+src+`}`), false, &d)
	if err != nil || len(d) != 1 {
		if _, jerr := parseDocs(what, []byte(src)); jerr != nil && strings.HasPrefix(strings.TrimSpace(src), "{") {
			return nil, jerr
		}
		return nil, usageErrorf("the %s must be an Extended JSON value (a string needs quotes: '\"text\"'), not %s", what, src)
	}
	return d[0].Value, nil
}

// rolesArray parses --roles: an Extended JSON array.
func (s *session) rolesArray(src string) (bson.A, error) {
	v, err := parseArg("roles", src)
	if err != nil {
		return nil, err
	}
	a, ok := v.(bson.A)
	if !ok {
		return nil, usageErrorf("--roles must be a JSON array, such as '[\"read\"]'")
	}
	return a, nil
}

// password reads add-user's password: from the terminal without echo, or the first line of stdin.
func (s *session) password() (string, error) {
	if f, ok := s.in.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(s.err, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.err)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(s.in).ReadString('\n')
	if err != nil && line == "" {
		return "", usageErrorf("give the password on stdin (echo \"$PASSWORD\" | motor add-user NAME)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
