package motor

import (
	"context"
	"encoding/binary"
	"reflect"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor/internal/bsonutil"
)

// CommandOptions are the options of [Database.Command] and [CommandAs]: the keyword arguments of Motor's
// command(command, value=1, check=True, allowable_errors=None, read_preference=None, codec_options=..., **kwargs).
// The zero value (or a nil pointer) is Motor's defaults: value 1, replies checked, no allowable errors, primary,
// the default codec options, no extra fields. The session= argument travels in the context
// ([mongo.NewSessionContext]).
type CommandOptions struct {
	// Value is the value of the command's verb when the command is given by name: Motor's value. nil means int32 1,
	// so "buildInfo" is sent as {buildInfo: 1}. Setting it with a command given as a document is an error.
	Value any

	// NoCheck returns a failed reply (ok: 0) as it is, without an error: Motor's check=False. The zero value checks
	// the reply, as Motor does by default.
	NoCheck bool

	// AllowableCodes and AllowableMessages make a failed reply whose code is one of AllowableCodes, or whose errmsg
	// is exactly one of AllowableMessages, come back as the reply instead of an error: Motor's allowable_errors
	// (a mixed list of codes and messages there). Like PyMongo, when a mongos reply carries a "raw" document of shard
	// replies, the first failed shard's code and message are the ones compared.
	AllowableCodes    []int32
	AllowableMessages []string

	// ReadPreference is the read preference of this call only. nil means primary, whatever the database's read
	// preference is, as Motor does.
	ReadPreference *readpref.ReadPref

	// CodecOptions say how the reply is decoded (and how the command document is encoded). nil means the zero
	// [CodecOptions], Motor's DEFAULT_CODEC_OPTIONS, NOT the database's codec options: Motor's command decodes
	// with its codec_options argument, whose default is DEFAULT_CODEC_OPTIONS. Unlike Motor, which strips the type
	// decoders of a TypeRegistry from command replies, motor applies all of them.
	CodecOptions *CodecOptions

	// Extra fields are appended to the command document in order, after the command's own fields: PyMongo's
	// **kwargs. A key that the command document already has, or that appears twice, is an error.
	Extra bson.D
}

// Command sends a command to this database and returns the server's reply: Motor's
// AsyncIOMotorDatabase.command.
//
// cmd is either the name of the command, sent as {name: opts.Value} (value int32 1 by default), or the whole
// command document: a [bson.D], a [bson.Raw], a single [bson.E], a struct (or a pointer to one) or a map with
// exactly one key. The order of keys matters (the command name must come first), so a map with more than one key is
// rejected before any I/O, as is an empty name or document. opts.Extra fields follow the command's own fields in their order. The
// caller's document is never modified.
//
//	db.Command(ctx, "buildInfo", nil)                                       // {buildInfo: 1}
//	db.Command(ctx, "collStats", &motor.CommandOptions{Value: "orders"})    // {collStats: "orders"}
//	db.Command(ctx, bson.D{{Key: "count", Value: "orders"}}, &motor.CommandOptions{
//		Extra: bson.D{{Key: "query", Value: bson.D{{Key: "x", Value: 1}}}}, // {count: "orders", query: {x: 1}}
//	})
//
// As in Motor, the command is sent to this database with primary read preference unless opts.ReadPreference says
// otherwise; the database's read preference, read concern and write concern are not applied (put readConcern or
// writeConcern in the command if it needs them). The command is not retried. A session in ctx is used.
//
// A reply with ok: 0 is an error that wraps the server's [mongo.CommandError], so errors.As(err,
// &mongo.CommandError{}) reads its code, name and message and the full reply (Raw); with opts.NoCheck, or when the
// failure is one of opts.AllowableCodes or opts.AllowableMessages, the failed reply is returned instead, with a nil
// error. As in Motor, a reply with ok: 1 is returned as it is even when it reports writeErrors or a
// writeConcernError. Bad arguments are [ErrInvalidOption] errors before any I/O.
//
// The reply is a [bson.D] decoded with opts.CodecOptions (the default codec options when nil); nested documents
// have its DocumentType. Use [CommandAs] to decode the reply into a Go type.
//
// See https://www.mongodb.com/docs/manual/reference/method/db.runCommand/ and
// https://www.mongodb.com/docs/manual/reference/command/.
func (db *Database) Command(ctx context.Context, cmd any, opts *CommandOptions) (bson.D, error) {
	raw, c, err := db.command(ctx, cmd, opts)
	if err != nil {
		return nil, err
	}
	return c.decodeD(raw)
}

// CommandAs is [Database.Command] with the reply decoded into a T, with opts.CodecOptions (the default codec options
// when nil): any type the codec can decode a document into, such as a struct, [bson.M] or [bson.Raw] (the reply's
// bytes). A failed reply returned because of opts.NoCheck or an allowable error is decoded into T too. On error the
// zero T is returned.
//
//	info, err := motor.CommandAs[struct{ Version string }](ctx, db, "buildInfo", nil)
//
// It is a function because Go methods cannot have type parameters. Everything else (what is sent, read preference,
// checks, errors) is as for [Database.Command], Motor's command.
//
// See https://www.mongodb.com/docs/manual/reference/method/db.runCommand/.
func CommandAs[T any](ctx context.Context, db *Database, cmd any, opts *CommandOptions) (T, error) {
	var zero T
	if db == nil {
		return zero, invalidOptionf("CommandAs needs a non-nil *Database")
	}
	raw, c, err := db.command(ctx, cmd, opts)
	if err != nil {
		return zero, err
	}
	var v T
	if err := c.decode(raw, &v); err != nil {
		return zero, wrapOp("command", err)
	}
	return v, nil
}

// noCommandOptions are the defaults of Command.
var noCommandOptions CommandOptions

// command builds, sends and checks a command; it returns the reply to decode and the codec to decode it with.
func (db *Database) command(ctx context.Context, cmd any, opts *CommandOptions) (bson.Raw, *codec, error) {
	if opts == nil {
		opts = &noCommandOptions
	}
	c := defaultCodec
	if opts.CodecOptions != nil {
		var err error
		if c, err = compileCodec(*opts.CodecOptions); err != nil {
			return nil, nil, err
		}
	}
	doc, verb, err := commandCmd(cmd, opts.Value, opts.Extra, c.reg)
	if err != nil {
		return nil, nil, err
	}
	var accept func(bson.Raw) bool
	if opts.NoCheck {
		accept = func(bson.Raw) bool { return true }
	} else if len(opts.AllowableCodes)+len(opts.AllowableMessages) > 0 {
		accept = func(failed bson.Raw) bool { return allowable(failed, opts.AllowableCodes, opts.AllowableMessages) }
	}
	reply, err := db.exec(ctx, call{op: "command", subject: verb, rp: opts.ReadPreference, codec: c, accept: accept,
		writeErrorsOK: true}, doc)
	if err != nil {
		return nil, nil, err
	}
	return reply, c, nil
}

// allowable reports whether the failed reply matches one of the allowable codes or messages. As PyMongo's
// _check_command_response does, the details are the first failed shard's in a mongos "raw" reply, else the reply's.
func allowable(reply bson.Raw, codes []int32, msgs []string) bool {
	if len(codes) == 0 && len(msgs) == 0 {
		return false
	}
	details := reply
	if shard, ok := failedShard(reply); ok {
		details = shard
	}
	if msg, ok := details.Lookup("errmsg").StringValueOK(); ok && slices.Contains(msgs, msg) {
		return true
	}
	if code, ok := details.Lookup("code").AsInt64OK(); ok {
		for _, c := range codes {
			if int64(c) == code {
				return true
			}
		}
	}
	return false
}

// failedShard returns the first failed shard's reply of a mongos reply with a "raw" document of shard replies, as
// PyMongo's _check_command_response reads it, and whether there is one.
func failedShard(reply bson.Raw) (bson.Raw, bool) {
	shards, ok := reply.Lookup("raw").DocumentOK()
	if !ok {
		return nil, false
	}
	elems, _ := shards.Elements()
	for _, e := range elems {
		shard, ok := e.Value().DocumentOK()
		if !ok {
			continue
		}
		msg, _ := shard.Lookup("errmsg").StringValueOK()
		if msg != "" && !bsonutil.Truthy(shard.Lookup("ok")) {
			return shard, true
		}
	}
	return nil, false
}

// commandCmd builds the document of a command given by name (sent as {name: value}, value int32 1 when nil) or as
// a document, with extra appended, and returns it with the command's name (its first key). A command given as a
// bson.D goes out as that bson.D (the driver encodes it), or encoded with reg when extra is appended; a bson.Raw
// goes out as it is, never decoded; structs and maps are encoded with reg. The caller's values are not modified.
func commandCmd(cmd any, value any, extra bson.D, reg *bson.Registry) (doc any, verb string, err error) {
	if name, ok := cmd.(string); ok {
		if name == "" {
			return nil, "", invalidOptionf("the command name must not be empty")
		}
		if value == nil {
			value = int32(1)
		}
		d := bson.D{{Key: name, Value: value}}
		if len(extra) == 0 {
			return d, name, nil
		}
		if d, err = appendExtraFields(d, extra, "CommandOptions", name); err != nil {
			return nil, "", err
		}
		return d, name, nil
	}
	if value != nil {
		return nil, "", invalidOptionf("CommandOptions.Value applies only to a command given by name, not to a %T", cmd)
	}
	if d, ok := cmd.(bson.D); ok && len(d) > 0 && d[0].Key != "" {
		for _, x := range extra {
			for _, e := range d {
				if x.Key == e.Key {
					return nil, "", invalidOptionf("CommandOptions.Extra key %q duplicates a key of the command document", x.Key)
				}
			}
		}
		if len(extra) == 0 {
			return d, d[0].Key, nil
		}
		out, err := appendExtraFields(append(make(bson.D, 0, len(d)+len(extra)), d...), extra, "CommandOptions")
		if err != nil {
			return nil, "", err
		}
		return out, d[0].Key, nil
	}
	raw, err := commandDoc(cmd, reg)
	if err != nil {
		return nil, "", err
	}
	first, err := raw.IndexErr(0)
	if err != nil {
		return nil, "", invalidOptionf("invalid command document: %v", err)
	}
	verb = first.Key()
	if verb == "" {
		return nil, "", invalidOptionf("the command name (the first key of the command document) must not be empty")
	}
	if len(extra) == 0 {
		return raw, verb, nil
	}
	for _, x := range extra {
		if _, err := raw.LookupErr(x.Key); err == nil {
			return nil, "", invalidOptionf("CommandOptions.Extra key %q duplicates a key of the command document", x.Key)
		}
	}
	if _, err := appendExtraFields(nil, extra, "CommandOptions"); err != nil {
		return nil, "", err
	}
	more, err := bsonutil.Encode(reg, extra)
	if err != nil {
		return nil, "", invalidOptionf("cannot encode CommandOptions.Extra: %v", err)
	}
	return concatDocs(raw, more), verb, nil
}

// commandDoc returns a command document given as a document other than a non-empty bson.D as non-empty bytes.
func commandDoc(cmd any, reg *bson.Registry) (bson.Raw, error) {
	switch d := cmd.(type) {
	case nil:
		return nil, invalidOptionf("a command (a name or a document) is required")
	case bson.D:
		if len(d) == 0 {
			return nil, invalidOptionf("the command document must not be empty")
		}
		return encodeCommand(reg, d)
	case bson.Raw:
		if err := d.Validate(); err != nil {
			return nil, invalidOptionf("invalid command document: %v", err)
		}
		if n := int(binary.LittleEndian.Uint32(d)); n != len(d) {
			return nil, invalidOptionf("invalid command document: it is %d bytes long, and %d more follow it", n, len(d)-n)
		}
		if len(d) <= 5 {
			return nil, invalidOptionf("the command document must not be empty")
		}
		return d, nil
	case bson.E:
		return encodeCommand(reg, bson.D{d})
	}
	rv := reflect.ValueOf(cmd)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, invalidOptionf("the command document is a nil %T", cmd)
		}
		if rv.Elem().Kind() != reflect.Struct {
			return commandDoc(rv.Elem().Interface(), reg)
		}
	}
	switch k := reflect.Indirect(rv).Kind(); {
	case k == reflect.Map && rv.Type().Key().Kind() == reflect.String:
		switch rv.Len() {
		case 0:
			return nil, invalidOptionf("the command document must not be empty")
		case 1:
			return encodeCommand(reg, cmd)
		}
		return nil, invalidOptionf("a %T with %d keys has no key order, and the command name must come first: use a bson.D", cmd, rv.Len())
	case k == reflect.Struct:
		raw, err := encodeCommand(reg, cmd)
		if err != nil {
			return nil, err
		}
		if len(raw) <= 5 {
			return nil, invalidOptionf("the command document must not be empty")
		}
		return raw, nil
	}
	return nil, invalidOptionf("a command must be a name (string) or a document (bson.D, bson.Raw, bson.E, a struct or a one-key map), not a %T", cmd)
}

// encodeCommand encodes a command document with reg.
func encodeCommand(reg *bson.Registry, v any) (bson.Raw, error) {
	raw, err := bsonutil.Encode(reg, v)
	if err != nil {
		return nil, invalidOptionf("cannot encode the command document: %v", err)
	}
	return raw, nil
}

// concatDocs returns the document with the elements of a followed by those of b.
func concatDocs(a, b bson.Raw) bson.Raw {
	out := make([]byte, 0, len(a)+len(b)-5)
	out = append(out, a[:len(a)-1]...)
	out = append(out, b[4:]...)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	return out
}
