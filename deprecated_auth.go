package motor

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AuthMechanism names an authentication mechanism for [Database.Authenticate] (PyMongo's mechanism argument).
type AuthMechanism string

// The mechanisms that [Database.Authenticate] accepts: PyMongo 3.11's, less MONGODB-CR, which MongoDB 4.0 removed.
const (
	// AuthDefault negotiates SCRAM-SHA-256 or SCRAM-SHA-1 with the server (MongoDB 4.0+ advertises the user's
	// mechanisms; older servers get SCRAM-SHA-1). The zero AuthMechanism means AuthDefault.
	AuthDefault AuthMechanism = "DEFAULT"
	// AuthSCRAMSHA1 is SCRAM with SHA-1 (MongoDB 3.0+).
	AuthSCRAMSHA1 AuthMechanism = "SCRAM-SHA-1"
	// AuthSCRAMSHA256 is SCRAM with SHA-256 (MongoDB 4.0+).
	AuthSCRAMSHA256 AuthMechanism = "SCRAM-SHA-256"
	// AuthPLAIN is SASL PLAIN, for LDAP proxy authentication (MongoDB Enterprise). The password travels in clear
	// text: use it only over TLS.
	AuthPLAIN AuthMechanism = "PLAIN"
	// AuthX509 authenticates with the client's TLS certificate (set in the client's TLS options); the name, if
	// given, is the certificate's subject. It takes no password.
	AuthX509 AuthMechanism = "MONGODB-X509"
	// AuthGSSAPI is Kerberos (MongoDB Enterprise). The driver supports it only when built with -tags gssapi;
	// otherwise Authenticate fails with the driver's error saying so.
	AuthGSSAPI AuthMechanism = "GSSAPI"
	// AuthAWS authenticates with AWS IAM credentials: the name and password are the access key id and secret key,
	// both or neither (then the driver reads them from the environment); a session token goes in the
	// AWS_SESSION_TOKEN mechanism property.
	AuthAWS AuthMechanism = "MONGODB-AWS"

	authMongoDBCR AuthMechanism = "MONGODB-CR"
)

// String returns the mechanism's name, "DEFAULT" for the zero value.
func (m AuthMechanism) String() string {
	if m == "" {
		return string(AuthDefault)
	}
	return string(m)
}

var authMechanisms = []AuthMechanism{AuthDefault, AuthSCRAMSHA1, AuthSCRAMSHA256, AuthPLAIN, AuthX509, AuthGSSAPI, AuthAWS}

// authPropertyKeys are the authMechanismProperties each mechanism accepts.
var authPropertyKeys = map[AuthMechanism][]string{
	AuthGSSAPI: {"SERVICE_NAME", "CANONICALIZE_HOST_NAME", "SERVICE_REALM", "SERVICE_HOST"},
	AuthAWS:    {"AWS_SESSION_TOKEN"},
}

// AuthenticateOptions are the optional arguments of [Database.Authenticate]. A nil *AuthenticateOptions means the
// defaults: the DEFAULT mechanism against this database.
type AuthenticateOptions struct {
	// Source is the database that holds the user (PyMongo's source). "" means the database Authenticate is called
	// on, except for MONGODB-X509, GSSAPI and MONGODB-AWS, whose users always live in "$external" (the only value
	// they accept).
	Source string

	// Mechanism is the authentication mechanism; "" means [AuthDefault].
	Mechanism AuthMechanism

	// MechanismProperties are the mechanism's properties (PyMongo's authmechanismproperties), for GSSAPI
	// (SERVICE_NAME, CANONICALIZE_HOST_NAME, SERVICE_REALM, SERVICE_HOST) and MONGODB-AWS (AWS_SESSION_TOKEN). Other
	// mechanisms take none.
	MechanismProperties map[string]string

	// Extra holds PyMongo's remaining keyword arguments. The only one PyMongo accepts there is
	// "authmechanismproperties" (any case here), as its "KEY:VALUE,KEY:VALUE" string or as a document of strings; it
	// must not be combined with MechanismProperties. Any other key is an error.
	Extra bson.D
}

// authLogin is the credential that Authenticate gave the client, and the database it was given on.
type authLogin struct {
	db   string
	cred options.Credential
}

// Authenticate makes the client's operations, from the call on, run as the user name with password: PyMongo's
// Database.authenticate(name, password, source, mechanism, **kwargs), which Motor 1.x wrapped. opts may be nil.
//
// The driver sets credentials only when a driver client is made, so Authenticate makes a new driver client from the
// options the client was made from ([Connect]'s URI and options) plus the credential, checks the credential with a
// ping (every new connection authenticates, so wrong credentials fail here), and swaps it in. It then closes the old
// driver client once the operations in flight on it have ended; it waits for that until ctx is done, and after that
// lets it finish in the background. Cursors and sessions made before the call stop working (the server-side cursors
// belong to the old connections, as Motor 2.3 warns for MongoDB 3.6+), and [Client.Mongo] returns the new driver
// client. Every [Database] and [Collection] of the client, whatever its database, uses the new credential: as
// Motor 2.3 says, authentication is shared by all users of the client; use separate clients for separate identities.
//
// Credentials are remembered per database name, like PyMongo's cache: authenticating again on the same database
// with the same credentials does nothing and needs no I/O; with other credentials it fails with
// [ErrAlreadyAuthenticated] until [Database.Logout]. The driver holds one credential per client, where PyMongo could
// hold one per database, so authenticating on a second database while the first is still logged in also fails with
// ErrAlreadyAuthenticated. A credential in the connection string is not in that cache: Authenticate replaces it until
// Logout puts it back.
//
// Before any I/O it returns an error wrapping [ErrInvalidOption] for: a mechanism outside the set of [AuthMechanism]
// constants (MONGODB-CR gets a message saying that MongoDB 4.0 removed it); an empty name for DEFAULT, SCRAM-SHA-1,
// SCRAM-SHA-256, PLAIN and GSSAPI; an empty password for DEFAULT, SCRAM and PLAIN, or any password for MONGODB-X509;
// a source other than "$external" for MONGODB-X509, GSSAPI and MONGODB-AWS; mechanism properties that the mechanism
// does not take; and an unknown key in Extra. A client made by [NewClient] cannot rebuild its driver client, so
// Authenticate returns an error wrapping ErrInvalidOption there too. A failed check leaves the client as it was; the
// error wraps the driver's (for wrong credentials, an AuthenticationFailed error). The password never appears in an
// error, and motor logs nothing.
//
// Deprecated: drivers take credentials when a client is made, and since MongoDB 3.6 authenticating a live client
// invalidates its cursors; PyMongo 3.x deprecated authenticate and logout for that, and PyMongo 4.0 and Motor 2.0
// removed them. Put the
// credentials in the URI ("mongodb://user:pass@host/?authSource=db") or in [WithClientOptions] with
// [options.Client]().SetAuth, given to [Connect], and use one client per identity.
func (db *Database) Authenticate(ctx context.Context, name, password string, opts *AuthenticateOptions) error {
	if db.err != nil {
		return wrapOp("authenticate", db.err)
	}
	if ctx == nil {
		return wrapOp("authenticate", errNilContext)
	}
	cred, err := authCredential(db.name, name, password, opts)
	if err != nil {
		return err
	}
	return db.client.authenticate(ctx, db.name, cred)
}

// Logout forgets the credentials that [Database.Authenticate] gave on this database: PyMongo's Database.logout().
// The client goes back to the credentials it was made with (none, or those of its connection string and options):
// like Authenticate, Logout swaps in a new driver client and closes the old one once its operations in flight have
// ended (waiting for that until ctx is done), so open cursors and sessions stop working. Logout makes no connection
// itself. When no credentials were given on this database it does nothing and returns nil. It returns
// [ErrClientDisconnected] after [Client.Disconnect].
//
// Deprecated: PyMongo 3.x deprecated logout along with authenticate; PyMongo 4.0 and Motor 2.0 removed them.
// Disconnect the authenticated client ([Client.Disconnect]) and use a client made without credentials.
func (db *Database) Logout(ctx context.Context) error {
	if db.err != nil {
		return wrapOp("logout", db.err)
	}
	if ctx == nil {
		return wrapOp("logout", errNilContext)
	}
	return db.client.logout(ctx, db.name)
}

// authCredential checks Authenticate's arguments as PyMongo does and builds the driver credential. It does no I/O.
func authCredential(dbName, name, password string, o *AuthenticateOptions) (options.Credential, error) {
	if o == nil {
		o = &AuthenticateOptions{}
	}
	mech := o.Mechanism
	if mech == "" {
		mech = AuthDefault
	}
	if mech == authMongoDBCR {
		return options.Credential{}, invalidOptionf("authenticate: the MONGODB-CR mechanism was removed in MongoDB 4.0; " +
			"use DEFAULT, SCRAM-SHA-1 or SCRAM-SHA-256")
	}
	if !slices.Contains(authMechanisms, mech) {
		names := make([]string, len(authMechanisms))
		for i, m := range authMechanisms {
			names[i] = string(m)
		}
		return options.Credential{}, invalidOptionf("authenticate: mechanism must be one of %s, not %q",
			strings.Join(names, ", "), string(mech))
	}

	props := maps.Clone(o.MechanismProperties)
	seen := false
	for _, e := range o.Extra {
		if !strings.EqualFold(e.Key, "authMechanismProperties") {
			return options.Credential{}, invalidOptionf("authenticate: unknown authentication option %q in Extra", e.Key)
		}
		if seen {
			return options.Credential{}, invalidOptionf("authenticate: %q appears twice in Extra", e.Key)
		}
		seen = true
		if o.MechanismProperties != nil {
			return options.Credential{}, invalidOptionf("authenticate: Extra %q duplicates MechanismProperties", e.Key)
		}
		p, err := authProperties(e.Value)
		if err != nil {
			return options.Credential{}, err
		}
		props = p
	}
	if len(props) > 0 {
		allowed := authPropertyKeys[mech]
		if allowed == nil {
			return options.Credential{}, invalidOptionf("authenticate: the %s mechanism takes no mechanism properties", mech)
		}
		for _, k := range slices.Sorted(maps.Keys(props)) {
			if !slices.Contains(allowed, k) {
				return options.Credential{}, invalidOptionf("authenticate: unknown %s mechanism property %q (known: %s)",
					mech, k, strings.Join(allowed, ", "))
			}
		}
	} else {
		props = nil
	}

	source := o.Source
	switch mech {
	case AuthDefault, AuthSCRAMSHA1, AuthSCRAMSHA256, AuthPLAIN:
		if name == "" {
			return options.Credential{}, invalidOptionf("authenticate: %s requires a user name", mech)
		}
		if password == "" {
			return options.Credential{}, invalidOptionf("authenticate: %s requires a password", mech)
		}
		if source == "" {
			source = dbName
		}
	case AuthX509, AuthGSSAPI, AuthAWS:
		if source != "" && source != "$external" {
			return options.Credential{}, invalidOptionf("authenticate: the source of %s must be \"$external\", not %q", mech, source)
		}
		source = "$external"
		switch mech {
		case AuthX509:
			if password != "" {
				return options.Credential{}, invalidOptionf("authenticate: MONGODB-X509 takes no password")
			}
		case AuthGSSAPI:
			if name == "" {
				return options.Credential{}, invalidOptionf("authenticate: GSSAPI requires a user name (the Kerberos principal)")
			}
		case AuthAWS:
			if (name == "") != (password == "") {
				return options.Credential{}, invalidOptionf("authenticate: MONGODB-AWS takes both a name (access key id) and " +
					"a password (secret access key), or neither")
			}
		}
	}

	cred := options.Credential{
		AuthSource:              source,
		Username:                name,
		Password:                password,
		PasswordSet:             password != "",
		AuthMechanismProperties: props,
	}
	if mech != AuthDefault {
		cred.AuthMechanism = string(mech)
	}
	return cred, nil
}

// authProperties reads PyMongo's authmechanismproperties: "KEY:VALUE,KEY:VALUE", or a document of string values.
func authProperties(v any) (map[string]string, error) {
	out := map[string]string{}
	switch p := v.(type) {
	case string:
		for _, kv := range strings.Split(p, ",") {
			k, val, ok := strings.Cut(kv, ":")
			if !ok || k == "" {
				return nil, invalidOptionf("authenticate: authMechanismProperties must look like \"KEY:VALUE,KEY:VALUE\"")
			}
			out[k] = val
		}
	case map[string]string:
		maps.Copy(out, p)
	case bson.D:
		for _, e := range p {
			s, ok := e.Value.(string)
			if !ok {
				return nil, invalidOptionf("authenticate: authMechanismProperties %q must be a string, not %T", e.Key, e.Value)
			}
			out[e.Key] = s
		}
	case bson.M:
		for k, val := range p {
			s, ok := val.(string)
			if !ok {
				return nil, invalidOptionf("authenticate: authMechanismProperties %q must be a string, not %T", k, val)
			}
			out[k] = s
		}
	default:
		return nil, invalidOptionf("authenticate: authMechanismProperties must be a string or a document, not %T", v)
	}
	return out, nil
}

// sameCredential reports whether a and b are the same credential.
func sameCredential(a, b options.Credential) bool {
	return a.AuthMechanism == b.AuthMechanism && a.AuthSource == b.AuthSource && a.Username == b.Username &&
		a.Password == b.Password && maps.Equal(a.AuthMechanismProperties, b.AuthMechanismProperties)
}

// credSecrets returns the secret parts of cred, for scrubbing errors.
func credSecrets(cred *options.Credential) []string {
	if cred == nil {
		return nil
	}
	return []string{cred.Password, cred.AuthMechanismProperties["AWS_SESSION_TOKEN"]}
}

// authenticate swaps in a driver client with cred, unless the cache says otherwise.
func (c *Client) authenticate(ctx context.Context, dbName string, cred options.Credential) error {
	if c.base == nil {
		return invalidOptionf("authenticate: a client made by NewClient cannot change its credentials; " +
			"make one with Connect, or make the *mongo.Client with the credentials")
	}
	c.drv.mu.Lock()
	defer c.drv.mu.Unlock()
	if c.drv.load() == nil {
		return wrapOp("authenticate", ErrClientDisconnected)
	}
	if l := c.login; l != nil {
		switch {
		case l.db == dbName && sameCredential(l.cred, cred):
			return nil
		case l.db == dbName:
			return fmt.Errorf("%w to database %q; call Logout first", ErrAlreadyAuthenticated, dbName)
		default:
			return fmt.Errorf("%w through database %q, and a client holds one credential; call Logout on %q first",
				ErrAlreadyAuthenticated, l.db, l.db)
		}
	}
	secrets := append(uriSecrets(c.base.GetURI()), credSecrets(c.base.Auth)...)
	secrets = append(secrets, credSecrets(&cred)...)

	co := *c.base
	stored := cred
	stored.AuthMechanismProperties = maps.Clone(cred.AuthMechanismProperties)
	co.Auth = &cred
	mc, err := mongo.Connect(&co)
	if err != nil {
		return scrubError(err, secrets, "authenticate as %q", cred.Username)
	}
	if err := checkNew(ctx, mc); err != nil {
		return scrubError(err, secrets, "authenticate as %q on %q with %s", cred.Username, cred.AuthSource,
			AuthMechanism(cred.AuthMechanism))
	}
	c.drv.swap(ctx, mc)
	c.login = &authLogin{db: dbName, cred: stored}
	return nil
}

// logout swaps in a driver client with the client's own options, if dbName holds the Authenticate credential.
func (c *Client) logout(ctx context.Context, dbName string) error {
	c.drv.mu.Lock()
	defer c.drv.mu.Unlock()
	if c.drv.load() == nil {
		return wrapOp("logout", ErrClientDisconnected)
	}
	if c.login == nil || c.login.db != dbName {
		return nil
	}
	co := *c.base
	mc, err := mongo.Connect(&co)
	if err != nil {
		secrets := append(uriSecrets(c.base.GetURI()), credSecrets(c.base.Auth)...)
		return scrubError(err, secrets, "logout")
	}
	c.drv.swap(ctx, mc)
	c.login = nil
	return nil
}

// scrubError wraps err as the error of the operation, unless its text contains one of secrets: then the secrets are replaced in the
// text and the chain is cut, so that no secret can be reached through errors.Unwrap either.
func scrubError(err error, secrets []string, format string, args ...any) error {
	msg := err.Error()
	if clean := redact(msg, secrets); clean != msg {
		return fmt.Errorf("motor: "+format+": %s", append(args, clean)...)
	}
	return wrapOp(fmt.Sprintf(format, args...), err)
}
