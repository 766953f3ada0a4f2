package uuidlayout

import (
	"encoding/hex"
	"testing"
)

func bytes16(t *testing.T, s string) [16]byte {
	t.Helper()
	var b [16]byte
	if n, err := hex.Decode(b[:], []byte(s)); err != nil || n != 16 {
		t.Fatalf("bad test vector %q: %v", s, err)
	}
	return b
}

// TestLayouts checks each layout against the bytes the legacy drivers store for 00112233-4455-6677-8899-aabbccddeeff
// (the vectors of the drivers' UUID specification).
func TestLayouts(t *testing.T) {
	u := bytes16(t, "00112233445566778899aabbccddeeff")
	tests := []struct {
		name   string
		l      Layout
		stored string
	}{
		{"standard", Standard, "00112233445566778899aabbccddeeff"},
		{"java", Java, "7766554433221100ffeeddccbbaa9988"},
		{"csharp", CSharp, "33221100554477668899aabbccddeeff"},
		{"unknown", Layout(200), "00112233445566778899aabbccddeeff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := bytes16(t, tt.stored)
			if got := tt.l.Store(u); got != want {
				t.Errorf("Store = %x, want %x", got, want)
			}
			if got := tt.l.Load(want); got != u {
				t.Errorf("Load = %x, want %x", got, u)
			}
		})
	}
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("0123456789abcdef"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, l uint8) {
		var u [16]byte
		copy(u[:], data)
		if got := Layout(l).Load(Layout(l).Store(u)); got != u {
			t.Fatalf("Layout(%d): Load(Store(%x)) = %x", l, u, got)
		}
	})
}
