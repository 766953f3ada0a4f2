package motor_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/gomotor/motor"
	"github.com/gomotor/motor/motortest"
)

// What the client knows of a replica set: a simulated one of three members here (motortest.ReplicaSet), the first
// of them primary.
func ExampleClient_Address() {
	ctx := context.Background()
	rs, err := motortest.StartReplicaSet(3, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rs.Close()
	client, err := motor.Connect(rs.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	hosts := rs.Hosts()

	// Address waits until the client knows where writes go.
	addr, err := client.Address(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(addr == hosts[0])

	// Nodes, Primary, Secondaries and Arbiters report what the client knows now, without waiting: here, once the
	// client has discovered all three members.
	for deadline := time.Now().Add(10 * time.Second); len(client.Nodes()) < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			log.Fatalf("the client knows %v, not 3 servers", client.Nodes())
		}
	}
	secondaries := []string{hosts[1], hosts[2]}
	slices.Sort(secondaries)
	fmt.Println(client.Primary() == hosts[0])
	fmt.Println(slices.Equal(client.Secondaries(), secondaries), client.Arbiters())
	// Output:
	// true
	// true
	// true []
}

// The limits of the server that writes go to, from its hello reply.
func ExampleClient_IsPrimary() {
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

	isPrimary, err := client.IsPrimary(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(isPrimary)
	isMongos, err := client.IsMongos(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(isMongos)
	maxBSON, err := client.MaxBSONSize(ctx)
	if err != nil {
		log.Fatal(err)
	}
	maxMessage, err := client.MaxMessageSize(ctx)
	if err != nil {
		log.Fatal(err)
	}
	maxBatch, err := client.MaxWriteBatchSize(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(maxBSON, maxMessage, maxBatch)
	// Output:
	// true
	// false
	// 16777216 48000000 100000
}

// A sharded cluster's mongos routers (simulated here) have no single address.
func ExampleClient_IsMongos() {
	ctx := context.Background()
	cluster, err := motortest.StartSharded(2)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close()
	client, err := motor.Connect(cluster.URI())
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)

	isMongos, err := client.IsMongos(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(isMongos)
	_, err = client.Address(ctx)
	fmt.Println(err)
	// Output:
	// true
	// motor: address: cannot use Address when load balancing among mongoses, use Nodes instead
}

// The connection settings, from the URI (and WithClientOptions), with the driver's defaults for the others.
func ExampleClient_MaxPoolSize() {
	client, err := motor.Connect("mongodb://127.0.0.1:27017/?maxPoolSize=20&serverSelectionTimeoutMS=5000&retryWrites=false")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background()) // Connect does no I/O, but it starts monitoring the server

	fmt.Println(client.MaxPoolSize(), client.MinPoolSize(), client.MaxIdleTime())
	fmt.Println(client.ServerSelectionTimeout(), client.LocalThreshold())
	fmt.Println(client.RetryReads(), client.RetryWrites())
	// Output:
	// 20 0 0s
	// 5s 15ms
	// true false
}
