package motor

import (
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// Option sets one of the settings that a [Client], a [Database] and a [Collection] share: read preference, read
// concern, write concern and codec options. A setting left unset on a handle is inherited from the handle it was made
// from (collection from database, database from client). Options are applied in order; a later one wins.
//
// Option is sealed: only the With functions of this package make one.
type Option interface {
	apply(*settings) error
}

type optionFunc func(*settings) error

func (f optionFunc) apply(s *settings) error { return f(s) }

// settings are the resolved settings of a handle. A nil field means "not set anywhere": the driver's own default
// (or, for a client made by NewClient, the driver client's own setting) applies.
type settings struct {
	rp    *readpref.ReadPref
	rc    *readconcern.ReadConcern
	wc    *writeconcern.WriteConcern
	codec *codec // never nil once resolved

	clientOpts *options.ClientOptions // Connect only
}

// WithReadPreference sets the read preference (PyMongo's read_preference). A nil rp leaves the inherited one.
func WithReadPreference(rp *readpref.ReadPref) Option {
	return optionFunc(func(s *settings) error {
		if rp != nil {
			s.rp = rp
		}
		return nil
	})
}

// WithReadConcern sets the read concern (PyMongo's read_concern). A nil rc leaves the inherited one.
func WithReadConcern(rc *readconcern.ReadConcern) Option {
	return optionFunc(func(s *settings) error {
		if rc != nil {
			s.rc = rc
		}
		return nil
	})
}

// WithWriteConcern sets the write concern (PyMongo's write_concern). A nil wc leaves the inherited one. A write concern
// that asks for an acknowledgement with w=0 (j=true and w=0) is rejected with [ErrInvalidOption].
func WithWriteConcern(wc *writeconcern.WriteConcern) Option {
	return optionFunc(func(s *settings) error {
		if wc == nil {
			return nil
		}
		if wc.Journal != nil && *wc.Journal && wc.W == 0 {
			return invalidOptionf("invalid write concern: j=true cannot be combined with w=0")
		}
		if n, ok := wc.W.(int); ok && n < 0 {
			return invalidOptionf("invalid write concern: w must not be negative, got %d", n)
		}
		s.wc = wc
		return nil
	})
}

// WithCodecOptions sets the codec options (PyMongo's codec_options): how results are decoded and values encoded.
// Invalid codec options are rejected with [ErrInvalidOption] when the handle is made.
func WithCodecOptions(co CodecOptions) Option {
	return optionFunc(func(s *settings) error {
		c, err := compileCodec(co)
		if err != nil {
			return err
		}
		s.codec = c
		return nil
	})
}

// WithClientOptions adds driver client options, applied after the URI, to [Connect]: a command monitor, a pool size,
// TLS settings and anything else the driver offers. Elsewhere it is an error.
func WithClientOptions(co *options.ClientOptions) Option {
	return optionFunc(func(s *settings) error {
		if s.clientOpts == nil {
			return invalidOptionf("WithClientOptions applies only to Connect")
		}
		if co != nil {
			s.clientOpts = options.MergeClientOptions(s.clientOpts, co)
		}
		return nil
	})
}

// derive returns a copy of s with opts applied. Client-only options are refused.
func (s settings) derive(opts []Option) (settings, error) {
	s.clientOpts = nil
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(&s); err != nil {
			return settings{}, err
		}
	}
	return s, nil
}

func (s *settings) dbOptions() *options.DatabaseOptionsBuilder {
	o := options.Database().SetRegistry(s.codec.reg)
	if s.rp != nil {
		o.SetReadPreference(s.rp)
	}
	if s.rc != nil {
		o.SetReadConcern(s.rc)
	}
	if s.wc != nil {
		o.SetWriteConcern(s.wc)
	}
	return o
}

func (s *settings) collOptions() *options.CollectionOptionsBuilder {
	o := options.Collection().SetRegistry(s.codec.reg)
	if s.rp != nil {
		o.SetReadPreference(s.rp)
	}
	if s.rc != nil {
		o.SetReadConcern(s.rc)
	}
	if s.wc != nil {
		o.SetWriteConcern(s.wc)
	}
	return o
}

func (s *settings) readPreference() *readpref.ReadPref {
	if s.rp == nil {
		return readpref.Primary()
	}
	return s.rp
}

func (s *settings) readConcern() *readconcern.ReadConcern {
	if s.rc == nil {
		return &readconcern.ReadConcern{}
	}
	return s.rc
}

func (s *settings) writeConcern() *writeconcern.WriteConcern {
	if s.wc == nil {
		return &writeconcern.WriteConcern{}
	}
	return s.wc
}
