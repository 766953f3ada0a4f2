package front

// The conformance suite's rules that answer through FerretDB rather than refuse: a hint checked against the
// collection's indexes, and the max of a capped collection enforced after each insert. suite_rules.go registers
// them.

import (
	"strconv"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// serveHint answers BadValue, as MongoDB does, for a hint that names no index of an existing collection, and
// forwards the command otherwise.
func serveHint(x *Exchange) (bsoncore.Document, error) {
	hint := x.Cmd.Lookup("hint")
	specs, exists, err := listIndexes(x)
	if err != nil {
		return nil, err
	}
	if exists {
		found := false
		for _, ix := range specs {
			if name, ok := hint.StringValueOK(); ok {
				n, _ := ix.Lookup("name").StringValueOK()
				found = n == name
			} else if h, ok := hint.DocumentOK(); ok {
				k, _ := ix.Lookup("key").DocumentOK()
				found = sameKey(k, h)
			} else {
				found = true // not a hint FerretDB or MongoDB takes; FerretDB answers for it
			}
			if found {
				break
			}
		}
		if !found {
			return badValue("error processing query: planner returned error :: caused by :: hint provided does not " +
				"correspond to an existing index").doc(), nil
		}
	}
	return x.Forward(0)
}

// sameKey reports whether two index key patterns name the same fields in the same order with the same values.
func sameKey(a, b bsoncore.Document) bool {
	ae, _ := a.Elements()
	be, _ := b.Elements()
	if len(ae) != len(be) {
		return false
	}
	for i := range ae {
		if ae[i].Key() != be[i].Key() {
			return false
		}
		av, bv := ae[i].Value(), be[i].Value()
		an, aNum := numberOK(av)
		bn, bNum := numberOK(bv)
		if aNum && bNum {
			if an != bn {
				return false
			}
		} else if !av.Equal(bv) {
			return false
		}
	}
	return true
}

// cappedKey names a collection behind one front.
type cappedKey struct {
	f  *Front
	ns string
}

// cappedMax holds the max of the capped collections created through a front: cappedKey -> int64.
var cappedMax sync.Map

func namespace(cmd *Command) string { return cmd.DB() + "." + cmd.Collection() }

// rememberCappedMax records the max of a capped collection that create made, forgets the collections that drop and
// dropDatabase remove, and follows renameCollection.
func rememberCappedMax(cmd *Command, reply bsoncore.Document) bsoncore.Document {
	if _, _, failed := errorReply(reply); failed {
		return nil
	}
	switch cmd.Name {
	case "create":
		max, ok := numberOK(cmd.Lookup("max"))
		if capped, _ := cmd.Lookup("capped").BooleanOK(); capped && ok && max > 0 {
			cappedMax.Store(cappedKey{cmd.front, namespace(cmd)}, int64(max))
		}
	case "drop":
		cappedMax.Delete(cappedKey{cmd.front, namespace(cmd)})
	case "dropDatabase", "dropdatabase":
		prefix := cmd.DB() + "."
		cappedMax.Range(func(k, _ any) bool {
			if key := k.(cappedKey); key.f == cmd.front && strings.HasPrefix(key.ns, prefix) {
				cappedMax.Delete(k)
			}
			return true
		})
	default: // renameCollection: the collection keeps its max under the new name
		from, _ := cmd.Lookup(cmd.Name).StringValueOK()
		to, _ := cmd.Lookup("to").StringValueOK()
		cappedMax.Delete(cappedKey{cmd.front, to})
		if max, ok := cappedMax.LoadAndDelete(cappedKey{cmd.front, from}); ok {
			cappedMax.Store(cappedKey{cmd.front, to}, max)
		}
	}
	return nil
}

// serveCappedInsert inserts (through the built-in insert rule) and then deletes the oldest documents beyond the
// collection's max.
func serveCappedInsert(x *Exchange) (bsoncore.Document, error) {
	cmd := x.Cmd
	v, ok := cappedMax.Load(cappedKey{cmd.front, namespace(cmd)})
	if !ok {
		return serveInsertUnique(x)
	}
	max := v.(int64)
	reply, err := serveInsertUnique(x)
	if err != nil {
		return nil, err
	}
	reply = append(bsoncore.Document(nil), reply...) // valid until the next round trip otherwise
	if n, _ := numberOK(reply.Lookup("n")); n == 0 {
		return reply, nil
	}
	count, err := x.RoundTrip(bsoncore.NewDocumentBuilder().
		AppendString("count", cmd.Collection()).
		AppendString("$db", cmd.DB()).
		Build(), 0)
	if err != nil {
		return nil, err
	}
	n, _ := numberOK(count.Lookup("n"))
	extra := int64(n) - max
	if extra <= 0 {
		return reply, nil
	}
	// The oldest documents come first in a capped collection's natural order.
	found, err := x.RoundTrip(bsoncore.NewDocumentBuilder().
		AppendString("find", cmd.Collection()).
		AppendDocument("projection", bsoncore.NewDocumentBuilder().AppendInt32("_id", 1).Build()).
		AppendInt64("limit", extra).
		AppendInt64("batchSize", extra).
		AppendBoolean("singleBatch", true).
		AppendString("$db", cmd.DB()).
		Build(), 0)
	if err != nil {
		return nil, err
	}
	ids, _ := found.Lookup("cursor", "firstBatch").ArrayOK()
	idx, in := bsoncore.AppendArrayStart(nil)
	i := 0
	each(ids, func(el bsoncore.Element) bool {
		if d, ok := el.Value().DocumentOK(); ok {
			if id, err := d.LookupErr("_id"); err == nil {
				in = bsoncore.AppendValueElement(in, strconv.Itoa(i), id)
				i++
			}
		}
		return true
	})
	in, _ = bsoncore.AppendArrayEnd(in, idx)
	del := bsoncore.NewDocumentBuilder().
		AppendString("delete", cmd.Collection()).
		AppendArray("deletes", bsoncore.NewArrayBuilder().AppendDocument(bsoncore.NewDocumentBuilder().
			AppendDocument("q", bsoncore.NewDocumentBuilder().
				AppendDocument("_id", bsoncore.NewDocumentBuilder().AppendArray("$in", in).Build()).Build()).
			AppendInt32("limit", 0).Build()).Build()).
		AppendString("$db", cmd.DB()).
		Build()
	if _, err := x.RoundTrip(del, 0); err != nil {
		return nil, err
	}
	return reply, nil
}
