package motor_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

func TestFsyncCmd(t *testing.T) {
	fsync := bson.E{Key: "fsync", Value: int32(1)}
	tests := []struct {
		desc    string
		opts    *motor.FsyncOptions
		want    bson.D
		wantErr string
	}{
		{desc: "nil", want: bson.D{fsync}},
		{desc: "lock", opts: &motor.FsyncOptions{Lock: true}, want: bson.D{fsync, {Key: "lock", Value: true}}},
		{desc: "async", opts: &motor.FsyncOptions{Async: true}, want: bson.D{fsync, {Key: "async", Value: true}}},
		{desc: "lock and Extra", opts: &motor.FsyncOptions{Lock: true, Extra: bson.D{{Key: "fsyncLockAcquisitionTimeoutMillis", Value: 500}}},
			want: bson.D{fsync, {Key: "lock", Value: true}, {Key: "fsyncLockAcquisitionTimeoutMillis", Value: 500}}},
		{desc: "Extra lock", opts: &motor.FsyncOptions{Extra: bson.D{{Key: "lock", Value: true}}},
			wantErr: `FsyncOptions.Extra key "lock" duplicates a typed field`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := motor.FsyncCmd(tt.opts)
			if wantInvalidOption(t, err, tt.wantErr) {
				return
			}
			diff(t, "command", tt.want, got)
		})
	}
}

// TestFsyncFake checks the commands Fsync and Unlock send (FerretDB has neither) and that Unlock ignores "not
// locked" (code 125), as PyMongo does.
func TestFsyncFake(t *testing.T) {
	ctx := t.Context()
	f := motortest.NewFake(t)
	fakeReplicaSet(f)
	var locks atomic.Int32
	f.Handle("fsync", func(cmd bson.D) bson.D {
		if getField(cmd, "lock") == true {
			return motortest.OK(bson.E{Key: "numFiles", Value: int32(1)}, bson.E{Key: "lockCount", Value: locks.Add(1)})
		}
		return motortest.OK(bson.E{Key: "numFiles", Value: int32(1)})
	})
	f.Handle("fsyncUnlock", func(bson.D) bson.D {
		if locks.Load() == 0 {
			return motortest.CommandError(125, "CommandFailed", "fsyncUnlock called when not locked")
		}
		return motortest.OK(bson.E{Key: "info", Value: "fsyncUnlock completed"}, bson.E{Key: "lockCount", Value: locks.Add(-1)})
	})
	// The client reads from secondaries; fsync and fsyncUnlock still go with a primary read preference.
	c := fakeClient(t, f, motor.WithReadPreference(readpref.Secondary()))

	if err := c.Fsync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Fsync(ctx, &motor.FsyncOptions{Lock: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Unlock(ctx); err != nil {
		t.Errorf("Unlock when not locked: %v", err)
	}
	admin := func(d ...bson.E) bson.D { return append(withDB("admin", d), primaryRP) }
	diff(t, "commands", []bson.D{
		admin(bson.E{Key: "fsync", Value: int32(1)}),
		admin(bson.E{Key: "fsync", Value: int32(1)}, bson.E{Key: "lock", Value: true}),
		admin(bson.E{Key: "fsyncUnlock", Value: int32(1)}),
		admin(bson.E{Key: "fsyncUnlock", Value: int32(1)}),
	}, fakeCommands(f))

	t.Run("errors", func(t *testing.T) {
		f.Handle("fsyncUnlock", func(bson.D) bson.D { return motortest.CommandError(13, "Unauthorized", "not authorized on admin") })
		err := c.Unlock(ctx)
		var ce mongo.CommandError
		if !errors.As(err, &ce) || ce.Code != 13 || err.Error() != "motor: unlock: (Unauthorized) not authorized on admin" {
			t.Errorf("Unlock = %v", err)
		}
		f.Reset()
		if err := c.Fsync(ctx, &motor.FsyncOptions{Extra: bson.D{{Key: "fsync", Value: 2}}}); !errors.Is(err, motor.ErrInvalidOption) {
			t.Errorf("Fsync with a bad Extra = %v", err)
		}
		if err := c.Fsync(nil, nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // a nil context on purpose
			t.Errorf("Fsync(nil) = %v", err)
		}
		if err := c.Unlock(nil); !errors.Is(err, motor.ErrInvalidOption) { //nolint:staticcheck // a nil context on purpose
			t.Errorf("Unlock(nil) = %v", err)
		}
		if names := fakeNames(f); len(names) != 0 {
			t.Errorf("sent %v", names)
		}
	})
}

// TestFsyncFerretDB checks that FerretDB's CommandNotFound comes back wrapped.
func TestFsyncFerretDB(t *testing.T) {
	c, _ := newClient(t)
	for what, err := range map[string]error{"fsync": c.Fsync(t.Context(), nil), "unlock": c.Unlock(t.Context())} {
		var ce mongo.CommandError
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "motor: "+what+": ") {
			if motortest.Real() {
				continue // a real server may run them
			}
			t.Errorf("%s: %v", what, err)
		}
	}
}
