package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// wireOp is the wire floor: a pre-encoded OP_MSG {ping: 1, $db: "bench"} written on a raw TCP socket, one socket
// per caller, and the reply read back whole and thrown away. No driver, no encoding, no pool: the least a client
// can do per ping, so what is left is the server's and the kernel's.
func wireOp(cfg clientConfig, conc int) (opFunc, func(), error) {
	u, err := url.Parse(cfg.uri)
	if err != nil {
		return nil, nil, err
	}
	body, err := bson.Marshal(bson.D{{Key: "ping", Value: 1}, {Key: "$db", Value: dbPing}})
	if err != nil {
		return nil, nil, err
	}
	// header (length, requestID, responseTo, opCode 2013), flagBits, section kind 0, the document.
	msg := binary.LittleEndian.AppendUint32(nil, uint32(16+4+1+len(body)))
	msg = binary.LittleEndian.AppendUint32(msg, 1)
	msg = binary.LittleEndian.AppendUint32(msg, 0)
	msg = binary.LittleEndian.AppendUint32(msg, 2013)
	msg = binary.LittleEndian.AppendUint32(msg, 0)
	msg = append(msg, 0)
	msg = append(msg, body...)

	type sock struct {
		c   net.Conn
		buf []byte
	}
	free := make(chan *sock, conc)
	var all []net.Conn
	var mu sync.Mutex
	done := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range all {
			_ = c.Close()
		}
	}
	for range conc {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			done()
			return nil, nil, err
		}
		all = append(all, c)
		free <- &sock{c: c, buf: make([]byte, 4096)}
	}
	return func(ctx context.Context, _ int) error {
		s := <-free
		defer func() { free <- s }()
		if _, err := s.c.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(s.c, s.buf[:4]); err != nil {
			return err
		}
		n := int(binary.LittleEndian.Uint32(s.buf[:4]))
		if n < 16 || n > len(s.buf) {
			return fmt.Errorf("reply of %d bytes", n)
		}
		_, err := io.ReadFull(s.c, s.buf[4:n])
		return err
	}, done, nil
}
