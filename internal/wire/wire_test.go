package wire

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// doc is the BSON document {a: 1}.
var doc = []byte{12, 0, 0, 0, 0x10, 'a', 0, 1, 0, 0, 0, 0}

func TestReadMessageReusesBuffer(t *testing.T) {
	msg := AppendOpMsg(nil, 7, 0, FlagMoreToCome, doc)
	buf := make([]byte, 0, 256)
	got, err := ReadMessage(bytes.NewReader(msg), buf)
	if err != nil || !bytes.Equal(got, msg) || &got[0] != &buf[:1][0] {
		t.Fatalf("ReadMessage = %v, %v (reused: %v)", got, err, err == nil && &got[0] == &buf[:1][0])
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = ReadMessage(bytes.NewReader(msg), buf) }); n > 1 { // the reader
		t.Errorf("%v allocations", n)
	}
	bad := binary.LittleEndian.AppendUint32(nil, MaxMessageLen+1)
	if _, err = ReadMessage(bytes.NewReader(bad), nil); err == nil {
		t.Error("an oversized length was accepted")
	}
}

func TestParseOpMsg(t *testing.T) {
	body := AppendOpMsg(nil, 1, 0, FlagChecksumPresent, doc)[HeaderLen:]
	seq := append([]byte{1}, binary.LittleEndian.AppendUint32(nil, uint32(4+len("documents\x00")+2*len(doc)))...)
	seq = append(append(append(seq, "documents\x00"...), doc...), doc...)
	b := append(append(body, seq...), 0, 0, 0, 0) // the checksum
	var m Msg
	if err := ParseOpMsg(b, &m); err != nil {
		t.Fatal(err)
	}
	n := 0
	m.Seqs[0].Each(func(d []byte) bool { n++; return bytes.Equal(d, doc) })
	if !bytes.Equal(m.Body, doc) || len(m.Seqs) != 1 || m.Seqs[0].ID != "documents" || n != 2 {
		t.Errorf("parsed %+v, %d documents", m, n)
	}
	for name, b := range map[string][]byte{
		"short":        {0, 0},
		"no body":      {0, 0, 0, 0},
		"two bodies":   append(append([]byte{0, 0, 0, 0, 0}, doc...), append([]byte{0}, doc...)...),
		"bad kind":     append([]byte{0, 0, 0, 0, 2}, doc...),
		"cut document": append([]byte{0, 0, 0, 0, 0}, doc[:8]...),
	} {
		if err := ParseOpMsg(b, &m); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func FuzzParseOpMsg(f *testing.F) {
	f.Add(AppendOpMsg(nil, 1, 0, 0, doc)[HeaderLen:])
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Msg
		if ParseOpMsg(b, &m) != nil {
			return
		}
		if len(m.Body) < 5 || int(binary.LittleEndian.Uint32(m.Body)) != len(m.Body) {
			t.Errorf("body %v", m.Body)
		}
		for _, s := range m.Seqs {
			s.Each(func(d []byte) bool {
				if int(binary.LittleEndian.Uint32(d)) != len(d) {
					t.Errorf("sequence document %v", d)
				}
				return true
			})
		}
	})
}
