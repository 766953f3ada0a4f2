package main

// The workloads of issue 12, in report order. Every client implements each one it can (see clientsFor); the
// names are the contract between this harness, motor.py and node/bench.js.

// Database and collection names on the servers, shared with motor.py and node/bench.js.
const (
	dbPing  = "bench"        // the empty server's database: ping only
	dbList  = "bench_list"   // listCollections: listCollections collections, nothing else
	dbRef   = "bench_ref"    // refs (refs documents {_id: i, v: i}) and agg (aggDocs documents)
	dbSpec  = "bench_spec"   // corpus: the spec's tweets with _id 1..corpus
	dbWrite = "bench_w"      // insert and create/drop targets, one collection per client
	dbFiles = "bench_gridfs" // GridFS: one bucket per client and workload

	listCollections = 50
	aggDocs         = 100
)

// workload is one measured operation. One operation is what "unit" says; ops/s counts those.
type workload struct {
	name   string
	unit   string
	server string // "empty" or "data"
	conc   int    // concurrent callers
	query  string // URI options added for this workload (a driver setting to try), "" for none
	goOnly bool   // only motor and the raw Go driver (the driver-setting variants)
	wire   bool   // the wire floor takes part

	// heavy: one operation takes seconds on FerretDB, so it runs once per client and round, without warm-up.
	heavy bool
	// large: the spec's 2.7 MB documents, which FerretDB stores in about 12 s each; not in -small.
	large bool
	// optional: not run unless -only names it (too slow here for every run).
	optional bool
	// gridfs: a GridFS workload of fileMiB MiB, run by motor, the driver, Motor 2.3 and the raw chunk bound.
	gridfs  bool
	fileMiB int
}

// sizes cut the driver benchmark specification's tasks to fit a 2-core machine.
type sizes struct {
	Corpus    int `json:"corpus"`     // tweets in bench_spec.corpus (spec: 10,000; FerretDB scans them for each find by _id)
	Refs      int `json:"refs"`       // documents in bench_ref.refs, and references per deref_many/deref_single op (issue: 1,000)
	BulkSmall int `json:"bulk_small"` // small documents per insertMany (spec: 10,000)
	BulkLarge int `json:"bulk_large"` // large documents per insertMany (spec: 10)
}

var workloads = []workload{
	{name: "ping", unit: "`{ping: 1}`, 1 caller", server: "empty", conc: 1, wire: true},
	{name: "ping_64", unit: "`{ping: 1}`, 64 callers", server: "empty", conc: 64, wire: true},
	{name: "list_collection_names", unit: "list_collection_names of 50 collections", server: "data", conc: 1},
	{name: "create_drop", unit: "create then drop a collection", server: "data", conc: 1},
	{name: "dereference", unit: "dereference one DBRef", server: "data", conc: 1},
	{name: "deref_single", unit: "resolve REFS references one by one", server: "data", conc: 1, heavy: true},
	{name: "deref_many", unit: "resolve REFS references at once (motor: DereferenceMany; others: one find with $in)", server: "data", conc: 1},
	{name: "insert_one", unit: "insert one `{i: N}` document", server: "data", conc: 1},
	{name: "aggregate", unit: "aggregate $match/$group/$sort over 100 documents", server: "data", conc: 1},
	{name: "find_one_by_id", unit: "spec Find one by ID (tweet, CORPUS in the collection)", server: "data", conc: 1},
	{name: "find_many", unit: "spec Find many and empty the cursor (CORPUS tweets)", server: "data", conc: 1},
	{name: "small_insert_one", unit: "spec Small doc insertOne", server: "data", conc: 1},
	{name: "large_insert_one", unit: "spec Large doc insertOne (2.7 MB)", server: "data", conc: 1, heavy: true, large: true},
	{name: "small_bulk_insert", unit: "spec Small doc bulk insert (insertMany of BULKSMALL)", server: "data", conc: 1},
	{name: "large_bulk_insert", unit: "spec Large doc bulk insert (insertMany of BULKLARGE)", server: "data", conc: 1, heavy: true, large: true, optional: true},
	// GridFS (issue 16): 255 KiB chunks. The raw chunk bound inserts and finds the chunk documents themselves.
	{name: "gridfs_upload_1MiB", unit: "upload a 1 MiB file", server: "data", conc: 1, gridfs: true, fileMiB: 1},
	{name: "gridfs_download_1MiB", unit: "download a 1 MiB file", server: "data", conc: 1, gridfs: true, fileMiB: 1},
	{name: "gridfs_upload_100MiB", unit: "upload a 100 MiB file", server: "data", conc: 1, heavy: true, large: true, gridfs: true, fileMiB: 100},
	{name: "gridfs_download_100MiB", unit: "download a 100 MiB file", server: "data", conc: 1, heavy: true, large: true, gridfs: true, fileMiB: 100},
	// Driver settings a user could choose, on the Go clients only.
	{name: "ping_64+maxPoolSize=8", unit: "`{ping: 1}`, 64 callers, maxPoolSize=8", server: "empty", conc: 64, query: "maxPoolSize=8", goOnly: true},
	{name: "ping_64+maxConnecting=8", unit: "`{ping: 1}`, 64 callers, maxConnecting=8", server: "empty", conc: 64, query: "maxConnecting=8", goOnly: true},
	{name: "find_many+compressors=zlib", unit: "spec Find many, compressors=zlib", server: "data", conc: 1, query: "compressors=zlib", goOnly: true},
}

// The clients, in report order.
const (
	clientMotor  = "motor"
	clientDriver = "driver"
	clientPython = "Motor 2.3"
	clientNode   = "Node.js 7"
	clientWire   = "wire floor"
	clientRaw    = "raw chunks"
)

var allClients = []string{clientMotor, clientDriver, clientPython, clientNode, clientWire, clientRaw}

// clientsFor returns which of the clients run w.
func clientsFor(w workload, available []string) []string {
	var out []string
	for _, c := range available {
		switch {
		case c == clientWire && !w.wire:
		case c == clientRaw && !w.gridfs:
		case w.gridfs && c == clientNode:
		case w.goOnly && c != clientMotor && c != clientDriver:
		default:
			out = append(out, c)
		}
	}
	return out
}
