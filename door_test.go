package motor_test

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// doorFiles are the files that may call a method of the driver's Client, Database or Collection: the door (exec.go)
// and the code that connects and disconnects driver clients.
var doorFiles = map[string]bool{"exec.go": true, "driverref.go": true}

// TestOneDoor fails when a file of package motor other than doorFiles calls a method of the driver's Client,
// Database or Collection: every operation reaches the driver through the door in exec.go, which owns the context
// check, the handle's error, the settings, the retry and the error shape.
func TestOneDoor(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the package")
	}
	exports := exportData(t)
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, os.ErrNotExist
		}
		return os.Open(file)
	})
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}
	if _, err := (&types.Config{Importer: imp}).Check("github.com/gomotor/motor", fset, parsed, info); err != nil {
		t.Fatal(err)
	}
	driverTypes := map[string]bool{"Client": true, "Database": true, "Collection": true}
	var bad []string
	for sel, s := range info.Selections {
		if s.Kind() != types.MethodVal {
			continue
		}
		recv := s.Recv()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		named, ok := recv.(*types.Named)
		if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "go.mongodb.org/mongo-driver/v2/mongo" ||
			!driverTypes[named.Obj().Name()] {
			continue
		}
		pos := fset.Position(sel.Pos())
		if !doorFiles[filepath.Base(pos.Filename)] {
			bad = append(bad, pos.String()+": mongo."+named.Obj().Name()+"."+sel.Sel.Name)
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s: a driver call outside the door (exec.go)", b)
	}
}

// exportData returns the compiler's export data file of every package the package imports, by import path.
func exportData(t *testing.T) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Export", ".")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	exports := map[string]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
	}
	return exports
}
