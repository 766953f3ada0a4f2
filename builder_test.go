package motor_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/gomotor/motor"
)

func TestWriteConcernDoc(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		wc   *writeconcern.WriteConcern
		want bson.D
	}{
		{nil, nil},
		{&writeconcern.WriteConcern{}, nil},
		{writeconcern.W1(), bson.D{{Key: "w", Value: int32(1)}}},
		{writeconcern.Majority(), bson.D{{Key: "w", Value: "majority"}}},
		{writeconcern.Custom("dc"), bson.D{{Key: "w", Value: "dc"}}},
		{&writeconcern.WriteConcern{Journal: &yes}, bson.D{{Key: "j", Value: true}}},
		{&writeconcern.WriteConcern{W: 2, Journal: &no}, bson.D{{Key: "j", Value: false}, {Key: "w", Value: int32(2)}}},
	}
	for _, tt := range tests {
		diff(t, "writeConcern", tt.want, motor.WriteConcernDoc(tt.wc))
	}
}
