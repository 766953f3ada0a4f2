package motortest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The wire protocol of the fake server: reading and parsing the client's OP_MSG and OP_QUERY messages, and building
// OP_MSG and OP_REPLY answers.

// wireRequest is a parsed client message.
type wireRequest struct {
	requestID  int32
	opCode     int32
	cmd        bson.Raw
	moreToCome bool
}

// readWireMessage reads one whole wire message (header included).
func readWireMessage(r io.Reader) ([]byte, error) {
	var lenBuf [4]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}

	l := int32(binary.LittleEndian.Uint32(lenBuf[:]))
	if l < wireHeaderLen || l > wireMaxMessageLen {
		return nil, fmt.Errorf("invalid message length %d", l)
	}

	msg := make([]byte, l)
	copy(msg, lenBuf[:])

	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}

	return msg, nil
}

// parseWireMessage parses a whole OP_MSG or OP_QUERY wire message.
func parseWireMessage(msg []byte) (*wireRequest, error) {
	req := &wireRequest{
		requestID: int32(binary.LittleEndian.Uint32(msg[4:])),
		opCode:    int32(binary.LittleEndian.Uint32(msg[12:])),
	}

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
	if len(b) < 4 {
		return nil, false, errors.New("OP_MSG too short")
	}

	flags := binary.LittleEndian.Uint32(b)
	b = b[4:]

	if flags&wireFlagChecksumPresent != 0 {
		if len(b) < 4 {
			return nil, false, errors.New("OP_MSG too short for checksum")
		}

		b = b[:len(b)-4]
	}

	var body []byte

	type sequence struct {
		id   string
		docs [][]byte
	}

	var seqs []sequence

	for len(b) > 0 {
		kind := b[0]
		b = b[1:]

		switch kind {
		case 0:
			doc, rest, err := readWireDocument(b)
			if err != nil {
				return nil, false, err
			}

			if body != nil {
				return nil, false, errors.New("OP_MSG has more than one body section")
			}

			body, b = doc, rest

		case 1:
			if len(b) < 4 {
				return nil, false, errors.New("document sequence too short")
			}

			size := int(int32(binary.LittleEndian.Uint32(b)))
			if size < 5 || size > len(b) {
				return nil, false, fmt.Errorf("invalid document sequence size %d", size)
			}

			sec := b[4:size]
			b = b[size:]

			id, sec, err := readWireCString(sec)
			if err != nil {
				return nil, false, err
			}

			seq := sequence{id: id}

			for len(sec) > 0 {
				var doc []byte
				if doc, sec, err = readWireDocument(sec); err != nil {
					return nil, false, err
				}

				seq.docs = append(seq.docs, doc)
			}

			seqs = append(seqs, seq)

		default:
			return nil, false, fmt.Errorf("unknown OP_MSG section kind %d", kind)
		}
	}

	if body == nil {
		return nil, false, errors.New("OP_MSG has no body section")
	}

	if len(seqs) > 0 {
		// fold sequences into the body: drop its terminating NUL, append arrays, terminate, fix length
		doc := append([]byte(nil), body[:len(body)-1]...)

		for _, seq := range seqs {
			doc = append(doc, byte(bson.TypeArray))
			doc = append(doc, seq.id...)
			doc = append(doc, 0)

			start := len(doc)
			doc = append(doc, 0, 0, 0, 0)

			for i, d := range seq.docs {
				doc = append(doc, byte(bson.TypeEmbeddedDocument))
				doc = strconv.AppendInt(doc, int64(i), 10)
				doc = append(doc, 0)
				doc = append(doc, d...)
			}

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

	return bson.Raw(body), flags&wireFlagMoreToCome != 0, nil
}

// parseOpQuery parses the body of an OP_QUERY (after the header) and returns the query document,
// unwrapped from {$query: ...} if needed.
func parseOpQuery(b []byte) (bson.Raw, error) {
	if len(b) < 4 {
		return nil, errors.New("OP_QUERY too short")
	}

	b = b[4:] // flags

	_, b, err := readWireCString(b) // fullCollectionName
	if err != nil {
		return nil, err
	}

	if len(b) < 8 {
		return nil, errors.New("OP_QUERY too short")
	}

	b = b[8:] // numberToSkip, numberToReturn

	doc, _, err := readWireDocument(b) // the optional returnFieldsSelector is ignored
	if err != nil {
		return nil, err
	}

	raw := bson.Raw(doc)
	if err = raw.Validate(); err != nil {
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

// readWireDocument returns the BSON document at the start of b and the rest of b.
func readWireDocument(b []byte) ([]byte, []byte, error) {
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

// readWireCString returns the NUL-terminated string at the start of b and the rest of b.
func readWireCString(b []byte) (string, []byte, error) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), b[i+1:], nil
		}
	}

	return "", nil, errors.New("unterminated cstring")
}

// appendWireHeader appends a message header with a zero length, to be fixed by finishWireMessage.
func appendWireHeader(dst []byte, requestID, responseTo, opCode int32) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(requestID))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(responseTo))

	return binary.LittleEndian.AppendUint32(dst, uint32(opCode))
}

// finishWireMessage sets the message length.
func finishWireMessage(msg []byte) []byte {
	binary.LittleEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

// buildOpMsg returns an OP_MSG reply with a single body section.
func buildOpMsg(requestID, responseTo int32, doc []byte) []byte {
	msg := appendWireHeader(make([]byte, 0, wireHeaderLen+5+len(doc)), requestID, responseTo, wireOpMsg)
	msg = binary.LittleEndian.AppendUint32(msg, 0) // flagBits
	msg = append(msg, 0)                           // section kind 0
	msg = append(msg, doc...)

	return finishWireMessage(msg)
}

// buildOpReply returns an OP_REPLY with a single document.
func buildOpReply(requestID, responseTo int32, doc []byte) []byte {
	msg := appendWireHeader(make([]byte, 0, wireHeaderLen+20+len(doc)), requestID, responseTo, wireOpReply)
	msg = binary.LittleEndian.AppendUint32(msg, 0) // responseFlags
	msg = binary.LittleEndian.AppendUint64(msg, 0) // cursorID
	msg = binary.LittleEndian.AppendUint32(msg, 0) // startingFrom
	msg = binary.LittleEndian.AppendUint32(msg, 1) // numberReturned
	msg = append(msg, doc...)

	return finishWireMessage(msg)
}
