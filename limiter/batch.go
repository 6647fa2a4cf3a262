package limiter

import (
	"context"
	"errors"
)

// AllowAll implements BatchLimiter: Allow for each request in turn, and on
// a refusal Release for those allowed before it. Each key is exact under its
// own lock, but the batch is not atomic across keys: a concurrent call may
// see, and be refused by, an event that a refused batch then gives back.
func (m *Memory) AllowAll(ctx context.Context, reqs []Request, decisions []Decision) (int, error) {
	if err := CheckRequests(reqs, decisions); err != nil {
		return -1, err
	}
	decisions = decisions[:len(reqs)]
	clear(decisions)
	for i, r := range reqs {
		d, err := m.Allow(ctx, r.Key, r.Rules...)
		if err == nil && d.Allowed {
			decisions[i] = d
			continue
		}
		// Newest first, so that a key taken twice gives back its own
		// events.
		for j := i - 1; j >= 0; j-- {
			err = errors.Join(err, m.Release(ctx, reqs[j].Key, decisions[j].At))
			decisions[j] = Decision{}
		}
		if err != nil {
			return -1, err
		}
		decisions[i] = d
		return i, nil
	}
	return -1, nil
}

// CheckRequests returns ErrShortDecisions or ErrInvalidRule when AllowAll
// must refuse reqs: decisions cannot hold the answers, or a request's
// rules fail CheckRules. For implementations.
func CheckRequests(reqs []Request, decisions []Decision) error {
	if len(decisions) < len(reqs) {
		return ErrShortDecisions
	}
	for _, r := range reqs {
		if _, _, err := CheckRules(r.Rules); err != nil {
			return err
		}
	}
	return nil
}
