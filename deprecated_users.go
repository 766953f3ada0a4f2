package motor

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// AddUserOptions are the optional arguments of [Database.AddUser]. A nil *AddUserOptions means the defaults.
type AddUserOptions struct {
	// ReadOnly gives the user the read-only default role: "read", or "readAnyDatabase" on the admin database
	// (PyMongo's read_only=True). It applies to an existing user too, and cannot be combined with "roles" in Extra.
	// False leaves the roles alone, except that a new user without "roles" in Extra gets the default role "dbOwner",
	// or "root" on the admin database.
	ReadOnly bool

	// Extra holds the other fields of the user document (PyMongo's **kwargs), appended in order after the fields
	// AddUser sets: "roles", "customData", "mechanisms", "authenticationRestrictions", "comment" and so on. A key
	// that AddUser sets itself is an error: "createUser", "updateUser", "pwd" (pass the password argument),
	// "writeConcern" when the database has a write concern to send, "roles" with ReadOnly, and "digestPassword" with
	// a password (as in PyMongo, use a command for that).
	Extra bson.D
}

// AddUser creates the user name on this database with password, or changes the password (and ReadOnly role) of the
// user name if it exists: PyMongo's Database.add_user(name, password, read_only, **kwargs), which Motor 1.x wrapped.
// opts may be nil. An empty password means none (PyMongo's None): no "pwd" field is sent, e.g. to change only the
// roles, or for a user of "$external".
//
// It sends {usersInfo: name} first. If the reply lists no user, or the server answers Unauthorized (13, the
// localhost exception), it sends createUser, otherwise updateUser, each as PyMongo builds it:
//
//	{createUser|updateUser: name, roles: [DEFAULT_ROLE], pwd: password, writeConcern: {...}, EXTRA...}
//
// where roles is present with ReadOnly, or for a new user without "roles" in Extra (the default role is "read" with
// ReadOnly, else "dbOwner"; on the admin database "readAnyDatabase" or "root"); pwd with a password; writeConcern
// when the database's write concern is set, acknowledged and not empty (keys j then w). Both commands go to the
// primary; no read concern applies. Any other server error of usersInfo, and any error of the second command, is
// returned wrapped with %w, so errors.As(err, &mongo.CommandError{}) works. Argument errors wrap [ErrInvalidOption]
// and come before any I/O (PyMongo reports digestPassword after usersInfo). The password never appears in an error,
// and motor logs nothing; the driver's command monitoring and logging redact these commands.
//
// FerretDB (with authentication on) accepts only empty roles: pass bson.E{Key: "roles", Value: bson.A{}} in Extra.
//
// Deprecated: MongoDB 2.6 replaced user documents by the commands createUser, updateUser, usersInfo and dropUser,
// and PyMongo 3.x deprecated add_user for them (PyMongo 4.0 and Motor 2.0 removed it); the implicit default roles
// were deprecated with MongoDB 2.6 too. Send createUser or updateUser yourself, with explicit roles, with
// [Database.Command].
func (db *Database) AddUser(ctx context.Context, name, password string, opts *AddUserOptions) error {
	wc := db.set.wc
	// Check the arguments before any I/O; the document sent is built again once usersInfo has said which verb.
	if _, err := addUserCmd(db.name, name, password, true, wc, opts); err != nil {
		return err
	}
	op := fmt.Sprintf("add user %q", name)
	// The password is never in usersInfo; it is in createUser and updateUser, whose errors are scrubbed of it.
	raw, err := db.exec(ctx, call{op: op + ": usersInfo"}, bson.D{{Key: "usersInfo", Value: name}})
	create := false
	switch {
	case err == nil:
		users, lerr := raw.LookupErr("users")
		arr, ok := users.ArrayOK()
		if lerr != nil || !ok {
			return wrapOp(op, errors.New("the usersInfo reply has no users array"))
		}
		vals, verr := arr.Values()
		if verr != nil {
			return wrapOp(op, fmt.Errorf("reading the usersInfo reply: %w", verr))
		}
		create = len(vals) == 0
	case hasServerCode(err, codeUnauthorized):
		// The localhost exception: the first user may be created without authentication.
		create = true
	default:
		return err
	}
	cmd, err := addUserCmd(db.name, name, password, create, wc, opts)
	if err != nil {
		return err
	}
	if _, err := db.exec(ctx, call{op: op + ": " + cmd[0].Key}, cmd); err != nil {
		return scrubError(errors.Unwrap(err), []string{password}, "%s: %s", op, cmd[0].Key)
	}
	return nil
}

// RemoveUser removes the user name from this database: PyMongo's Database.remove_user(name), which Motor 1.x
// wrapped. It sends {dropUser: name} to the primary, with writeConcern when the database's write concern is set,
// acknowledged and not empty. A server error (for instance UserNotFound, 11) is returned wrapped with %w.
//
// Deprecated: PyMongo 3.x deprecated remove_user for the dropUser command (MongoDB 2.6); PyMongo 4.0 and Motor 2.0
// removed it. Send {dropUser: name} with [Database.Command].
func (db *Database) RemoveUser(ctx context.Context, name string) error {
	cmd, err := removeUserCmd(name, db.set.wc)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, call{op: fmt.Sprintf("remove user %q", name)}, cmd)
	return err
}

// addUserCmd builds add_user's createUser (create) or updateUser command, as PyMongo's _create_or_update_user does.
func addUserCmd(dbName, name, password string, create bool, wc *writeconcern.WriteConcern, o *AddUserOptions) (bson.D, error) {
	if o == nil {
		o = &AddUserOptions{}
	}
	if name == "" {
		return nil, invalidOptionf("add user: the user name must not be empty")
	}
	wcDoc := userWriteConcern(wc)
	seen := map[string]bool{}
	hasRoles := false
	for _, e := range o.Extra {
		if seen[e.Key] {
			return nil, invalidOptionf("add user: %q appears twice in Extra", e.Key)
		}
		seen[e.Key] = true
		switch e.Key {
		case "createUser", "updateUser":
			return nil, invalidOptionf("add user: Extra must not set %q; AddUser chooses the command", e.Key)
		case "pwd":
			return nil, invalidOptionf("add user: Extra must not set \"pwd\"; pass the password argument")
		case "writeConcern":
			if wcDoc != nil {
				return nil, invalidOptionf("add user: Extra \"writeConcern\" duplicates the database's write concern")
			}
		case "roles":
			hasRoles = true
			if o.ReadOnly {
				return nil, invalidOptionf("add user: cannot use ReadOnly and \"roles\" together")
			}
		case "digestPassword":
			if password != "" {
				return nil, invalidOptionf("add user: the digestPassword option is not supported by AddUser; " +
					"send createUser or updateUser yourself for it")
			}
		}
	}

	verb := "updateUser"
	if create {
		verb = "createUser"
	}
	cmd := bson.D{{Key: verb, Value: name}}
	if o.ReadOnly || (create && !hasRoles) {
		cmd = append(cmd, bson.E{Key: "roles", Value: bson.A{defaultUserRole(dbName, o.ReadOnly)}})
	}
	if password != "" {
		cmd = append(cmd, bson.E{Key: "pwd", Value: password})
	}
	if wcDoc != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wcDoc})
	}
	return append(cmd, o.Extra...), nil
}

// defaultUserRole is PyMongo's _default_role.
func defaultUserRole(dbName string, readOnly bool) string {
	switch {
	case dbName == "admin" && readOnly:
		return "readAnyDatabase"
	case dbName == "admin":
		return "root"
	case readOnly:
		return "read"
	default:
		return "dbOwner"
	}
}

// removeUserCmd builds remove_user's dropUser command.
func removeUserCmd(name string, wc *writeconcern.WriteConcern) (bson.D, error) {
	if name == "" {
		return nil, invalidOptionf("remove user: the user name must not be empty")
	}
	cmd := bson.D{{Key: "dropUser", Value: name}}
	if wcDoc := userWriteConcern(wc); wcDoc != nil {
		cmd = append(cmd, bson.E{Key: "writeConcern", Value: wcDoc})
	}
	return cmd, nil
}

// userWriteConcern is the writeConcern document that PyMongo's user helpers add: the database's write concern when
// it is acknowledged and not empty, else nil. Keys in PyMongo's order (wtimeout, j, fsync, w; the driver has no
// wtimeout or fsync).
func userWriteConcern(wc *writeconcern.WriteConcern) bson.D {
	if wc == nil || !wc.Acknowledged() {
		return nil
	}
	return writeConcernDoc(wc)
}
