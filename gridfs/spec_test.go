package gridfs_test

// A runner for the GridFS specification's unified-format tests (testdata/spec, copied from the specification's
// gridfs/tests/unified), against the test server. It runs the operations these files use: the bucket's upload,
// download, downloadByName, delete and rename, and find, deleteOne, updateOne and bulkWrite of updateOne on the
// bucket's collections; renameByName and deleteByName come from a later specification than Motor 2.3's, so their
// tests are skipped with that reason.

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
)

type specFile struct {
	Description string     `bson:"description"`
	InitialData []specData `bson:"initialData"`
	Tests       []specTest `bson:"tests"`
}

type specData struct {
	CollectionName string `bson:"collectionName"`
	Documents      bson.A `bson:"documents"`
}

type specTest struct {
	Description string     `bson:"description"`
	Operations  []specOp   `bson:"operations"`
	Outcome     []specData `bson:"outcome"`
}

type specOp struct {
	Name               string `bson:"name"`
	Object             string `bson:"object"`
	Arguments          bson.D `bson:"arguments"`
	ExpectResult       any    `bson:"expectResult"`
	ExpectError        bson.D `bson:"expectError"`
	SaveResultAsEntity string `bson:"saveResultAsEntity"`
}

// specUnsupported are the operations of a later specification than Motor 2.3's, with the reason.
var specUnsupported = map[string]string{
	"renameByName": "renameByName is not a member of Motor 2.3's AsyncIOMotorGridFSBucket",
	"deleteByName": "deleteByName is not a member of Motor 2.3's AsyncIOMotorGridFSBucket",
}

func TestSpec(t *testing.T) {
	paths, err := filepath.Glob("testdata/spec/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no spec files: %v", err)
	}
	var passed, skipped, failed int
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f specFile
		if err := bson.UnmarshalExtJSON(data, false, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, st := range f.Tests {
			name := strings.TrimSuffix(filepath.Base(path), ".json") + "/" + st.Description
			ok := t.Run(name, func(t *testing.T) {
				for _, op := range st.Operations {
					if why, no := specUnsupported[op.Name]; no {
						skipped++
						t.Skip(why)
					}
				}
				runSpecTest(t, &f, &st)
			})
			switch {
			case !ok:
				failed++
			case !specSkipped(name, st):
				passed++
			}
		}
	}
	t.Logf("GridFS specification tests: %d passed, %d skipped, %d failed", passed, skipped, failed)
}

func specSkipped(_ string, st specTest) bool {
	for _, op := range st.Operations {
		if _, no := specUnsupported[op.Name]; no {
			return true
		}
	}
	return false
}

func runSpecTest(t *testing.T, f *specFile, st *specTest) {
	ctx := t.Context()
	db, _ := newDB(t)
	for _, d := range f.InitialData {
		coll := db.Collection(d.CollectionName)
		if len(d.Documents) > 0 {
			if _, err := coll.InsertMany(ctx, []any(d.Documents), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	entities := map[string]any{}
	for _, op := range st.Operations {
		res, err := runSpecOp(t, db, op, entities)
		if op.ExpectError != nil {
			if err == nil {
				t.Fatalf("%s: no error, want %v", op.Name, op.ExpectError)
			}
			if v, _ := arg(op.ExpectError, "isClientError").(bool); v &&
				!errors.Is(err, gridfs.ErrNoFile) && !errors.Is(err, gridfs.ErrCorruptFile) {
				t.Fatalf("%s: %v, want a client error (ErrNoFile or ErrCorruptFile)", op.Name, err)
			}
			t.Logf("%s: %v", op.Name, err)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", op.Name, err)
		}
		if op.ExpectResult != nil {
			if err := specMatch(op.ExpectResult, res, true, entities); err != nil {
				t.Fatalf("%s: result: %v\nwant %v\ngot  %v", op.Name, err, op.ExpectResult, res)
			}
		}
		if op.SaveResultAsEntity != "" {
			entities[op.SaveResultAsEntity] = res
		}
	}
	for _, d := range st.Outcome {
		got := docs(t, db, d.CollectionName)
		want := d.Documents
		if len(got) != len(want) {
			t.Fatalf("outcome %s: %d documents, want %d:\n%v", d.CollectionName, len(got), len(want), got)
		}
		for i := range want {
			if err := specMatch(want[i], got[i], false, entities); err != nil {
				t.Fatalf("outcome %s[%d]: %v\nwant %v\ngot  %v", d.CollectionName, i, err, want[i], got[i])
			}
		}
	}
}

func arg(d bson.D, key string) any {
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

func runSpecOp(t *testing.T, db *motor.Database, op specOp, entities map[string]any) (any, error) {
	ctx := t.Context()
	a := op.Arguments
	switch op.Object {
	case "bucket0":
		opts := &gridfs.BucketOptions{}
		if v, _ := arg(a, "disableMD5").(bool); v {
			opts.DisableMD5 = true
		}
		b, err := gridfs.NewBucket(db, opts)
		if err != nil {
			return nil, err
		}
		switch op.Name {
		case "download":
			var buf bytes.Buffer
			_, err := b.DownloadToStream(ctx, arg(a, "id"), &buf)
			return bson.D{{Key: "bytes", Value: buf.Bytes()}}, err
		case "downloadByName":
			rev := -1
			if v, ok := arg(a, "revision").(int32); ok {
				rev = int(v)
			}
			var buf bytes.Buffer
			_, err := b.DownloadToStreamByName(ctx, arg(a, "filename").(string), &buf, rev)
			return bson.D{{Key: "bytes", Value: buf.Bytes()}}, err
		case "upload":
			src, err := hex.DecodeString(arg(arg(a, "source").(bson.D), "$$hexBytes").(string))
			if err != nil {
				return nil, err
			}
			uo := &gridfs.UploadOptions{Metadata: arg(a, "metadata")}
			if v, ok := arg(a, "chunkSizeBytes").(int32); ok {
				uo.ChunkSize = v
			}
			return b.UploadFromStream(ctx, arg(a, "filename").(string), bytes.NewReader(src), uo)
		case "delete":
			return nil, b.Delete(ctx, arg(a, "id"))
		case "rename":
			return nil, b.Rename(ctx, arg(a, "id"), arg(a, "newFilename").(string))
		}
	case "bucket0_files_collection", "bucket0_chunks_collection":
		coll := db.Collection("fs.files")
		if op.Object == "bucket0_chunks_collection" {
			coll = db.Collection("fs.chunks")
		}
		switch op.Name {
		case "find":
			o := &motor.FindOptions{}
			if s, ok := arg(a, "sort").(bson.D); ok {
				o.Sort = s
			}
			cur, err := coll.Find(ctx, arg(a, "filter"), o)
			if err != nil {
				return nil, err
			}
			var out []bson.D
			err = cur.All(ctx, &out)
			return out, err
		case "deleteOne":
			res, err := coll.DeleteOne(ctx, arg(a, "filter"), nil)
			if err != nil {
				return nil, err
			}
			return bson.D{{Key: "deletedCount", Value: res.DeletedCount}}, nil
		case "updateOne", "bulkWrite":
			var ups []bson.D
			if op.Name == "updateOne" {
				ups = []bson.D{a}
			} else {
				for _, r := range arg(a, "requests").(bson.A) {
					ups = append(ups, arg(r.(bson.D), "updateOne").(bson.D))
				}
			}
			var matched, modified int64
			for _, u := range ups {
				res, err := coll.UpdateOne(ctx, arg(u, "filter"), arg(u, "update"), nil)
				if err != nil {
					return nil, err
				}
				matched += res.MatchedCount
				modified += res.ModifiedCount
			}
			return bson.D{{Key: "matchedCount", Value: matched}, {Key: "modifiedCount", Value: modified}}, nil
		}
	}
	t.Fatalf("unsupported operation %s on %s", op.Name, op.Object)
	return nil, nil
}

// specMatch matches actual against the expected value of the unified test format: documents match key by key
// (extra keys allowed at the root), numbers by value, and the operators $$type, $$exists, $$unsetOrMatches,
// $$matchesEntity, $$matchesHexBytes.
func specMatch(want, got any, root bool, entities map[string]any) error {
	if d, ok := want.(bson.D); ok && len(d) == 1 && strings.HasPrefix(d[0].Key, "$$") {
		v := d[0].Value
		switch d[0].Key {
		case "$$type":
			var ok bool
			switch v {
			case "objectId":
				_, ok = got.(bson.ObjectID)
			case "date":
				_, ok = got.(bson.DateTime)
			default:
				return fmt.Errorf("unsupported $$type %v", v)
			}
			if !ok {
				return fmt.Errorf("%v (%T) is not a %v", got, got, v)
			}
			return nil
		case "$$unsetOrMatches":
			if got == nil {
				return nil
			}
			return specMatch(v, got, false, entities)
		case "$$matchesEntity":
			return specMatch(entities[v.(string)], got, false, entities)
		case "$$matchesHexBytes":
			b, _ := hex.DecodeString(v.(string))
			gd, _ := got.(bson.D)
			if gb, _ := arg(gd, "bytes").([]byte); !bytes.Equal(b, gb) {
				return fmt.Errorf("bytes %x, want %s", gb, v)
			}
			return nil
		}
		return fmt.Errorf("unsupported operator %s", d[0].Key)
	}
	switch w := want.(type) {
	case bson.D:
		g, ok := got.(bson.D)
		if !ok {
			return fmt.Errorf("%v is not a document", got)
		}
		for _, e := range w {
			gv, present := lookup(g, e.Key)
			if ex, ok := e.Value.(bson.D); ok && len(ex) == 1 && ex[0].Key == "$$exists" {
				if present != ex[0].Value.(bool) {
					return fmt.Errorf("field %s: present %v, want %v", e.Key, present, ex[0].Value)
				}
				continue
			}
			if !present {
				if ex, ok := e.Value.(bson.D); ok && len(ex) == 1 && ex[0].Key == "$$unsetOrMatches" {
					continue
				}
				return fmt.Errorf("field %s missing", e.Key)
			}
			if err := specMatch(e.Value, gv, false, entities); err != nil {
				return fmt.Errorf("field %s: %w", e.Key, err)
			}
		}
		if !root && len(g) != len(w) {
			return fmt.Errorf("%d fields, want %d", len(g), len(w))
		}
		return nil
	case bson.A:
		var g []any
		switch gv := got.(type) {
		case bson.A:
			g = gv
		case []bson.D:
			for _, d := range gv {
				g = append(g, d)
			}
		default:
			return fmt.Errorf("%v is not an array", got)
		}
		if len(g) != len(w) {
			return fmt.Errorf("%d elements, want %d", len(g), len(w))
		}
		for i := range w {
			if err := specMatch(w[i], g[i], root, entities); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	case bson.Binary:
		if g, ok := got.(bson.Binary); ok && g.Subtype == w.Subtype && bytes.Equal(g.Data, w.Data) {
			return nil
		}
		return fmt.Errorf("%v, want %v", got, w)
	}
	if wn, ok := number(want); ok {
		if gn, ok := number(got); ok && gn == wn {
			return nil
		}
		return fmt.Errorf("%v (%T), want %v", got, got, want)
	}
	if want != got {
		return fmt.Errorf("%v (%T), want %v (%T)", got, got, want, want)
	}
	return nil
}

func lookup(d bson.D, key string) (any, bool) {
	for _, e := range d {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n)
	}
	return 0, false
}
