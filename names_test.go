package motor_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gomotor/motor"
)

func TestDatabaseNames(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		desc    string
		name    string
		wantErr string // "" means valid
	}{
		{"plain", "app", ""},
		{"dash underscore", "ok_db-name", ""},
		{"external", "$external", ""},
		{"unicode", "données", ""},
		{"empty", "", `motor: invalid database name "": must not be empty`},
		{"space", "a b", `motor: invalid database name "a b": must not contain the character ' '`},
		{"dot", "a.b", `motor: invalid database name "a.b": must not contain the character '.'`},
		{"dollar", "a$b", `motor: invalid database name "a$b": must not contain the character '$'`},
		{"slash", "a/b", `motor: invalid database name "a/b": must not contain the character '/'`},
		{"backslash", `a\b`, `motor: invalid database name "a\\b": must not contain the character '\\'`},
		{"nul", "a\x00b", `motor: invalid database name "a\x00b": must not contain the character '\x00'`},
		{"quote", `a"b`, `motor: invalid database name "a\"b": must not contain the character '"'`},
		// PyMongo reports ' ' here (its list order); motor reports the first bad character in the name.
		{"first in name order", "a.b$c d", `motor: invalid database name "a.b$c d": must not contain the character '.'`},
		{"other dollar name", "$externals", `motor: invalid database name "$externals": must not contain the character '$'`},
		{"invalid utf8", "a\xffb", `motor: invalid database name "a\xffb": must be valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			db := c.Database(tt.name)
			err := db.Err()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Database(%q): %v", tt.name, err)
				}
				if db.Name() != tt.name {
					t.Errorf("Name() = %q", db.Name())
				}
				return
			}
			if err == nil {
				t.Fatalf("Database(%q): no error", tt.name)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %s\nwant    %s", err, tt.wantErr)
			}
			if !errors.Is(err, motor.ErrInvalidName) {
				t.Errorf("error does not wrap ErrInvalidName")
			}
			var ne *motor.NameError
			if !errors.As(err, &ne) || ne.Kind != "database" || ne.Name != tt.name {
				t.Errorf("errors.As NameError = %+v", ne)
			}
		})
	}
}

func TestCollectionNames(t *testing.T) {
	c, err := connectOffline(t, "mongodb://127.0.0.1:1/")
	if err != nil {
		t.Fatal(err)
	}
	db := c.Database("app")
	tests := []struct {
		desc    string
		name    string
		wantErr string
	}{
		{"plain", "users", ""},
		{"dotted", "fs.files", ""},
		{"system", "system.profile", ""},
		{"cmd", "$cmd", ""},
		{"cmd sys", "$cmd.sys.inprog", ""},
		{"oplog", "oplog.$main", ""},
		{"space", "a b", ""},
		{"unicode", "é", ""},
		{"underscore", "_private", ""},
		{"empty", "", `motor: invalid collection name "": must not be empty`},
		// PyMongo says "collection names cannot be empty" here, which is wrong.
		{"double dot", "a..b", `motor: invalid collection name "a..b": must not contain an empty segment ("..")`},
		{"dollar", "$x", `motor: invalid collection name "$x": must not contain '$' (only names starting with "$cmd" or "oplog.$main" may)`},
		{"inner dollar", "a$b", `motor: invalid collection name "a$b": must not contain '$' (only names starting with "$cmd" or "oplog.$main" may)`},
		{"leading dot", ".a", `motor: invalid collection name ".a": must not start or end with '.'`},
		{"trailing dot", "a.", `motor: invalid collection name "a.": must not start or end with '.'`},
		{"lone dot", ".", `motor: invalid collection name ".": must not start or end with '.'`},
		{"nul", "a\x00b", `motor: invalid collection name "a\x00b": must not contain the null character`},
		{"invalid utf8", "a\xff", `motor: invalid collection name "a\xff": must be valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			coll := db.Collection(tt.name)
			err := coll.Err()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Collection(%q): %v", tt.name, err)
				}
				if coll.Name() != tt.name || coll.FullName() != "app."+tt.name {
					t.Errorf("Name()=%q FullName()=%q", coll.Name(), coll.FullName())
				}
				return
			}
			if err == nil {
				t.Fatalf("Collection(%q): no error", tt.name)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %s\nwant    %s", err, tt.wantErr)
			}
			if !errors.Is(err, motor.ErrInvalidName) {
				t.Errorf("error does not wrap ErrInvalidName")
			}
		})
	}
}

// FuzzCollectionName checks that name validation never panics and that every accepted name obeys the rules.
func FuzzCollectionName(f *testing.F) {
	for _, s := range []string{"a", "a..b", "$cmd", ".x", "oplog.$main", "a\x00", "é"} {
		f.Add(s)
	}
	c, _ := connectOffline(f, "mongodb://127.0.0.1:1/")
	db := c.Database("fuzz")
	f.Fuzz(func(t *testing.T, name string) {
		err := db.Collection(name).Err()
		if err != nil {
			if !errors.Is(err, motor.ErrInvalidName) {
				t.Fatalf("unexpected error type %T", err)
			}
			return
		}
		if name == "" || strings.Contains(name, "..") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.ContainsRune(name, 0) {
			t.Fatalf("accepted bad name %q", name)
		}
		if strings.Contains(name, "$") && !strings.HasPrefix(name, "$cmd") && !strings.HasPrefix(name, "oplog.$main") {
			t.Fatalf("accepted bad name %q", name)
		}
	})
}

// FuzzDatabaseName checks that database name validation never panics.
func FuzzDatabaseName(f *testing.F) {
	for _, s := range []string{"a", "$external", "a b", "a.b"} {
		f.Add(s)
	}
	c, _ := connectOffline(f, "mongodb://127.0.0.1:1/")
	f.Fuzz(func(t *testing.T, name string) {
		err := c.Database(name).Err()
		if err == nil && name != "$external" && (name == "" || strings.ContainsAny(name, " ./\\\x00\"$")) {
			t.Fatalf("accepted bad name %q", name)
		}
	})
}
