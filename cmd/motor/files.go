package main

// motor files: GridFS from a shell, like mongofiles, on the gridfs package.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/gridfs"
)

// filesVerbs are the verbs of motor files, with their positional arguments (after the verb).
var filesVerbs = map[string][2]int{ // verb: min, max arguments
	"put": {1, 2}, "get": {0, 2}, "list": {0, 1}, "delete": {0, 1}, "rename": {1, 2}, "serve": {0, 1},
}

// filesFlags are the flags of motor files.
type filesFlags struct {
	bucket, id, contentType, metadata string
	revision                          int
	chunkSize                         int
	byID                              bool
}

func filesCommand() *command {
	return &command{
		name: "files", args: "put|get|list|delete|rename|serve [ARGS]", minArgs: 1, maxArgs: 3,
		summary: "Store, fetch, list, delete, rename and serve GridFS files, like mongofiles",
		motor:   "AsyncIOMotorGridFSBucket: upload_from_stream, download_to_stream_by_name, find, delete, rename; AIOHTTPGridFS",
		example: `motor files put report.pdf                        # upload the local file report.pdf as report.pdf
motor files put notes.txt - --content-type text/plain <notes.txt
motor files get report.pdf copy.pdf --revision 0    # the first revision, to copy.pdf
motor files get report.pdf -                        # to stdout
motor files get --id '{"$oid": "6b0eb1b08f92b3515554cb96"}' out.pdf
motor files list rep                                # files whose name starts with "rep"
motor files rename report.pdf old.pdf               # every revision; --id ID NEW for one file
motor files delete report.pdf                       # every revision; --id ID for one file
motor files serve 127.0.0.1:8080                    # GET http://127.0.0.1:8080/report.pdf`,
		setup: func(fs *flag.FlagSet) action {
			var f filesFlags
			fs.StringVar(&f.bucket, "bucket", "fs", "GridFS bucket `name`")
			fs.StringVar(&f.id, "id", "", "the file's _id as Extended JSON (a bare word is a string): get, delete and rename one file by id; put stores it with this id")
			fs.IntVar(&f.revision, "revision", -1, "revision of get: 0 the first upload, 1 the second, ...; -1 the latest, -2 the one before, ...")
			fs.StringVar(&f.contentType, "content-type", "", "put: the file's contentType, sent by serve as Content-Type")
			fs.StringVar(&f.metadata, "metadata", "", "put: the file's metadata `document`, as Extended JSON")
			fs.IntVar(&f.chunkSize, "chunk-size", 0, "put: chunk size in `bytes` (default 261120)")
			fs.BoolVar(&f.byID, "by-id", false, "serve: files by id (hex ObjectID or string) instead of by name")
			return func(s *session, args []string) (op, error) { return f.action(s, args) }
		},
	}
}

// action checks the verb and its arguments before any I/O and returns what it does.
func (f *filesFlags) action(s *session, args []string) (op, error) {
	verb, args := args[0], args[1:]
	n, ok := filesVerbs[verb]
	if !ok {
		return nil, usageErrorf("unknown verb %q: want put, get, list, delete, rename or serve", verb)
	}
	min, max := n[0], n[1]
	byName := f.id == ""
	if byName && (verb == "delete" || verb == "get") {
		min = 1
	}
	if !byName && verb == "rename" {
		max = 1
	}
	if len(args) < min || len(args) > max {
		return nil, usageErrorf("files %s takes %s", verb, map[string]string{
			"put":    "NAME [PATH|-]",
			"get":    "NAME [PATH|-], or --id ID [PATH|-]",
			"list":   "[PREFIX]",
			"delete": "NAME, or --id ID",
			"rename": "NAME NEWNAME, or --id ID NEWNAME",
			"serve":  "[ADDRESS]",
		}[verb])
	}
	var id any
	if !byName {
		id = parseID(f.id)
	}
	if f.chunkSize < 0 || f.chunkSize > 16<<20 {
		return nil, usageErrorf("--chunk-size must be between 1 and 16 MiB")
	}
	var metadata any
	if err := s.optionalDoc("metadata", f.metadata, &metadata); err != nil {
		return nil, err
	}
	bucket := func(db *motor.Database) (*gridfs.Bucket, error) {
		return gridfs.NewBucket(db, &gridfs.BucketOptions{Name: f.bucket})
	}
	switch verb {
	case "put":
		name, path := args[0], args[0]
		if len(args) == 2 {
			path = args[1]
		}
		var src io.Reader = s.in
		if path == "-" {
			if s.stdinUsed {
				return nil, usageErrorf("only one argument can be read from stdin (-)")
			}
			s.stdinUsed = true
		} else {
			file, err := os.Open(path)
			if err != nil {
				return nil, usageErrorf("%v", err)
			}
			src = file
		}
		return func(ctx context.Context, db *motor.Database) (any, error) {
			if c, ok := src.(io.Closer); ok {
				defer c.Close()
			}
			b, err := bucket(db)
			if err != nil {
				return nil, err
			}
			o := &gridfs.UploadOptions{ChunkSize: int32(f.chunkSize), Metadata: metadata}
			var up *gridfs.UploadStream
			if id != nil {
				up, err = b.OpenUploadStreamWithID(ctx, id, name, o)
			} else {
				up, err = b.OpenUploadStream(ctx, name, o)
			}
			if err != nil {
				return nil, err
			}
			if f.contentType != "" {
				if err := up.Set(ctx, "contentType", f.contentType); err != nil {
					return nil, err
				}
			}
			if _, err := up.ReadFrom(src); err != nil {
				return nil, err
			}
			if err := up.Close(); err != nil {
				return nil, err
			}
			file := up.File()
			out := bson.D{{Key: "_id", Value: file.ID}, {Key: "filename", Value: file.Filename}, {Key: "length", Value: file.Length}}
			if file.MD5 != "" {
				out = append(out, bson.E{Key: "md5", Value: file.MD5})
			}
			return out, nil
		}, nil
	case "get":
		name, path, rest := "", "-", args
		if byName {
			name, path, rest = args[0], args[0], args[1:]
		}
		if len(rest) == 1 {
			path = rest[0]
		}
		return func(ctx context.Context, db *motor.Database) (any, error) {
			b, err := bucket(db)
			if err != nil {
				return nil, err
			}
			var d *gridfs.DownloadStream
			if byName {
				d, err = b.OpenDownloadStreamByName(ctx, name, f.revision)
			} else {
				d, err = b.OpenDownloadStream(ctx, id)
			}
			if err != nil {
				return nil, err
			}
			defer d.Close()
			if path == "-" {
				_, err = d.WriteTo(s.stdio.out)
				return nil, err
			}
			out, err := os.Create(path)
			if err != nil {
				return nil, err
			}
			if _, err := d.WriteTo(out); err != nil {
				out.Close()
				os.Remove(path)
				return nil, err
			}
			if err := out.Close(); err != nil {
				return nil, err
			}
			return text(fmt.Sprintf("wrote %d bytes to %s", d.File().Length, path)), nil
		}, nil
	case "list":
		filter := bson.D{}
		if len(args) == 1 {
			filter = bson.D{{Key: "filename", Value: bson.Regex{Pattern: "^" + regexp.QuoteMeta(args[0])}}}
		}
		return func(ctx context.Context, db *motor.Database) (any, error) {
			b, err := bucket(db)
			if err != nil {
				return nil, err
			}
			cur, err := b.Find(ctx, filter, &motor.FindOptions{Sort: bson.D{{Key: "filename", Value: 1}, {Key: "uploadDate", Value: 1}}})
			if err != nil {
				return nil, err
			}
			files, err := cur.All(ctx)
			out := make([]bson.Raw, len(files))
			for i, file := range files {
				out[i] = file.Raw
			}
			return out, err
		}, nil
	case "delete", "rename":
		var newName string
		if verb == "rename" {
			newName = args[len(args)-1]
		}
		return func(ctx context.Context, db *motor.Database) (any, error) {
			b, err := bucket(db)
			if err != nil {
				return nil, err
			}
			ids := []any{id}
			if byName {
				if ids, err = idsOf(ctx, b, args[0]); err != nil {
					return nil, err
				}
			}
			for _, id := range ids {
				if verb == "delete" {
					err = b.Delete(ctx, id)
				} else {
					err = b.Rename(ctx, id, newName)
				}
				if err != nil {
					return nil, err
				}
			}
			past := map[string]string{"delete": "deleted", "rename": "renamed"}[verb]
			return text(fmt.Sprintf("%s %d file(s)", past, len(ids))), nil
		}, nil
	}
	// serve
	addr := "127.0.0.1:8080"
	if len(args) == 1 {
		addr = args[0]
	}
	return func(ctx context.Context, db *motor.Database) (any, error) {
		b, err := bucket(db)
		if err != nil {
			return nil, err
		}
		h := &gridfs.Handler{Bucket: b}
		if f.byID {
			h.GetFile = gridfs.ByID
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
		fmt.Fprintf(s.stdio.err, "motor files: serving bucket %s of database %s at http://%s/ (Ctrl-C stops)\n",
			f.bucket, db.Name(), ln.Addr())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		select {
		case err := <-done:
			return nil, err
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return nil, err
		}
		<-done
		return nil, nil
	}, nil
}

// idsOf returns the ids of every revision of the file named name, oldest first; none is an ErrNoFile error.
func idsOf(ctx context.Context, b *gridfs.Bucket, name string) ([]any, error) {
	cur, err := b.Find(ctx, bson.D{{Key: "filename", Value: name}}, &motor.FindOptions{Sort: bson.D{{Key: "uploadDate", Value: 1}}})
	if err != nil {
		return nil, err
	}
	files, err := cur.All(ctx)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("gridfs %s: no file named %q", b.Name(), name)
	}
	ids := make([]any, len(files))
	for i, file := range files {
		ids[i] = file.ID
	}
	return ids, nil
}

// parseID reads an --id value: Extended JSON ({"$oid": "..."}, 42, "text"), or else the text itself as a string.
func parseID(arg string) any {
	var d bson.D
	if err := bson.UnmarshalExtJSON([]byte(`{"v":`+arg+`}`), false, &d); err == nil && len(d) == 1 {
		return d[0].Value
	}
	return arg
}
