package motortest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor/internal/wire"
)

// The fake server's view of the wire protocol (internal/wire does the framing): a client message parsed into one
// command document, with OP_MSG document sequences folded in.

// wireRequest is a parsed client message.
type wireRequest struct {
	requestID  int32
	opCode     int32
	cmd        bson.Raw
	moreToCome bool
}

// readWireMessage reads one whole wire message (header included) into a new buffer.
func readWireMessage(r io.Reader) ([]byte, error) { return wire.ReadMessage(r, nil) }

// parseWireMessage parses a whole OP_MSG or OP_QUERY wire message.
func parseWireMessage(msg []byte) (*wireRequest, error) {
	h := wire.ParseHeader(msg)
	req := &wireRequest{requestID: h.RequestID, opCode: h.OpCode}
	body := msg[wireHeaderLen:]
	var err error
	switch req.opCode {
	case wireOpMsg:
		req.cmd, req.moreToCome, err = parseOpMsg(body)
	case wireOpQuery:
		req.cmd, err = parseOpQuery(body)
	case wireOpCompressed:
		err = errors.New("OP_COMPRESSED is not supported")
	default:
		err = fmt.Errorf("unsupported opcode %d", req.opCode)
	}
	if err != nil {
		return nil, err
	}
	return req, nil
}

// parseOpMsg parses the body of an OP_MSG (after the header).
// It returns the body document with document sequences folded in as arrays.
func parseOpMsg(b []byte) (bson.Raw, bool, error) {
	var m wire.Msg
	if err := wire.ParseOpMsg(b, &m); err != nil {
		return nil, false, err
	}
	body := m.Body
	if len(m.Seqs) > 0 {
		// fold sequences into the body: drop its terminating NUL, append arrays, terminate, fix length
		doc := append([]byte(nil), body[:len(body)-1]...)
		for _, seq := range m.Seqs {
			doc = append(doc, byte(bson.TypeArray))
			doc = append(doc, seq.ID...)
			doc = append(doc, 0)
			start := len(doc)
			doc = append(doc, 0, 0, 0, 0)
			i := 0
			seq.Each(func(d []byte) bool {
				doc = append(doc, byte(bson.TypeEmbeddedDocument))
				doc = strconv.AppendInt(doc, int64(i), 10)
				doc = append(doc, 0)
				doc = append(doc, d...)
				i++
				return true
			})
			doc = append(doc, 0)
			binary.LittleEndian.PutUint32(doc[start:], uint32(len(doc)-start))
		}
		doc = append(doc, 0)
		binary.LittleEndian.PutUint32(doc, uint32(len(doc)))
		body = doc
	}
	if err := bson.Raw(body).Validate(); err != nil {
		return nil, false, fmt.Errorf("invalid OP_MSG document: %w", err)
	}
	return bson.Raw(body), m.Flags&wireFlagMoreToCome != 0, nil
}

// parseOpQuery parses the body of an OP_QUERY (after the header) and returns the query document,
// unwrapped from {$query: ...} if needed.
func parseOpQuery(b []byte) (bson.Raw, error) {
	var q wire.Query
	if err := wire.ParseOpQuery(b, &q); err != nil {
		return nil, err
	}
	raw := bson.Raw(q.Query)
	if err := raw.Validate(); err != nil {
		return nil, fmt.Errorf("invalid OP_QUERY document: %w", err)
	}
	// like MongoDB, unwrap only if the first key is $query (or query) with a document value
	elems, err := raw.Elements()
	if err != nil {
		return nil, err
	}
	if len(elems) > 0 {
		if key := elems[0].Key(); key == "$query" || key == "query" {
			if inner, ok := elems[0].Value().DocumentOK(); ok {
				return inner, nil
			}
		}
	}
	return raw, nil
}

// appendWireHeader appends a message header with a zero length, to be fixed by finishWireMessage.
func appendWireHeader(dst []byte, requestID, responseTo, opCode int32) []byte {
	return wire.AppendHeader(dst, requestID, responseTo, opCode)
}

// finishWireMessage sets the message length.
func finishWireMessage(msg []byte) []byte { return wire.Finish(msg) }

// buildOpMsg returns an OP_MSG reply with a single body section.
func buildOpMsg(requestID, responseTo int32, doc []byte) []byte {
	return wire.BuildOpMsg(requestID, responseTo, doc)
}

// buildOpReply returns an OP_REPLY with a single document.
func buildOpReply(requestID, responseTo int32, doc []byte) []byte {
	return wire.BuildOpReply(requestID, responseTo, doc)
}
