// Package redislimiter is a limiter.Limiter on Redis, so that rate limits
// hold across every vcode instance sharing it: five attempts means five in
// total, not five per instance.
//
// It takes any redis.UniversalClient (single node, Sentinel failover, or
// Cluster) and a key prefix. Each key is a sorted set of event times under
//
//	<prefix>{<hex of the verifier's key>}
//
// holding at most limit members, so memory per key is bounded by its limit.
// Allow is one Lua script in one round trip: drop the events that left the
// longest window, count per rule, and record, atomically. The key expires
// one longest window after its newest event. AllowAll (limiter.BatchLimiter)
// takes several keys' events in one round trip: one script on a single
// node, atomically, and one pipeline of a script per key on Redis Cluster
// (see AllowAll for what a refusal costs there).
//
// # Whose clock
//
// Redis's (the TIME command, inside the script). If each instance passed its
// own time, an instance whose clock runs behind would record events "in the
// past", where an instance with a correct clock already counts them as out
// of the window: skew between app servers would widen the window by the
// skew. With one clock, Redis's, there is no skew to exploit. WithClock
// replaces it, for tests only.
package redislimiter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/rediskey"
	"github.com/vcodekit/vcode/limiter"
)

// DefaultTimeout bounds each operation unless WithTimeout says otherwise.
const DefaultTimeout = time.Second

// Limiter is a limiter.Limiter on Redis. Create it with New.
type Limiter struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	now     func() time.Time
}

var _ limiter.Limiter = (*Limiter)(nil)

var errNoClient = errors.New("redislimiter: nil client")

func (l *Limiter) run(ctx context.Context, script *redis.Script, key string, args ...any) ([]int64, error) {
	if l.client == nil {
		return nil, errNoClient
	}
	ctx, cancel := rediskey.Bound(ctx, l.timeout)
	defer cancel()
	v, err := script.Run(ctx, l.client, []string{rediskey.Key(l.prefix, key)}, append(args, l.clock())...).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("redislimiter: %w", err)
	}
	return v, nil
}

// clock is the time to pass the scripts: WithClock's in µs, or 0 for
// Redis's TIME.
func (l *Limiter) clock() int64 {
	if l.now == nil {
		return 0
	}
	return l.now().UnixMicro()
}

// Allow implements limiter.Limiter.
func (l *Limiter) Allow(ctx context.Context, key string, rules ...limiter.Rule) (limiter.Decision, error) {
	if _, _, err := limiter.CheckRules(rules); err != nil {
		return limiter.Decision{}, err
	}
	args := make([]any, 0, 2+2*len(rules))
	args = append(args, len(rules))
	for _, r := range rules {
		args = append(args, r.Limit, r.Window.Microseconds())
	}
	v, err := l.run(ctx, allowScript, key, args...)
	if err != nil {
		return limiter.Decision{}, err
	}
	if len(v) != 3 {
		return limiter.Decision{}, fmt.Errorf("redislimiter: unexpected reply %v", v)
	}
	if v[0] == 0 {
		return limiter.Decision{RetryAfter: time.Duration(v[1]) * time.Microsecond}, nil
	}
	return limiter.Decision{Allowed: true, Remaining: int(v[1]), At: time.UnixMicro(v[2])}, nil
}

// Release implements limiter.Limiter.
func (l *Limiter) Release(ctx context.Context, key string, at time.Time) error {
	_, err := l.run(ctx, releaseScript, key, at.UnixMicro())
	return err
}

// Ping reports whether Redis answers, for readiness checks.
func (l *Limiter) Ping(ctx context.Context) error {
	if err := rediskey.Ping(ctx, l.client, l.timeout); err != nil {
		return fmt.Errorf("redislimiter: %w", err)
	}
	return nil
}
