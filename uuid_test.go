package motor_test

import (
	"bytes"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/gomotor/motor"
)

func TestUUIDParse(t *testing.T) {
	u, err := motor.ParseUUID("00112233445566778899AABBCCDDEEFF")
	if err != nil || u.String() != "00112233-4455-6677-8899-aabbccddeeff" {
		t.Errorf("ParseUUID = %v, %v", u, err)
	}
	for _, bad := range []string{"", "0011", "00112233-4455-6677-8899_aabbccddeeff", "zz112233-4455-6677-8899-aabbccddeeff"} {
		if _, err := motor.ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q): no error", bad)
		}
	}
	n := motor.NewUUID()
	if n[6]>>4 != 4 || n[8]>>6 != 2 || n == motor.NewUUID() {
		t.Errorf("NewUUID = %v", n)
	}
}

// TestUUIDOutsideMotor checks the UUID encoding that applies where no motor codec does (the plain bson package),
// and that a motor codec takes precedence.
func TestUUIDOutsideMotor(t *testing.T) {
	u, _ := motor.ParseUUID("00112233-4455-6677-8899-aabbccddeeff")
	raw, err := bson.Marshal(bson.D{{Key: "u", Value: u}})
	if err != nil {
		t.Fatal(err)
	}
	st, data := bson.Raw(raw).Lookup("u").Binary()
	if st != 4 || fmt.Sprintf("%x", data) != "00112233445566778899aabbccddeeff" {
		t.Errorf("bson.Marshal: subtype %d %x", st, data)
	}
	var back struct{ U motor.UUID }
	if err := bson.Unmarshal(raw, &back); err != nil || back.U != u {
		t.Errorf("bson.Unmarshal = %v, %v", back.U, err)
	}
	reg, _ := motor.CodecOptions{UUIDRepresentation: motor.UUIDJavaLegacy}.Registry()
	buf := new(bytes.Buffer)
	enc := bson.NewEncoder(bson.NewDocumentWriter(buf))
	enc.SetRegistry(reg)
	if err := enc.Encode(bson.D{{Key: "u", Value: u}}); err != nil {
		t.Fatal(err)
	}
	st, data = bson.Raw(buf.Bytes()).Lookup("u").Binary()
	if st != 3 || fmt.Sprintf("%x", data) != "7766554433221100ffeeddccbbaa9988" {
		t.Errorf("motor codec: subtype %d %x", st, data)
	}
}
