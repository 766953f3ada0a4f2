package front

import (
	"math"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// Pure tests of the rules, without a server: each refusal on a command document, and the table.

func marshal(t testing.TB, v any) bsoncore.Document {
	t.Helper()
	b, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type d = bson.D
type a = bson.A

func e(k string, v any) bson.E { return bson.E{Key: k, Value: v} }

func TestRefusals(t *testing.T) {
	tab := compile(rules)
	for _, tc := range []struct {
		name string
		cmd  d
		want int32 // 0: not refused
	}{
		{"ping", d{e("ping", 1)}, 0},
		{"NaN", d{e("ping", 1), e("x", a{d{e("y", math.NaN())}})}, codeBadValue},
		{"Infinity passes", d{e("ping", 1), e("x", math.Inf(1))}, 0},
		{"repeated operator", d{e("find", "c"), e("filter", d{e("a", d{e("$gt", 1), e("$gt", 2)})})}, codeBadValue},
		{"repeated field passes", d{e("find", "c"), e("filter", d{e("a", 1), e("a", 2)})}, 0},
		{"group one", d{e("aggregate", "c"), e("pipeline", a{d{e("$group", d{e("_id", "$k"), e("n", d{e("$sum", 1)})})}})}, 0},
		{"group two", d{e("aggregate", "c"), e("pipeline", a{d{e("$group", d{e("_id", nil), e("n", d{e("$sum", 1)}), e("m", d{e("$sum", 1)})})}})}, codeNotImplemented},
		{"group _id document", d{e("aggregate", "c"), e("pipeline", a{d{e("$group", d{e("_id", d{e("a", "$k")}), e("n", d{e("$sum", 1)})})}})}, 0},
		{"group _id array", d{e("aggregate", "c"), e("pipeline", a{d{e("$group", d{e("_id", d{e("a", a{"$k"})})})}})}, codeNotImplemented},
		{"project 0/1", d{e("aggregate", "c"), e("pipeline", a{d{e("$project", d{e("a", 1), e("b", false), e("c.d", 1)})}})}, 0},
		{"project literal array", d{e("aggregate", "c"), e("pipeline", a{d{e("$project", d{e("a", a{1, "x"})})}})}, 0},
		{"project $$ROOT", d{e("aggregate", "c"), e("pipeline", a{d{e("$project", d{e("a", "$$ROOT")})}})}, codeNotImplemented},
		{"addFields literal", d{e("aggregate", "c"), e("pipeline", a{d{e("$addFields", d{e("a", "x"), e("b", a{1}), e("c", d{})})}})}, 0},
		{"addFields embedded document", d{e("aggregate", "c"), e("pipeline", a{d{e("$addFields", d{e("a", d{e("b", 1)})})}})}, codeNotImplemented},
		{"set dotted", d{e("aggregate", "c"), e("pipeline", a{d{e("$set", d{e("a.b", 1)})}})}, codeNotImplemented},
		{"addFields operator inside", d{e("aggregate", "c"), e("pipeline", a{d{e("$addFields", d{e("a", d{e("b", d{e("$type", "$x")})})})}})}, codeNotImplemented},
		{"find projection $slice", d{e("find", "c"), e("projection", d{e("a", d{e("$slice", 2)})})}, 0},
		{"elemMatch one", d{e("delete", "c"), e("deletes", a{d{e("q", d{e("a", d{e("$elemMatch", d{e("$gt", 1)})})}), e("limit", 0)}})}, 0},
		{"elemMatch two in delete", d{e("delete", "c"), e("deletes", a{d{e("q", d{e("a", d{e("$elemMatch", d{e("$gt", 1), e("$lt", 3)})})}), e("limit", 0)}})}, codeNotImplemented},
		{"equality scalar", d{e("find", "c"), e("filter", d{e("a", 1), e("b", d{e("$in", a{1, "x"})})})}, 0},
		{"equality _id document", d{e("find", "c"), e("filter", d{e("_id", d{e("a", 1)})})}, 0},
		{"equality document", d{e("find", "c"), e("filter", d{e("d", d{e("x", 1)})})}, codeNotImplemented},
		{"equality array passes", d{e("count", "c"), e("query", d{e("a", a{1, 2})})}, 0},
		{"$in document", d{e("find", "c"), e("filter", d{e("$or", a{d{e("d", d{e("$in", a{1, d{e("x", 1)}})})}})})}, codeNotImplemented},
		{"$not $eq document", d{e("find", "c"), e("filter", d{e("a", d{e("$not", d{e("$eq", d{e("x", 1)})})})})}, codeNotImplemented},
		{"$gt document passes", d{e("find", "c"), e("filter", d{e("d", d{e("$gt", d{e("x", 1)})})})}, 0},
		{"push $each", d{e("update", "c"), e("updates", a{d{e("q", d{}), e("u", d{e("$push", d{e("a", d{e("$each", a{1})})})})}})}, 0},
		{"push $position", d{e("update", "c"), e("updates", a{d{e("q", d{}), e("u", d{e("$push", d{e("a", d{e("$each", a{1}), e("$position", 0)})})})}})}, codeNotImplemented},
		{"pull value", d{e("update", "c"), e("updates", a{d{e("q", d{}), e("u", d{e("$pull", d{e("a", 1)})})}})}, 0},
		{"pull pattern", d{e("update", "c"), e("updates", a{d{e("q", d{}), e("u", d{e("$pull", d{e("a", d{e("x", 1)})})})}})}, codeNotImplemented},
		{"unset field", d{e("update", "c"), e("updates", a{d{e("q", d{}), e("u", d{e("$unset", d{e("a.b", "")})})}})}, 0},
		{"unset element", d{e("update", "c"), e("updates", a{d{e("q", d{}), e("u", d{e("$unset", d{e("a.1.b", "")})})}})}, codeNotImplemented},
		{"zero", d{e("insert", "c"), e("documents", a{d{e("z", 0.0)}})}, 0},
		{"negative zero", d{e("insert", "c"), e("documents", a{d{e("z", math.Copysign(0, -1))}})}, codeNotImplemented},
		{"eval", d{e("$eval", "function() {}")}, codeCommandNotFound},
		{"index key", d{e("createIndexes", "c"), e("indexes", a{d{e("key", d{e("a.b", 1)}), e("name", "x")}})}, 0},
		{"index key $", d{e("createIndexes", "c"), e("indexes", a{d{e("key", d{e("a.$", 1)}), e("name", "x")}})}, codeCannotCreateIndex},
		{"index key empty", d{e("createIndexes", "c"), e("indexes", a{d{e("key", d{e("", 1)}), e("name", "x")}})}, codeCannotCreateIndex},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := marshal(t, tc.cmd)
			cmd := &Command{Body: body}
			var got *Error
			if en := tab.byName[string(firstKey(body))]; en != nil {
				cmd.Name = en.name
				for _, r := range en.refuse {
					if got = r.Refuse(cmd); got != nil {
						break
					}
				}
			}
			for _, r := range tab.global {
				if got == nil {
					got = r.Refuse(cmd)
				}
			}
			switch {
			case got == nil && tc.want != 0:
				t.Errorf("not refused, want code %d", tc.want)
			case got != nil && got.Code != tc.want:
				t.Errorf("refused with %d %q, want %d", got.Code, got.Msg, tc.want)
			}
		})
	}
}

// TestScanAllocs: the value scan that every command gets allocates nothing.
func TestScanAllocs(t *testing.T) {
	doc := marshal(t, d{e("insert", "c"), e("documents", a{d{e("_id", 1), e("a", a{1.5, "x", d{e("$gt", 1), e("$lt", 2)}})}}), e("$db", "db")})
	if n := testing.AllocsPerRun(100, func() { _ = scanValues(doc) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// TestRegister: a rule added with register reaches a table compiled afterwards.
func TestRegister(t *testing.T) {
	saved := rules
	t.Cleanup(func() { rules = saved })
	register(Rule{
		Name:     "test",
		Commands: []string{"frob"},
		Refuse:   func(*Command) *Error { return notImplemented("frob") },
	})
	en := compile(rules).byName["frob"]
	if en == nil || len(en.refuse) != 1 || en.refuse[0].Refuse(&Command{}).Msg != "frob" {
		t.Fatalf("entry %+v", en)
	}
}

func TestRepairStackLocations(t *testing.T) {
	reply := (&Error{Code: 1, CodeName: "InternalError",
		Msg: "[msg_createindexes.go:155 handler.(*Handler).MsgCreateIndexes] [registry.go:498 metadata.(*Registry).indexesCreate] bad spec"}).doc()
	got := repairStackLocations(nil, reply)
	if _, msg, _ := errorReply(got); msg != "bad spec" {
		t.Errorf("errmsg %q", msg)
	}
	if repairStackLocations(nil, (&Error{Code: 1, CodeName: "InternalError", Msg: "plain"}).doc()) != nil {
		t.Error("a plain message was changed")
	}
}
