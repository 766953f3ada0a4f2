package main

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
)

// serverSelectionTimeout bounds the wait for a server that does not answer, instead of the driver's 30 seconds.
const serverSelectionTimeout = 10 * time.Second

// session is one run of a subcommand: its flags, its input and output, and the client once it has connected.
type session struct {
	*stdio
	g         *globals
	cmd       *command
	stdinUsed bool

	client *motor.Client
	db     *motor.Database
	out    *printer
}

// printer returns the output printer: indented and coloured on a terminal (unless NO_COLOR is set or TERM is
// dumb), one document per line otherwise.
func (s *session) printer() *printer {
	if s.out == nil {
		pretty := isTerminal(s.stdio.out)
		s.out = &printer{
			w:         s.stdio.out,
			canonical: s.g.canonical,
			pretty:    pretty,
			color:     pretty && s.getenv("NO_COLOR") == "" && s.getenv("TERM") != "dumb",
		}
	}
	return s.out
}

// doc parses the document argument named what, or stdin for "-".
func (s *session) doc(what, arg string) (bson.D, error) {
	src, err := s.jsonInput(what, arg)
	if err != nil {
		return nil, err
	}
	return parseDoc(what, src)
}

// optionalDoc parses the document flag named what into *dst, unless the flag is empty.
func (s *session) optionalDoc(what, arg string, dst *any) error {
	if arg == "" {
		return nil
	}
	d, err := s.doc(what, arg)
	if err != nil {
		return err
	}
	*dst = d
	return nil
}

// connect connects to the server: --uri, else $MONGODB_URI, else the embedded server of the data directory (started
// if it is not running).
func (s *session) connect(ctx context.Context) (*motor.Client, error) {
	if s.client != nil {
		return s.client, nil
	}
	uri := s.g.uri
	if uri == "" {
		uri = s.getenv(envURI)
	}
	if uri == "" {
		var err error
		if uri, err = s.embeddedURI(ctx); err != nil {
			return nil, err
		}
	}
	c, err := motor.Connect(uri, motor.WithClientOptions(options.Client().
		SetServerSelectionTimeout(serverSelectionTimeout).
		SetAppName(programName)))
	if err != nil {
		return nil, err
	}
	s.client = c
	return c, nil
}

// database returns the --db database.
func (s *session) database(ctx context.Context) (*motor.Database, error) {
	if s.db != nil {
		return s.db, nil
	}
	c, err := s.connect(ctx)
	if err != nil {
		return nil, err
	}
	db := c.Database(s.g.db)
	if err := db.Err(); err != nil {
		return nil, err // a bad --db name, before any I/O
	}
	s.db = db
	return s.db, nil
}

// collection returns the collection name of the --db database.
func (s *session) collection(ctx context.Context, name string) (*motor.Collection, error) {
	db, err := s.database(ctx)
	if err != nil {
		return nil, err
	}
	coll := db.Collection(name)
	if err := coll.Err(); err != nil {
		return nil, err // a bad name, before any I/O
	}
	return coll, nil
}

// close disconnects the client, if there is one.
func (s *session) close() {
	if s.client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.client.Disconnect(ctx)
	}
}
