package motor

// The internals that the external tests (package motor_test) reach. Only tests compile this file; the tests keep one
// set of helpers (helpers_test.go) instead of a copy per package.

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The pure command builders, table-tested without a server.
var (
	CommandCmd             = commandCmd
	Allowable              = allowable
	CreateCollectionCmd    = createCollectionCmd
	DropCollectionCmd      = dropCollectionCmd
	ListCollectionsCmd     = listCollectionsCmd
	ListCollectionNamesCmd = listCollectionNamesCmd
	OnlyName               = onlyName
	WriteConcernDoc        = writeConcernDoc
	EncodeDoc              = encodeDoc
	AddUserCmd             = addUserCmd
	RemoveUserCmd          = removeUserCmd
	EvalCmd                = evalCmd
	AuthCredential         = authCredential
	ScrubError             = scrubError
	ListDatabasesCmd       = listDatabasesCmd
	ListDatabaseNamesCmd   = listDatabaseNamesCmd
	DropDatabaseCmd        = dropDatabaseCmd
	URIDatabase            = uriDatabase
	FsyncCmd               = fsyncCmd
	CreateIndexesCmd       = createIndexesCmd
	DropIndexesCmd         = dropIndexesCmd
	RenameCmd              = renameCmd
	MapReduceCmd           = mapReduceCmd
)

// The codec's questions to the BSON walker and its UTF-8 repair.
var (
	FixUTF8        = fixUTF8
	HasInvalidUTF8 = hasInvalidUTF8
	HasUUIDBinary  = hasUUIDBinary
	ErrMalformed   = errMalformed
)

// The builders of the collection reads (aggregate.go, reads.go).
var (
	AggregateCmd = aggregateCmd
	DistinctCmd  = distinctCmd
	CountCmd     = countCmd
)

// The projection of the FindOneAnd methods (findandmodify.go).
var ProjectionDoc = projectionDoc

// DefaultRegistry is the registry of the zero CodecOptions, which the builders take to encode values.
var DefaultRegistry = defaultCodec.reg

// Exec sends cmd through db's executor as the operation op, with db's settings.
func Exec(ctx context.Context, db *Database, op string, cmd any) (bson.Raw, error) {
	return db.exec(ctx, call{op: op}, cmd)
}

// DecodeDoc decodes raw into v as a command cursor of db does: with db's codec options and outgoing SON
// manipulators, for the "$cmd" collection.
func DecodeDoc(db *Database, raw bson.Raw, v any) error {
	return db.decodeFrom(nil, db.set.codec, raw, v)
}

// SizeBound is the upper bound that the size check puts on a document's encoded size.
func SizeBound(v any) int { return bound(v, 0) }

// WatchArgs is the change stream builder with the zero codec options, the driver's options resolved.
func WatchArgs(pipeline any, o *WatchOptions, cluster bool) ([]bson.Raw, *options.ChangeStreamOptions, error) {
	stages, b, err := watchArgs(defaultCodec.reg, pipeline, o, cluster)
	if err != nil {
		return nil, nil, err
	}
	resolved := &options.ChangeStreamOptions{}
	for _, set := range b.List() {
		if err := set(resolved); err != nil {
			return nil, nil, err
		}
	}
	return stages, resolved, nil
}
