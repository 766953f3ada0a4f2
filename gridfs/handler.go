package gridfs

import (
	"errors"
	"fmt"
	"hash/fnv"
	"mime"
	"net/http"
	"path"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Handler serves the files of a bucket over HTTP: Motor's motor.aiohttp.AIOHTTPGridFS and motor.web.GridFSHandler.
// Mount it on a route with a {filename...} wildcard (the file's name is r.PathValue("filename"); without one, the
// request path less its leading slash), for example
//
//	mux.Handle("GET /files/{filename...}", &gridfs.Handler{Bucket: bucket})
//
// As Motor's handlers do, it answers GET and HEAD (any other method is 405 Method Not Allowed, with Allow), chooses
// the file with GetFile (by default the latest revision of the name; a missing file is 404 Not Found), and sends
// Last-Modified from the upload date, Content-Type from the file's contentType or else the name's extension, an
// ETag (the quoted MD5, or for a file without one a hash of its id, length and upload date), Cache-Control: public,
// or max-age with Expires when CacheTime says so, and what ExtraHeaders adds.
//
// Beyond Motor, which sends the whole file to every GET and knows only If-Modified-Since and If-None-Match, it
// serves through http.ServeContent over the seekable [DownloadStream]: byte ranges (206 Partial Content, several
// ranges as multipart/byteranges), If-Range, If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since.
// A range request reads only the chunks it covers, so a browser can seek in a video without downloading it. A file
// without a content type and a known extension gets the type that http.DetectContentType sniffs from its first
// bytes. The response streams a chunk at a time.
type Handler struct {
	// Bucket is the bucket served. It must not be nil.
	Bucket *Bucket

	// GetFile opens the file a request names: Motor's get_gridfs_file(bucket, filename, request). nil means
	// [ByName]; [ByID] serves by id. An error wrapping [ErrNoFile] is 404 Not Found; any other error is 500.
	GetFile func(r *http.Request, b *Bucket, name string) (*DownloadStream, error)

	// CacheTime says how long clients may cache the file: Motor's get_cache_time(path, modified, mime_type). A
	// positive duration sends Cache-Control: max-age=SECONDS and Expires; nil or 0 sends Cache-Control: public.
	CacheTime func(name string, modified time.Time, contentType string) time.Duration

	// ExtraHeaders may set more headers on h before the response is written: Motor's set_extra_headers(response,
	// gridout).
	ExtraHeaders func(h http.Header, f *File)
}

// ByName opens the latest revision of the file named name: the default GetFile of [Handler], Motor's
// get_gridfs_file, which calls open_download_stream_by_name(filename).
func ByName(r *http.Request, b *Bucket, name string) (*DownloadStream, error) {
	return b.OpenDownloadStreamByName(r.Context(), name, -1)
}

// ByID opens the file whose id is name, for a [Handler] that serves by id: an ObjectID when name is 24 hex digits,
// else the string itself.
func ByID(r *http.Request, b *Bucket, name string) (*DownloadStream, error) {
	if oid, err := bson.ObjectIDFromHex(name); err == nil {
		return b.OpenDownloadStream(r.Context(), oid)
	}
	return b.OpenDownloadStream(r.Context(), name)
}

// ServeHTTP serves the file the request names; see [Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := r.PathValue("filename")
	if name == "" {
		name = r.URL.Path
		if len(name) > 0 && name[0] == '/' {
			name = name[1:]
		}
	}
	get := h.GetFile
	if get == nil {
		get = ByName
	}
	s, err := get(r, h.Bucket, name)
	if errors.Is(err, ErrNoFile) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	defer s.Close()
	f := s.File()
	hdr := w.Header()
	ctype := f.ContentType
	if ctype == "" {
		ctype = mime.TypeByExtension(path.Ext(name))
	}
	if ctype != "" {
		hdr.Set("Content-Type", ctype)
	}
	hdr.Set("Etag", etag(f))
	var cache time.Duration
	if h.CacheTime != nil {
		cache = h.CacheTime(name, f.UploadDate, ctype)
	}
	if cache > 0 {
		hdr.Set("Cache-Control", "max-age="+strconv.FormatInt(int64(cache/time.Second), 10))
		hdr.Set("Expires", time.Now().Add(cache).UTC().Format(http.TimeFormat))
	} else {
		hdr.Set("Cache-Control", "public")
	}
	if h.ExtraHeaders != nil {
		h.ExtraHeaders(hdr, f)
	}
	http.ServeContent(w, r, name, f.UploadDate, s)
}

// etag is the quoted MD5 of f, or a hash of its id, length and upload date when it has none.
func etag(f *File) string {
	if f.MD5 != "" {
		return `"` + f.MD5 + `"`
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%v\x00%d\x00%d", f.ID, f.Length, f.UploadDate.UnixMilli())
	return fmt.Sprintf(`"%016x"`, h.Sum64())
}
