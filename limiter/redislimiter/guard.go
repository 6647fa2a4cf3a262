package redislimiter

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/rediskey"
	"github.com/vcodekit/vcode/limiter"
)

var _ limiter.GuardLimiter = (*Limiter)(nil)

// guardKeys returns the Redis keys of key's prefix, region and contact
// (the safe list's mark): all hash tagged by the region, so that one
// script in one slot holds them. The contact's key has a ":c:" no prefix's
// hex holds.
func (l *Limiter) guardKeys(key limiter.GuardKey) (prefix, region, contact string) {
	region = rediskey.Key(l.prefix, key.Region)
	return region + ":" + hex.EncodeToString([]byte(key.Prefix)), region, region + ":c:" + hex.EncodeToString([]byte(key.Contact))
}

// flag is 1 for true, as the scripts read their flags.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// guardArgs appends the allowance, the trusted flag and whether the safe
// list applies, as allowSendScript reads them.
func guardArgs(dst []any, s limiter.GuardSend) []any {
	a := s.Allowance
	return append(dst, a.Base, a.Knee, a.Low, a.High, max(a.Per, 1), a.RegionBase, a.RegionRate, flag(s.Trusted), flag(s.Key.Contact != ""))
}

// AllowSend implements limiter.GuardLimiter.
//
// On a single node it is one script, in one round trip: the requests'
// events, then the guard's decision and record, all or nothing. On any
// other client (Cluster) it is AllowAll for the requests, then, when they
// all allowed, one script in the region's slot for the guard; when the
// guard refuses, a third round trip gives back the requests' events (the
// guard's own counts never hold a refused send).
func (l *Limiter) AllowSend(ctx context.Context, reqs []limiter.Request, s limiter.GuardSend, decisions []limiter.Decision) (limiter.SendDecision, error) {
	none := limiter.SendDecision{Refused: -1}
	if err := limiter.CheckSend(reqs, s, decisions); err != nil {
		return none, err
	}
	if l.client == nil {
		return none, errNoClient
	}
	decisions = decisions[:len(reqs)]
	clear(decisions)
	pkey, rkey, ckey := l.guardKeys(s.Key)
	if _, single := l.client.(*redis.Client); single {
		return l.allowSendScript(ctx, reqs, s, []string{pkey, rkey, ckey}, decisions)
	}
	if len(reqs) > 0 {
		refused, err := l.AllowAll(ctx, reqs, decisions)
		if err != nil || refused >= 0 {
			return limiter.SendDecision{Refused: refused}, err
		}
	}
	bctx, cancel := rediskey.Bound(ctx, l.timeout)
	defer cancel()
	v, err := allowSendScript.Run(bctx, l.client, []string{pkey, rkey, ckey}, guardArgs([]any{l.clock()}, s)...).Int64Slice()
	var d limiter.SendDecision
	if err == nil {
		d, err = readSend(v, 0, decisions)
	}
	if err == nil && d.Guard == limiter.GuardAllow {
		return d, nil
	}
	// Refused by the guard, or failed: give back what the requests took.
	if rerr := l.releaseAll(ctx, reqs, decisions); rerr != nil {
		err = errors.Join(err, rerr)
	}
	clear(decisions)
	if err != nil {
		return none, err
	}
	return d, nil
}

// allowSendScript is AllowSend on a single node: one script.
func (l *Limiter) allowSendScript(ctx context.Context, reqs []limiter.Request, s limiter.GuardSend, guardKeys []string, decisions []limiter.Decision) (limiter.SendDecision, error) {
	bctx, cancel := rediskey.Bound(ctx, l.timeout)
	defer cancel()
	keys := make([]string, len(reqs), len(reqs)+len(guardKeys))
	for i, r := range reqs {
		keys[i] = rediskey.Key(l.prefix, r.Key)
	}
	keys = append(keys, guardKeys...)
	args := guardArgs(allowAllArgs(l.clock(), reqs, make([]any, 0, 16)), s)
	v, err := allowSendScript.Run(bctx, l.client, keys, args...).Int64Slice()
	if err != nil {
		return limiter.SendDecision{Refused: -1}, fmt.Errorf("redislimiter: %w", err)
	}
	return readSend(v, len(reqs), decisions)
}

// readSend reads allowSendScript's reply v for n requests.
func readSend(v []int64, n int, decisions []limiter.Decision) (limiter.SendDecision, error) {
	d := limiter.SendDecision{Refused: -1}
	switch {
	case len(v) == 3 && v[0] == 0 && v[1] >= 0 && v[1] < int64(n):
		d.Refused = int(v[1])
		decisions[d.Refused] = limiter.Decision{RetryAfter: time.Duration(v[2]) * time.Microsecond}
		return d, nil
	case len(v) == 3 && v[0] == 2 && (v[1] == 1 || v[1] == 2):
		d.Guard, d.Started = limiter.GuardVerdict(v[1]), v[2] == 1
		return d, nil
	case len(v) == 3+2*n && v[0] == 1:
		for k := range n {
			decisions[k] = limiter.Decision{Allowed: true, Remaining: int(v[1+2*k]), At: time.UnixMicro(v[2+2*k])}
		}
		d.At, d.Safe = time.UnixMicro(v[1+2*n]), v[2+2*n] == 1
		return d, nil
	}
	return d, fmt.Errorf("redislimiter: unexpected reply %v", v)
}

// releaseAll gives back the events decisions say reqs took, in one
// pipeline, detached from ctx's cancellation.
func (l *Limiter) releaseAll(ctx context.Context, reqs []limiter.Request, decisions []limiter.Decision) error {
	var back []call
	for i, r := range reqs {
		if decisions[i].Allowed {
			back = append(back, call{[]string{rediskey.Key(l.prefix, r.Key)}, []any{decisions[i].At.UnixMicro(), 0}})
		}
	}
	rctx, cancel := rediskey.Bound(context.WithoutCancel(ctx), l.timeout)
	defer cancel()
	for _, cmd := range l.runAll(rctx, releaseScript, back) {
		if err := cmd.Err(); err != nil {
			return fmt.Errorf("redislimiter: giving back events: %w", err)
		}
	}
	return nil
}

// ReleaseSend implements limiter.GuardLimiter.
func (l *Limiter) ReleaseSend(ctx context.Context, key limiter.GuardKey, at time.Time) error {
	return l.guardRun(ctx, releaseSendScript, key, at.UnixMicro())
}

// Verified implements limiter.GuardLimiter.
func (l *Limiter) Verified(ctx context.Context, key limiter.GuardKey, at time.Time) error {
	now := l.clock()
	if !at.IsZero() {
		now = at.UnixMicro()
	}
	return l.guardRun(ctx, verifiedScript, key, now, flag(key.Contact != ""))
}

// guardRun runs script on key's prefix and region.
func (l *Limiter) guardRun(ctx context.Context, script *redis.Script, key limiter.GuardKey, args ...any) error {
	if l.client == nil {
		return errNoClient
	}
	ctx, cancel := rediskey.Bound(ctx, l.timeout)
	defer cancel()
	pkey, rkey, ckey := l.guardKeys(key)
	if err := script.Run(ctx, l.client, []string{pkey, rkey, ckey}, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redislimiter: %w", err)
	}
	return nil
}
