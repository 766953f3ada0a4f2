package motor

import (
	"context"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/internal/bsonutil"
)

// ValidateCollectionOptions are the options of [Database.ValidateCollection]: PyMongo's validate_collection keyword
// arguments, plus the validate fields of newer servers. A nil *ValidateCollectionOptions means the zero value, which
// sends {validate: NAME, scandata: false, full: false}, exactly what Motor sends by default.
type ValidateCollectionOptions struct {
	// Scandata is PyMongo's scandata. It is always sent, false unless set, because Motor always sends it; current
	// servers accept it and do not document it.
	Scandata bool

	// Full is PyMongo's full: a thorough, slower validation of the data and the indexes. It is always sent, false
	// unless set.
	Full bool

	// Background validates without blocking writes (validate's background; MongoDB 4.4+, not with Full). nil leaves
	// it out.
	Background *bool

	// Repair repairs the collection while validating (validate's repair; MongoDB 5.0+, standalone only). nil leaves
	// it out.
	Repair *bool

	// Metadata checks only the collection's metadata (validate's metadata; MongoDB 5.0+). nil leaves it out.
	Metadata *bool

	// CheckBSONConformance checks that every document is fully BSON conformant (validate's checkBSONConformance;
	// MongoDB 6.2+). nil leaves it out.
	CheckBSONConformance *bool

	// Extra fields are appended to the command in order, after the fields above: PyMongo's **kwargs. A key that one
	// of the fields above (or "validate") already sends, or a key that appears twice, is an [ErrInvalidOption] error.
	Extra bson.D
}

// ValidationResult is the reply of the validate command, as [Database.ValidateCollection] reads it. Counts and
// lists the server leaves out are zero or nil; everything else the reply holds (indexDetails, extraIndexEntries,
// missingIndexEntries, corruptRecords, uuid, ...) is in Raw.
type ValidationResult struct {
	// Namespace is the reply's ns: "database.collection".
	Namespace string

	// Valid is the verdict, reached the way PyMongo reaches it: the reply's valid field, judged by Python's
	// truthiness (so valid: 1 counts, and a missing or null valid does not); for a reply of MongoDB
	// before 1.9 (with a Result text), whether the text mentions neither "exception" nor "corrupt"; for a sharded
	// reply (with Shards), whether every shard is valid. [Database.ValidateCollection] returns an error whenever
	// Valid is false, so a result it returns with a nil error always has Valid set.
	Valid bool

	// Repaired is the reply's repaired: whether validate with Repair changed anything.
	Repaired bool

	// Errors and Warnings are the reply's errors and warnings, in order.
	Errors, Warnings []string

	// Advice is the reply's advice, which MongoDB adds to an invalid result.
	Advice string

	// NInvalidDocuments is the reply's nInvalidDocuments: documents that fail the structural checks.
	NInvalidDocuments int64

	// NNonCompliantDocuments is the reply's nNonCompliantDocuments: documents that fail the collection's schema
	// validation or BSON conformance (MongoDB 6.2+).
	NNonCompliantDocuments int64

	// NRecords and NIndexes are the reply's nrecords (documents) and nIndexes.
	NRecords, NIndexes int64

	// KeysPerIndex is the reply's keysPerIndex: index name to number of keys.
	KeysPerIndex map[string]int64

	// Result is the free-text result of MongoDB before 1.9 (the reply's result), "" otherwise.
	Result string

	// Shards are the per-shard results of a validation through mongos (the reply's raw field), in reply order; nil
	// otherwise.
	Shards []ShardValidationResult

	// Raw is the whole reply.
	Raw bson.Raw
}

// ShardValidationResult is the validation result of one shard of a sharded collection.
type ShardValidationResult struct {
	// Shard is the shard's key in the reply's raw field, e.g. "shard01/host1:27018,host2:27018".
	Shard string
	ValidationResult
}

// reason summarises why r is invalid, each item prefixed with prefix.
func (r *ValidationResult) reason(prefix string) string {
	var parts []string
	switch {
	case r.Result != "":
		parts = append(parts, prefix+r.Result)
	case len(r.Shards) > 0:
		for _, s := range r.Shards {
			if !s.Valid {
				if why := s.reason(s.Shard + ": "); why != "" {
					parts = append(parts, why)
				} else {
					parts = append(parts, s.Shard+": invalid")
				}
			}
		}
	default:
		for _, e := range r.Errors {
			parts = append(parts, prefix+e)
		}
	}
	return strings.Join(parts, "; ")
}

// ValidateCollection asks the server to validate a collection's data and indexes: Motor's
// validate_collection(name_or_collection, scandata, full, session, background).
//
// It sends {validate: NAME, scandata, full[, background][, repair][, metadata][, checkBSONConformance], Extra...}
// to this database with a primary read preference, whatever the database's read preference (as Motor does), and
// neither read nor write concern; nil opts sends scandata: false and full: false. Pass coll.Name() for a
// [*Collection]. An invalid name is an [ErrInvalidName] error before any I/O. The reply is decoded with the default codec options,
// as Motor decodes command replies.
//
// When the server reports the collection invalid (see [ValidationResult.Valid] for how old and sharded replies are
// judged, as PyMongo judges them), the error is a [*CollectionValidationError] carrying the whole result, which
// unwraps to [ErrCollectionInvalid]. A server error, such as NamespaceNotFound (26) for a missing collection, is
// returned wrapped, so errors.As(err, &mongo.CommandError{}) sees it.
//
// See https://www.mongodb.com/docs/manual/reference/command/validate/.
func (db *Database) ValidateCollection(ctx context.Context, name string, opts *ValidateCollectionOptions) (*ValidationResult, error) {
	cmd, err := validateCmd(name, opts)
	if err != nil {
		return nil, err
	}
	raw, err := db.exec(ctx, call{op: "validate collection", subject: strconv.Quote(name)}, cmd)
	if err != nil {
		return nil, err
	}
	res := parseValidation(raw)
	if !res.Valid {
		return nil, &CollectionValidationError{Collection: name, Result: res}
	}
	return res, nil
}

// validateCmd builds the validate command for the collection name.
func validateCmd(name string, opts *ValidateCollectionOptions) (bson.D, error) {
	if err := validateCollectionName(name); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &ValidateCollectionOptions{}
	}
	cmd := bson.D{
		{Key: "validate", Value: name},
		{Key: "scandata", Value: opts.Scandata},
		{Key: "full", Value: opts.Full},
	}
	for _, f := range []struct {
		key string
		v   *bool
	}{
		{"background", opts.Background},
		{"repair", opts.Repair},
		{"metadata", opts.Metadata},
		{"checkBSONConformance", opts.CheckBSONConformance},
	} {
		if f.v != nil {
			cmd = append(cmd, bson.E{Key: f.key, Value: *f.v})
		}
	}
	return appendExtraFields(cmd, opts.Extra, "ValidateCollectionOptions",
		"validate", "scandata", "full", "background", "repair", "metadata", "checkBSONConformance")
}

// parseValidation reads a validate reply leniently: a field of an unexpected type is left at its zero value (Raw
// still has it), so an unusual server never turns a successful validation into a decoding error.
func parseValidation(raw bson.Raw) *ValidationResult {
	r := &ValidationResult{Raw: raw}
	r.Namespace, _ = raw.Lookup("ns").StringValueOK()
	r.Repaired, _ = raw.Lookup("repaired").BooleanOK()
	r.Advice, _ = raw.Lookup("advice").StringValueOK()
	r.Errors = validateStrings(raw.Lookup("errors"))
	r.Warnings = validateStrings(raw.Lookup("warnings"))
	r.NInvalidDocuments, _ = raw.Lookup("nInvalidDocuments").AsInt64OK()
	r.NNonCompliantDocuments, _ = raw.Lookup("nNonCompliantDocuments").AsInt64OK()
	r.NRecords, _ = raw.Lookup("nrecords").AsInt64OK()
	r.NIndexes, _ = raw.Lookup("nIndexes").AsInt64OK()
	if kpi, ok := raw.Lookup("keysPerIndex").DocumentOK(); ok {
		elems, _ := kpi.Elements()
		r.KeysPerIndex = make(map[string]int64, len(elems))
		for _, e := range elems {
			if n, ok := e.Value().AsInt64OK(); ok {
				r.KeysPerIndex[e.Key()] = n
			}
		}
	}
	valid := bsonutil.Truthy(raw.Lookup("valid"))

	// PyMongo's verdict: the pre-1.9 result text wins, then the shards of a sharded reply, then valid.
	if text, ok := raw.Lookup("result").StringValueOK(); ok {
		r.Result = text
		r.Valid = !strings.Contains(text, "exception") && !strings.Contains(text, "corrupt")
		return r
	}
	if shards, ok := raw.Lookup("raw").DocumentOK(); ok {
		elems, _ := shards.Elements()
		r.Valid = true
		for _, e := range elems {
			sr := ShardValidationResult{Shard: e.Key()}
			if doc, ok := e.Value().DocumentOK(); ok {
				sr.ValidationResult = *parseValidation(doc)
			}
			r.Shards = append(r.Shards, sr)
			if !sr.Valid {
				r.Valid = false
			}
		}
		return r
	}
	r.Valid = valid
	return r
}

// validateStrings returns the strings of an array value, skipping anything else; nil when v is not an array.
func validateStrings(v bson.RawValue) []string {
	arr, ok := v.ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := arr.Values()
	out := make([]string, 0, len(vals))
	for _, x := range vals {
		if s, ok := x.StringValueOK(); ok {
			out = append(out, s)
		}
	}
	return out
}
