package motor

import (
	"strings"
	"unicode/utf8"
)

// databaseNameBadChars are the characters PyMongo forbids in database names, in the order PyMongo checks them.
const databaseNameBadChars = " ./\\\x00\"$"

// validateDatabaseName applies PyMongo's database name rules (pymongo/database.py _check_name): a database name is
// not empty and contains none of ' ' '.' '$' '/' '\' NUL '"'; "$external" is allowed. Unlike PyMongo, which reports
// the first bad character in the order of its list, motor reports the first bad character in the name.
func validateDatabaseName(name string) error {
	if name == "$external" {
		return nil
	}
	if name == "" {
		return &NameError{Kind: "database", Name: name, Reason: "must not be empty"}
	}
	if !utf8.ValidString(name) {
		return &NameError{Kind: "database", Name: name, Reason: "must be valid UTF-8"}
	}
	if i := strings.IndexAny(name, databaseNameBadChars); i >= 0 {
		return &NameError{Kind: "database", Name: name, Reason: "must not contain the character " + quoteChar(name[i])}
	}
	return nil
}

// validateCollectionName applies PyMongo's collection name rules (pymongo/collection.py): not empty; '$' only in
// names that start with "$cmd" or "oplog.$main"; no leading or trailing '.'; no empty segment (".."); no NUL.
// PyMongo reports "a..b" as "cannot be empty"; motor says what is actually wrong.
func validateCollectionName(name string) error {
	bad := func(reason string) error { return &NameError{Kind: "collection", Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("must not be empty")
	case !utf8.ValidString(name):
		return bad("must be valid UTF-8")
	case strings.IndexByte(name, 0) >= 0:
		return bad("must not contain the null character")
	case strings.Contains(name, "$") && !strings.HasPrefix(name, "$cmd") && !strings.HasPrefix(name, "oplog.$main"):
		return bad("must not contain '$' (only names starting with \"$cmd\" or \"oplog.$main\" may)")
	case name[0] == '.' || name[len(name)-1] == '.':
		return bad("must not start or end with '.'")
	case strings.Contains(name, ".."):
		return bad("must not contain an empty segment (\"..\")")
	}
	return nil
}

func quoteChar(c byte) string {
	switch c {
	case 0:
		return `'\x00'`
	case '\\':
		return `'\\'`
	}
	return "'" + string(c) + "'"
}
