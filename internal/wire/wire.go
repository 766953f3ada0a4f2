// Package wire reads, parses and builds MongoDB wire protocol messages: OP_MSG, and the legacy OP_QUERY and OP_REPLY
// of the connection handshake. It works on raw bytes and never decodes a document; the conformance front
// (internal/front) and motortest's fake server and proxy share it.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Opcodes.
const (
	OpReply       = 1
	OpUpdate      = 2001
	OpInsert      = 2002
	OpQuery       = 2004
	OpGetMore     = 2005
	OpDelete      = 2006
	OpKillCursors = 2007
	OpCompressed  = 2012
	OpMsg         = 2013
)

// OP_MSG flag bits.
const (
	FlagChecksumPresent = 1 << 0
	FlagMoreToCome      = 1 << 1
	FlagExhaustAllowed  = 1 << 16
)

// OP_REPLY response flag bits.
const (
	ReplyCursorNotFound = 1 << 0
	ReplyQueryFailure   = 1 << 1
)

const (
	// HeaderLen is the length of a message header.
	HeaderLen = 16

	// MaxMessageLen is the largest message accepted, MongoDB's maxMessageSizeBytes.
	MaxMessageLen = 48000000
)

// Header is a message header.
type Header struct {
	Length     int32
	RequestID  int32
	ResponseTo int32
	OpCode     int32
}

// ParseHeader returns the header of msg, which must be at least HeaderLen long.
func ParseHeader(msg []byte) Header {
	return Header{
		Length:     int32(binary.LittleEndian.Uint32(msg)),
		RequestID:  int32(binary.LittleEndian.Uint32(msg[4:])),
		ResponseTo: int32(binary.LittleEndian.Uint32(msg[8:])),
		OpCode:     int32(binary.LittleEndian.Uint32(msg[12:])),
	}
}

// ReadMessage reads one whole message (header included) from r into buf, which it grows when it is too short, and
// returns it. A length outside [HeaderLen, MaxMessageLen] is an error.
func ReadMessage(r io.Reader, buf []byte) ([]byte, error) {
	if cap(buf) < HeaderLen {
		buf = make([]byte, 0, 512)
	}
	// the length goes into buf itself: a local array would escape through the io.Reader
	if _, err := io.ReadFull(r, buf[:4]); err != nil {
		return buf[:0], err
	}
	l := int32(binary.LittleEndian.Uint32(buf[:4]))
	if l < HeaderLen || l > MaxMessageLen {
		return buf[:0], fmt.Errorf("invalid message length %d", l)
	}
	if cap(buf) < int(l) {
		grown := make([]byte, l)
		copy(grown, buf[:4])
		buf = grown
	}
	msg := buf[:l]
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return msg[:0], err
	}
	return msg, nil
}

// Sequence is an OP_MSG document sequence (a kind 1 section): an identifier and the concatenated documents.
type Sequence struct {
	ID   string
	Docs []byte
}

// Each calls fn with each document of the sequence, until fn returns false.
func (s Sequence) Each(fn func(doc []byte) bool) {
	b := s.Docs
	for len(b) >= 4 {
		l := int(int32(binary.LittleEndian.Uint32(b)))
		if l < 5 || l > len(b) {
			return
		}
		if !fn(b[:l]) {
			return
		}
		b = b[l:]
	}
}

// Msg is a parsed OP_MSG. Its slices point into the message.
type Msg struct {
	Flags uint32
	Body  []byte     // the kind 0 section
	Seqs  []Sequence // the kind 1 sections
}

// ParseOpMsg parses the body of an OP_MSG (the message after the header) into m, reusing m.Seqs. It checks the
// framing of sections and documents, not the documents' contents.
func ParseOpMsg(b []byte, m *Msg) error {
	m.Body, m.Seqs = nil, m.Seqs[:0]
	if len(b) < 4 {
		return errors.New("OP_MSG too short")
	}
	m.Flags = binary.LittleEndian.Uint32(b)
	b = b[4:]
	if m.Flags&FlagChecksumPresent != 0 {
		if len(b) < 4 {
			return errors.New("OP_MSG too short for checksum")
		}
		b = b[:len(b)-4]
	}
	for len(b) > 0 {
		kind := b[0]
		b = b[1:]
		switch kind {
		case 0:
			doc, rest, err := ReadDocument(b)
			if err != nil {
				return err
			}
			if m.Body != nil {
				return errors.New("OP_MSG has more than one body section")
			}
			m.Body, b = doc, rest
		case 1:
			if len(b) < 4 {
				return errors.New("document sequence too short")
			}
			size := int(int32(binary.LittleEndian.Uint32(b)))
			if size < 5 || size > len(b) {
				return fmt.Errorf("invalid document sequence size %d", size)
			}
			sec := b[4:size]
			b = b[size:]
			id, sec, err := ReadCString(sec)
			if err != nil {
				return err
			}
			for rest := sec; len(rest) > 0; {
				if _, rest, err = ReadDocument(rest); err != nil {
					return err
				}
			}
			m.Seqs = append(m.Seqs, Sequence{ID: id, Docs: sec})
		default:
			return fmt.Errorf("unknown OP_MSG section kind %d", kind)
		}
	}
	if m.Body == nil {
		return errors.New("OP_MSG has no body section")
	}
	return nil
}

// Query is a parsed OP_QUERY. Its slices point into the message.
type Query struct {
	Flags      uint32
	Collection string // fullCollectionName
	Skip       int32
	Return     int32
	Query      []byte // the query document, not unwrapped from $query
}

// ParseOpQuery parses the body of an OP_QUERY (after the header). The optional returnFieldsSelector is ignored.
func ParseOpQuery(b []byte, q *Query) error {
	if len(b) < 4 {
		return errors.New("OP_QUERY too short")
	}
	q.Flags = binary.LittleEndian.Uint32(b)
	coll, b, err := ReadCString(b[4:])
	if err != nil {
		return err
	}
	if len(b) < 8 {
		return errors.New("OP_QUERY too short")
	}
	q.Collection = coll
	q.Skip = int32(binary.LittleEndian.Uint32(b))
	q.Return = int32(binary.LittleEndian.Uint32(b[4:]))
	q.Query, _, err = ReadDocument(b[8:])
	return err
}

// ReadDocument returns the BSON document at the start of b and the rest of b. It checks the length and the
// terminating zero only.
func ReadDocument(b []byte) ([]byte, []byte, error) {
	if len(b) < 5 {
		return nil, nil, errors.New("document too short")
	}
	l := int(int32(binary.LittleEndian.Uint32(b)))
	if l < 5 || l > len(b) {
		return nil, nil, fmt.Errorf("invalid document length %d", l)
	}
	if b[l-1] != 0 {
		return nil, nil, errors.New("document is not terminated")
	}
	return b[:l], b[l:], nil
}

// ReadCString returns the NUL-terminated string at the start of b and the rest of b.
func ReadCString(b []byte) (string, []byte, error) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], nil
		}
	}
	return "", nil, errors.New("unterminated cstring")
}

// AppendHeader appends a message header with a zero length, to be set by Finish.
func AppendHeader(dst []byte, requestID, responseTo, opCode int32) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(requestID))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(responseTo))
	return binary.LittleEndian.AppendUint32(dst, uint32(opCode))
}

// Finish sets the length of the message that starts msg and returns msg.
func Finish(msg []byte) []byte {
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

// AppendOpMsg appends an OP_MSG with flags and a single body section doc.
func AppendOpMsg(dst []byte, requestID, responseTo int32, flags uint32, doc []byte) []byte {
	start := len(dst)
	dst = AppendHeader(dst, requestID, responseTo, OpMsg)
	dst = binary.LittleEndian.AppendUint32(dst, flags)
	dst = append(dst, 0) // section kind 0
	dst = append(dst, doc...)
	Finish(dst[start:])
	return dst
}

// AppendOpReply appends an OP_REPLY with responseFlags and a single document.
func AppendOpReply(dst []byte, requestID, responseTo int32, flags uint32, doc []byte) []byte {
	start := len(dst)
	dst = AppendHeader(dst, requestID, responseTo, OpReply)
	dst = binary.LittleEndian.AppendUint32(dst, flags)
	dst = binary.LittleEndian.AppendUint64(dst, 0) // cursorID
	dst = binary.LittleEndian.AppendUint32(dst, 0) // startingFrom
	dst = binary.LittleEndian.AppendUint32(dst, 1) // numberReturned
	dst = append(dst, doc...)
	Finish(dst[start:])
	return dst
}

// BuildOpMsg returns a new OP_MSG reply with a single body section.
func BuildOpMsg(requestID, responseTo int32, doc []byte) []byte {
	return AppendOpMsg(make([]byte, 0, HeaderLen+5+len(doc)), requestID, responseTo, 0, doc)
}

// BuildOpReply returns a new OP_REPLY with a single document.
func BuildOpReply(requestID, responseTo int32, doc []byte) []byte {
	return AppendOpReply(make([]byte, 0, HeaderLen+20+len(doc)), requestID, responseTo, 0, doc)
}

// ReplyDoc returns the first document of a reply message: an OP_MSG's body section or an OP_REPLY's first document.
func ReplyDoc(msg []byte) ([]byte, error) {
	if len(msg) < HeaderLen {
		return nil, errors.New("message too short")
	}
	h := ParseHeader(msg)
	switch h.OpCode {
	case OpMsg:
		var m Msg
		if err := ParseOpMsg(msg[HeaderLen:], &m); err != nil {
			return nil, err
		}
		return m.Body, nil
	case OpReply:
		if len(msg) < HeaderLen+20 {
			return nil, errors.New("OP_REPLY too short")
		}
		doc, _, err := ReadDocument(msg[HeaderLen+20:])
		return doc, err
	}
	return nil, fmt.Errorf("unexpected reply opcode %d", h.OpCode)
}
