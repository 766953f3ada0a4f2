package motor

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Client is a MongoDB client: Motor's AsyncIOMotorClient, as far as the database API needs it. It is a handle on a
// driver [*mongo.Client] (see [Client.Mongo]) plus the settings that its databases inherit. A Client is safe for
// concurrent use; make one per process and share it.
type Client struct {
	set   settings
	hosts []string

	// base are the driver options the client was made from (nil for NewClient); used to make a new driver client
	// when credentials change.
	base *options.ClientOptions

	drv    driverRef     // the driver client beneath
	limits *serverLimits // what the servers advertise; nil for NewClient
	login  *authLogin    // the credential given to Database.Authenticate; guarded by drv.mu
}

// Connect makes a client for the MongoDB connection string uri (mongodb:// or mongodb+srv://). Like the driver's
// mongo.Connect it does no I/O: servers are discovered in the background and the first operation waits for one.
// The URI's read preference, read concern and write concern become the client's settings, which opts may override;
// [WithClientOptions] passes any other driver option.
//
// Errors wrap [ErrInvalidOption] for a bad URI or option. Neither errors nor [Client.String] ever show the URI's
// password.
func Connect(uri string, opts ...Option) (*Client, error) {
	co := options.Client().ApplyURI(uri)
	s := settings{codec: defaultCodec, clientOpts: co, rp: co.ReadPreference, rc: co.ReadConcern, wc: co.WriteConcern}
	secrets := uriSecrets(uri)
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(&s); err != nil {
			return nil, err
		}
	}
	co = s.clientOpts
	s.clientOpts = nil
	if co.Auth != nil && co.Auth.Password != "" {
		secrets = append(secrets, co.Auth.Password)
	}
	if err := co.Validate(); err != nil {
		return nil, &optError{msg: "motor: invalid client options: " + redact(err.Error(), secrets)}
	}
	limits := &serverLimits{}
	co.SetServerMonitor(limits.monitor(co.ServerMonitor))
	mc, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("motor: connect: %s", redact(err.Error(), secrets))
	}
	c := &Client{set: s, hosts: co.Hosts, base: co, limits: limits}
	c.drv.store(mc)
	return c, nil
}

// NewClient wraps a driver client that the caller already has, so that code using the driver can adopt motor one
// call at a time. The driver client's own read preference, read concern and write concern keep applying; the driver
// does not expose them, so pass the same settings as opts if motor's getters should report them. [Client.Disconnect]
// on the result disconnects mc too.
func NewClient(mc *mongo.Client, opts ...Option) (*Client, error) {
	if mc == nil {
		return nil, invalidOptionf("NewClient needs a non-nil *mongo.Client")
	}
	s, err := settings{codec: defaultCodec}.derive(opts)
	if err != nil {
		return nil, err
	}
	c := &Client{set: s}
	c.drv.store(mc)
	return c, nil
}

// Mongo returns the driver client beneath, for anything motor does not offer. After [Client.Disconnect] it returns
// nil.
func (c *Client) Mongo() *mongo.Client {
	if cn := c.drv.load(); cn != nil {
		return cn.mc
	}
	return nil
}

// Database returns a handle on the database name: Motor's client[name], client.name and get_database(name, ...). The
// handle inherits the client's settings, which opts override. No I/O happens.
//
// The name is checked with PyMongo's rules: it must not be empty or contain ' ', '.', '$', '/', '\', '"' or NUL,
// except for "$external". A bad name gives a [*NameError] that wraps [ErrInvalidName], naming the first offending
// character of the name (PyMongo names the first in its own list order). The error stays in the handle, so that
// handles chain (client.Database("blog").Collection("posts")): [Database.Err] reports it, and every operation on the
// database and its collections returns it before any I/O. A bad option is kept the same way, as an
// [ErrInvalidOption] error.
func (c *Client) Database(name string, opts ...Option) *Database {
	db := &Database{client: c, name: name, set: c.set, hooks: new(hookSlot)}
	if db.err = validateDatabaseName(name); db.err == nil {
		if s, err := c.set.derive(opts); err != nil {
			db.err = err
		} else {
			db.set = s
		}
	}
	return db
}

// SessionOptions are the options of [Client.StartSession]: the keyword arguments of Motor's
// start_session(causal_consistency, default_transaction_options, snapshot). The zero value (or a nil pointer) starts
// a causally consistent session.
type SessionOptions struct {
	// CausalConsistency, when false, lets a read not see the session's earlier writes. nil means true, as in Motor.
	CausalConsistency *bool

	// Snapshot reads every document of the session at one point in time (MongoDB 5.0+). It cannot be combined with
	// CausalConsistency true.
	Snapshot bool

	// DefaultTransactionOptions are the settings of the session's transactions that a transaction does not set
	// itself. nil fields inherit the client's.
	DefaultTransactionOptions *TransactionOptions
}

// TransactionOptions are the settings of a transaction: Motor's TransactionOptions(read_concern, write_concern,
// read_preference). Motor's max_commit_time_ms has no counterpart: the driver bounds commitTransaction by the
// deadline of the context given to CommitTransaction.
type TransactionOptions struct {
	ReadConcern    *readconcern.ReadConcern
	WriteConcern   *writeconcern.WriteConcern
	ReadPreference *readpref.ReadPref
}

// StartSession starts a driver session for causally consistent reads, snapshot reads or transactions: Motor's
// start_session. No I/O happens. Pass the session to motor calls through the context: ctx =
// mongo.NewSessionContext(ctx, sess); end it with sess.EndSession(ctx). Run a transaction with the driver session's
// WithTransaction or StartTransaction.
//
// CausalConsistency true with Snapshot is an [ErrInvalidOption] error; after
// [Client.Disconnect] the error is [ErrClientDisconnected].
func (c *Client) StartSession(ctx context.Context, opts *SessionOptions) (*mongo.Session, error) {
	b, err := sessionOpts(opts)
	if err != nil {
		return nil, wrapOp("start session", err)
	}
	return c.startSession(ctx, b)
}

// sessionOpts translates o into the driver's builder.
func sessionOpts(o *SessionOptions) (*options.SessionOptionsBuilder, error) {
	b := options.Session()
	if o == nil {
		return b, nil
	}
	if o.Snapshot && o.CausalConsistency != nil && *o.CausalConsistency {
		return nil, invalidOptionf("SessionOptions: CausalConsistency and Snapshot cannot both be true")
	}
	if o.CausalConsistency != nil {
		b.SetCausalConsistency(*o.CausalConsistency)
	}
	if o.Snapshot {
		b.SetSnapshot(true)
	}
	if t := o.DefaultTransactionOptions; t != nil {
		to := options.Transaction()
		if t.ReadConcern != nil {
			to.SetReadConcern(t.ReadConcern)
		}
		if t.WriteConcern != nil {
			to.SetWriteConcern(t.WriteConcern)
		}
		if t.ReadPreference != nil {
			to.SetReadPreference(t.ReadPreference)
		}
		b.SetDefaultTransactionOptions(to)
	}
	return b, nil
}

// Disconnect waits for the operations in flight to end, then closes the driver client and its connections: Motor's
// close(). It returns by ctx's deadline: when ctx is done first, the driver closes the connections still in use, and
// the operations on them fail. A second Disconnect returns nil.
//
// Disconnect is final. Later operations on the client and on every handle made from it return an error wrapping
// [ErrClientDisconnected] ("motor: command ping: client is disconnected"), before any I/O, and [Client.Mongo]
// returns nil; make a new client with [Connect] to go on. Unlike Motor, whose client reopens itself when it is used
// after close() (PyMongo's MongoClient.close: "if this instance is used again it will be automatically
// re-opened"), so that a use after close silently opens new connections: the driver client beneath cannot be
// reconnected, and a use after Disconnect is a bug that motor reports.
func (c *Client) Disconnect(ctx context.Context) error {
	return wrapOp("disconnect", c.drv.close(ctx))
}

// retryReads reports whether the client retries reads: the driver option, true unless disabled (and for a client
// made by NewClient, whose driver options motor cannot see).
func (c *Client) retryReads() bool {
	return c.base == nil || c.base.RetryReads == nil || *c.base.RetryReads
}

// ReadPreference returns the client's read preference; primary when none was set.
func (c *Client) ReadPreference() *readpref.ReadPref { return c.set.readPreference() }

// ReadConcern returns the client's read concern; the empty (server default) read concern when none was set.
func (c *Client) ReadConcern() *readconcern.ReadConcern { return c.set.readConcern() }

// WriteConcern returns the client's write concern; the empty (server default) write concern when none was set.
func (c *Client) WriteConcern() *writeconcern.WriteConcern { return c.set.writeConcern() }

// CodecOptions returns the client's codec options.
func (c *Client) CodecOptions() CodecOptions { return c.set.codec.opts }

// String describes the client by its hosts. It never shows credentials.
func (c *Client) String() string {
	if len(c.hosts) == 0 {
		return "motor.Client"
	}
	return "motor.Client(" + strings.Join(c.hosts, ",") + ")"
}

// uriSecrets returns the password in uri's user information, raw and unescaped, so that errors can be cleaned of it.
func uriSecrets(uri string) []string {
	i := strings.Index(uri, "://")
	if i < 0 {
		return nil
	}
	rest := uri[i+3:]
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		rest = rest[:j]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return nil
	}
	userinfo := rest[:at]
	colon := strings.Index(userinfo, ":")
	if colon < 0 {
		return []string{userinfo} // a user name alone can be sensitive too (X.509 subjects)
	}
	pw := userinfo[colon+1:]
	out := []string{userinfo, pw}
	if u, err := url.PathUnescape(pw); err == nil && u != pw {
		out = append(out, u)
	}
	return out
}

// redact replaces every secret in s with "xxxxx".
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "xxxxx")
		}
	}
	return s
}
