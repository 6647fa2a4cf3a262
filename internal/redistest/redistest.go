// Package redistest gives tests a Redis to run against.
//
// With VCODE_TEST_REDIS (host:port) set, tests use that server and fail if
// it cannot be reached: CI sets it, and a silent fallback would hide a broken
// server. Without it they use an embedded miniredis, so a plain
// `go test ./...` still runs every Redis test. VCODE_TEST_REDIS_CLUSTER
// (comma-separated host:port) names a Redis Cluster; without it the cluster
// tests are skipped.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// The environment variables that name real servers.
const (
	EnvRedis   = "VCODE_TEST_REDIS"
	EnvCluster = "VCODE_TEST_REDIS_CLUSTER"
)

// Addr returns the address of a single Redis node for t: the one in
// VCODE_TEST_REDIS, checked to answer, or a fresh miniredis closed with the
// test.
func Addr(t testing.TB) string {
	t.Helper()
	if addr := os.Getenv(EnvRedis); addr != "" {
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("%s=%s is set but Redis does not answer: %v", EnvRedis, addr, err)
		}
		return addr
	}
	return miniredis.RunT(t).Addr()
}

// Real reports whether tests run against a real Redis server.
func Real() bool { return os.Getenv(EnvRedis) != "" }

// NewClient returns a client for addr that honours context deadlines, closed
// with the test.
func NewClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1, // a test of failures wants to see them
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// Client returns a client for Addr(t).
func Client(t testing.TB) *redis.Client {
	t.Helper()
	return NewClient(t, Addr(t))
}

// ClusterClient returns a client for the cluster in
// VCODE_TEST_REDIS_CLUSTER, or skips the test when it is not set.
func ClusterClient(t testing.TB) *redis.ClusterClient {
	t.Helper()
	env := os.Getenv(EnvCluster)
	if env == "" {
		t.Skipf("%s not set: no Redis Cluster to test against", EnvCluster)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 strings.Split(env, ","),
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ForEachShard(ctx, func(ctx context.Context, shard *redis.Client) error {
		return shard.Ping(ctx).Err()
	}); err != nil {
		t.Fatalf("%s=%s is set but the cluster does not answer: %v", EnvCluster, env, err)
	}
	return c
}

// Prefix returns a key prefix unique to this test, so tests sharing a server
// never see each other's keys.
func Prefix(t testing.TB) string {
	var b [6]byte
	rand.Read(b[:])
	name := strings.NewReplacer("/", ":", " ", "_", "{", "(", "}", ")").Replace(t.Name())
	return "vcodetest:" + name + ":" + hex.EncodeToString(b[:]) + ":"
}

// Must returns a function that fails t if err is not nil and returns v
// otherwise, so that a backend's constructor can be called inline:
//
//	s := redistest.Must(redisstore.New(client, prefix))(t)
func Must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
