// Package redisstore is a store.CodeStore on Redis, for several vcode
// instances sharing their pending codes: a code sent through one instance
// verifies through any other, once.
//
// It takes any redis.UniversalClient (single node, Sentinel failover, or
// Cluster) and a key prefix. Each operation is one Lua script in one round
// trip (EVALSHA, falling back to EVAL when the server lacks the script), so
// check-and-consume is atomic across all instances, and a record's value and
// expiry are set in one step. A record is a hash under
//
//	<prefix>{<hex of the verifier's key>}
//
// whose fields are the digest, the attempt count, the attempt cap and the
// expiry time: no code, phone number or address. The braces are a Redis
// Cluster hash tag. No operation uses KEYS or SCAN.
//
// Redis's clock (the TIME command, inside the script) decides expiry, so
// every instance agrees on when a code dies whatever their own clocks say;
// the key also carries a PEXPIRE so that Redis reclaims it. WithClock
// replaces Redis's clock, for tests only.
//
// Digests are compared with Lua's string equality. Lua interns its strings,
// so the comparison is of references, not a byte loop that stops at the
// first difference; and a digest is an HMAC under a secret that never
// reaches Redis, so a client cannot steer its bytes anyway.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/rediskey"
	"github.com/vcodekit/vcode/store"
)

// DefaultTimeout bounds each operation unless WithTimeout says otherwise.
const DefaultTimeout = time.Second

// Store is a store.CodeStore on Redis. Create it with New.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	now     func() time.Time
}

var _ store.Peeker = (*Store)(nil)

func (s *Store) redisKey(key string) string { return rediskey.Key(s.prefix, key) }

// nowArg is the clock argument of the scripts: 0 means Redis's TIME.
func (s *Store) nowArg() int64 {
	if s.now == nil {
		return 0
	}
	return s.now().UnixMilli()
}

var errNoClient = errors.New("redisstore: nil client")

func (s *Store) run(ctx context.Context, script *redis.Script, key string, args ...any) (any, error) {
	if s.client == nil {
		return nil, errNoClient
	}
	ctx, cancel := rediskey.Bound(ctx, s.timeout)
	defer cancel()
	v, err := script.Run(ctx, s.client, []string{s.redisKey(key)}, args...).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	return v, nil
}

// Save implements store.CodeStore.
func (s *Store) Save(ctx context.Context, key string, r store.Record) error {
	if err := r.Check(); err != nil {
		return err
	}
	ms := max(r.TTL.Milliseconds(), 1)
	sealed := r.Sealed
	if sealed == nil {
		sealed = []byte{} // stored as an empty field: no payload
	}
	_, err := s.run(ctx, saveScript, key, r.Digest, ms, r.MaxAttempts, sealed, s.nowArg())
	return err
}

// Peek implements store.Peeker.
func (s *Store) Peek(ctx context.Context, key string) ([]byte, time.Duration, error) {
	v, err := s.run(ctx, peekScript, key, s.nowArg())
	if err != nil {
		return nil, 0, err
	}
	r, ok := v.([]any)
	if !ok || len(r) != 2 {
		return nil, 0, fmt.Errorf("redisstore: unexpected reply %v", v)
	}
	sealed, _ := r[0].(string)
	ms, _ := r[1].(int64)
	if sealed == "" || ms <= 0 {
		return nil, 0, nil
	}
	return []byte(sealed), time.Duration(ms) * time.Millisecond, nil
}

// Consume implements store.CodeStore.
func (s *Store) Consume(ctx context.Context, key string, digest []byte) (store.Result, error) {
	v, err := s.run(ctx, consumeScript, key, digest, s.nowArg())
	if err != nil {
		return store.NotFound, err
	}
	n, ok := v.(int64)
	if !ok || n < int64(store.NotFound) || n > int64(store.Exhausted) {
		return store.NotFound, fmt.Errorf("redisstore: unexpected reply %v", v)
	}
	return store.Result(n), nil
}

// Delete implements store.CodeStore.
func (s *Store) Delete(ctx context.Context, key string) error {
	if s.client == nil {
		return errNoClient
	}
	ctx, cancel := rediskey.Bound(ctx, s.timeout)
	defer cancel()
	if err := s.client.Del(ctx, s.redisKey(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	return nil
}

// Ping reports whether Redis answers, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := rediskey.Ping(ctx, s.client, s.timeout); err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	return nil
}
