package motor_test

import (
	"fmt"

	"github.com/gomotor/motor"
)

func ExampleNewUUID() {
	u := motor.NewUUID()
	fmt.Println(len(u.String()), u.String()[14:15]) // random, of version 4
	// Output: 36 4
}
