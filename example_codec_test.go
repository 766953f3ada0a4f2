package motor_test

import (
	"context"
	"fmt"
	"log"
	"reflect"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// Codec options change how results decode: here documents become bson.M and datetimes time.Time in a zone.
func ExampleWithCodecOptions() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("example_codec")
	plain := db.Collection("events")
	if _, err := plain.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "at", Value: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}}, nil); err != nil {
		log.Fatal(err)
	}

	ist := time.FixedZone("IST", 5*3600+1800)
	events := db.Collection("events", motor.WithCodecOptions(motor.CodecOptions{
		DocumentType: reflect.TypeOf(bson.M{}),
		TZAware:      true,
		TZInfo:       ist,
	}))
	var naive, aware any
	if err := plain.FindOne(ctx, bson.D{}, nil).Decode(&naive); err != nil {
		log.Fatal(err)
	}
	if err := events.FindOne(ctx, bson.D{}, nil).Decode(&aware); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T %T\n", naive, naive.(bson.D)[1].Value)
	fmt.Printf("%T %v\n", aware, aware.(bson.M)["at"].(time.Time).Format(time.RFC3339))
	// Output:
	// bson.D bson.DateTime
	// bson.M 2020-01-02T08:34:05+05:30
}

// The UUID representation decides how a motor.UUID is stored; Motor 2.3's default is the Python legacy one.
func ExampleUUIDRepresentation() {
	ctx := context.Background()
	srv, err := motortest.StartServer(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := motor.Connect(srv.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database("example_uuid")
	u, err := motor.ParseUUID("00112233-4455-6677-8899-aabbccddeeff")
	if err != nil {
		log.Fatal(err)
	}
	for _, rep := range []motor.UUIDRepresentation{motor.UUIDPythonLegacy, motor.UUIDStandard, motor.UUIDJavaLegacy} {
		coll := db.Collection(rep.String(), motor.WithCodecOptions(motor.CodecOptions{UUIDRepresentation: rep}))
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "u", Value: u}}, nil); err != nil {
			log.Fatal(err)
		}
		raw, err := coll.FindOne(ctx, bson.D{}, nil).Raw()
		if err != nil {
			log.Fatal(err)
		}
		subtype, data := raw.Lookup("u").Binary()
		var back struct{ U motor.UUID }
		if err := coll.FindOne(ctx, bson.D{}, nil).Decode(&back); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-12s subtype %d %x %v\n", rep, subtype, data, back.U == u)
	}
	// Output:
	// pythonLegacy subtype 3 00112233445566778899aabbccddeeff true
	// standard     subtype 4 00112233445566778899aabbccddeeff true
	// javaLegacy   subtype 3 7766554433221100ffeeddccbbaa9988 true
}

// Invalid UTF-8 fails to decode by default; other handlers repair it.
func ExampleCodecOptions_Decode() {
	// {"s": "a\xffb"}, as a server holding invalid UTF-8 would send it.
	raw := bson.Raw{16, 0, 0, 0, 2, 's', 0, 4, 0, 0, 0, 'a', 0xff, 'b', 0, 0}
	for _, h := range []motor.UnicodeErrorHandler{motor.UnicodeStrict, motor.UnicodeReplace, motor.UnicodeIgnore} {
		var doc struct{ S string }
		err := motor.CodecOptions{UnicodeDecodeErrorHandler: h}.Decode(raw, &doc)
		fmt.Printf("%s: %+q %v\n", h, doc.S, err)
	}
	// Output:
	// strict: "" motor: invalid UTF-8 at "s": byte 0xff in position 1 (UnicodeDecodeErrorHandler is strict)
	// replace: "a\ufffdb" <nil>
	// ignore: "ab" <nil>
}

// A type registry teaches the codec a Go type: here every BSON int64 read into an any becomes a Money.
func ExampleNewTypeRegistry() {
	type Money int64
	dec := bson.ValueDecoderFunc(func(_ bson.DecodeContext, vr bson.ValueReader, v reflect.Value) error {
		n, err := vr.ReadInt64()
		v.SetInt(n)
		return err
	})
	reg, err := motor.NewTypeRegistry(motor.TypeCodec{Type: reflect.TypeOf(Money(0)), Decoder: dec, BSONType: bson.TypeInt64})
	if err != nil {
		log.Fatal(err)
	}
	raw, err := bson.Marshal(bson.D{{Key: "price", Value: int64(250)}})
	if err != nil {
		log.Fatal(err)
	}
	var doc bson.M
	if err := (motor.CodecOptions{TypeRegistry: reg}).Decode(raw, &doc); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T %v\n", doc["price"], doc["price"])
	// Output: motor_test.Money 250
}

func ExampleParseUUID() {
	u, err := motor.ParseUUID("00112233445566778899AABBCCDDEEFF")
	fmt.Println(u, err)
	_, err = motor.ParseUUID("not-a-uuid")
	fmt.Println(err)
	// Output:
	// 00112233-4455-6677-8899-aabbccddeeff <nil>
	// motor: invalid UUID "not-a-uuid": want 32 hex digits, with or without dashes
}
