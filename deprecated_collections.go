package motor

import (
	"context"
	"strings"
)

// CollectionNames returns the names of this database's collections, without those starting with "system." unless
// includeSystemCollections is true: PyMongo's collection_names(include_system_collections=True), which Motor 2.0
// removed.
//
// It sends {listCollections: 1, cursor: {}, nameOnly: true}, like [Database.ListCollectionNames] with no options.
// PyMongo filters system collections out on the server with {name: {$regex: "^(?!system\\.)"}}, a lookahead that
// FerretDB rejects (code 51091); motor filters them out of the result instead, which gives the same names on every
// server. It is not retried differently, decoded differently or checked differently from ListCollectionNames.
//
// See https://www.mongodb.com/docs/manual/reference/command/listCollections/.
//
// Deprecated: use [Database.ListCollectionNames], with a filter on name to leave out system collections.
// PyMongo 3.7 deprecated collection_names in favour of list_collection_names, which takes a filter and does not
// treat system collections specially.
func (db *Database) CollectionNames(ctx context.Context, includeSystemCollections bool) ([]string, error) {
	names, err := db.ListCollectionNames(ctx, nil)
	if err != nil || includeSystemCollections {
		return names, err
	}
	out := names[:0]
	for _, n := range names {
		if !strings.HasPrefix(n, "system.") {
			out = append(out, n)
		}
	}
	return out, nil
}
