package redislimiter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/rediskey"
	"github.com/vcodekit/vcode/limiter"
)

var _ limiter.BatchLimiter = (*Limiter)(nil)

// AllowAll implements limiter.BatchLimiter.
//
// On a single node (a *redis.Client, Sentinel's failover client included)
// it is one Lua script over every key, in one round trip, all or nothing
// atomically. On any other client (Redis Cluster, where keys of different
// hash slots cannot share a script; every key here is a hash tag of its
// own) it sends one script per distinct key, all in one pipeline: still one
// round trip, with the nodes answering in parallel. There a refusal by one
// key is followed by a second round trip giving back what the other keys
// took, so the all or nothing is eventual, not atomic: between the two, a
// concurrent call may see those events, and be refused by them.
func (l *Limiter) AllowAll(ctx context.Context, reqs []limiter.Request, decisions []limiter.Decision) (int, error) {
	if err := limiter.CheckRequests(reqs, decisions); err != nil {
		return -1, err
	}
	if len(reqs) == 0 {
		return -1, nil
	}
	if l.client == nil {
		return -1, errNoClient
	}
	decisions = decisions[:len(reqs)]
	clear(decisions)
	if _, single := l.client.(*redis.Client); single {
		return l.allowAllScript(ctx, reqs, decisions)
	}
	return l.allowAllPipelined(ctx, reqs, decisions)
}

// allowAllScript is AllowAll on a single node: one script.
func (l *Limiter) allowAllScript(ctx context.Context, reqs []limiter.Request, decisions []limiter.Decision) (int, error) {
	bctx, cancel := rediskey.Bound(ctx, l.timeout)
	defer cancel()
	keys := make([]string, len(reqs))
	for i, r := range reqs {
		keys[i] = rediskey.Key(l.prefix, r.Key)
	}
	v, err := allowAllScript.Run(bctx, l.client, keys, allowAllArgs(l.clock(), reqs, nil)...).Int64Slice()
	if err != nil {
		return -1, fmt.Errorf("redislimiter: %w", err)
	}
	return decide(v, len(reqs), func(k int) int { return k }, decisions)
}

// allowAllPipelined is AllowAll on any other client: a script per key,
// in one pipeline, and on a refusal or a failure a second round trip
// giving back what the others took.
func (l *Limiter) allowAllPipelined(ctx context.Context, reqs []limiter.Request, decisions []limiter.Decision) (int, error) {
	bctx, cancel := rediskey.Bound(ctx, l.timeout)
	defer cancel()
	now := l.clock()
	groups := l.byKey(len(reqs), func(i int) string { return reqs[i].Key })
	calls := make([]call, len(groups))
	for g, grp := range groups {
		keys := make([]string, len(grp.reqs))
		sub := make([]limiter.Request, len(grp.reqs))
		for k, i := range grp.reqs {
			keys[k], sub[k] = grp.key, reqs[i]
		}
		calls[g] = call{keys, allowAllArgs(now, sub, nil)}
	}
	refused, errs := -1, []error(nil)
	for g, cmd := range l.runAll(bctx, allowAllScript, calls) {
		v, err := cmd.Int64Slice()
		if err != nil {
			errs = append(errs, fmt.Errorf("redislimiter: %w", err))
			continue
		}
		idx := groups[g].reqs
		switch r, err := decide(v, len(idx), func(k int) int { return idx[k] }, decisions); {
		case err != nil:
			errs = append(errs, err)
		case r >= 0 && (refused < 0 || r < refused):
			refused = r
		}
	}
	if len(errs) == 0 && refused < 0 {
		return -1, nil
	}
	// Give back what the allowed groups took (their decisions are the
	// allowed ones), detached from ctx's cancellation: a refused or
	// failed call must leave no trace.
	if err := l.releaseAll(ctx, reqs, decisions); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		clear(decisions)
		return -1, errors.Join(errs...)
	}
	d := decisions[refused]
	clear(decisions)
	decisions[refused] = d
	return refused, nil
}

// byKey groups n requests, key(i) the i-th's, by their Redis key: one
// group per distinct key, in the order of their first request.
func (l *Limiter) byKey(n int, key func(int) string) []group {
	var groups []group
	for i := range n {
		k := rediskey.Key(l.prefix, key(i))
		g := slices.IndexFunc(groups, func(g group) bool { return g.key == k })
		if g < 0 {
			g = len(groups)
			groups = append(groups, group{key: k})
		}
		groups[g].reqs = append(groups[g].reqs, i)
	}
	return groups
}

// group is the requests on one Redis key, by index.
type group struct {
	key  string
	reqs []int
}

// call is one script's keys and arguments.
type call struct {
	keys []string
	args []any
}

// allowAllArgs appends allowAllScript's arguments for reqs to dst.
func allowAllArgs(now int64, reqs []limiter.Request, dst []any) []any {
	n := 1
	for _, r := range reqs {
		n += 1 + 2*len(r.Rules)
	}
	dst = slices.Grow(dst, n)
	dst = append(dst, now)
	for _, r := range reqs {
		dst = append(dst, len(r.Rules))
		for _, rule := range r.Rules {
			dst = append(dst, rule.Limit, rule.Window.Microseconds())
		}
	}
	return dst
}

// decide reads allowAllScript's reply v for n requests, writing the k-th
// decision to decisions[index(k)]; it returns the index of the refused
// request, or -1.
func decide(v []int64, n int, index func(int) int, decisions []limiter.Decision) (int, error) {
	switch {
	case len(v) == 3 && v[0] == 0 && v[1] >= 0 && v[1] < int64(n):
		i := index(int(v[1]))
		decisions[i] = limiter.Decision{RetryAfter: time.Duration(v[2]) * time.Microsecond}
		return i, nil
	case len(v) == 1+2*n && v[0] == 1:
		for k := range n {
			decisions[index(k)] = limiter.Decision{Allowed: true, Remaining: int(v[1+2*k]), At: time.UnixMicro(v[2+2*k])}
		}
		return -1, nil
	}
	return -1, fmt.Errorf("redislimiter: unexpected reply %v", v)
}

// runAll runs script once per call, all in one pipeline, and again with
// EVAL, in a second one, those the server did not have cached. Each
// command's error is its own.
func (l *Limiter) runAll(ctx context.Context, script *redis.Script, calls []call) []*redis.Cmd {
	cmds := make([]*redis.Cmd, len(calls))
	switch len(calls) {
	case 0:
		return cmds
	case 1:
		cmds[0] = script.Run(ctx, l.client, calls[0].keys, calls[0].args...)
		return cmds
	}
	// The pipeline's own error is the first command's that failed; every
	// command carries its own.
	_, _ = l.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range calls {
			cmds[i] = script.EvalSha(ctx, p, c.keys, c.args...)
		}
		return nil
	})
	var missing []int
	for i, cmd := range cmds {
		if err := cmd.Err(); errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT") {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		_, _ = l.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, i := range missing {
				cmds[i] = script.Eval(ctx, p, calls[i].keys, calls[i].args...)
			}
			return nil
		})
	}
	return cmds
}
