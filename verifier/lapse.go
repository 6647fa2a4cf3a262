package verifier

import (
	"context"
	"slices"
)

// Lapse names a best-effort write that failed. Some writes of a Send or
// Verify come after its answer is decided: giving back the limits of a
// request that did not go through, withdrawing a code that was never
// delivered, counting a verified code for the pumping guard. Their failure
// does not change the answer (the request's own result or error stands),
// and is reported, always in the same way, to the Observer: in
// Event.Lapses, each kind once per call. prommetrics counts them.
type Lapse string

// The lapses.
const (
	// LapseRelease: limits taken for a request that did not go through
	// (refused by a later limit, or certainly undelivered) were not given
	// back. They count until their windows pass: the user may be held
	// for a cooldown or a quota that should have been free.
	LapseRelease Lapse = "release"
	// LapseWithdraw: a new code whose message certainly did not leave
	// was not deleted. Nobody was sent it; it stays valid until it
	// expires, guessed only within its guess cap.
	LapseWithdraw Lapse = "withdraw"
	// LapseGuardCount: a verified code was not counted for the pumping
	// guard, so its prefix looks less converting than it is.
	LapseGuardCount Lapse = "guard_count"
)

// lapses records one call's lapses, for its Event. Send and Verify put it
// in the context their writes run on (only when there is an Observer to
// tell), so that every best-effort write, however deep, reports the same
// way: lapsed(ctx, kind).
type lapses struct{ list []Lapse }

type lapsesKey struct{}

// watch returns ctx carrying a new record of lapses when the Verifier has
// an Observer, and ctx and nil otherwise (nothing allocated).
func (v *Verifier) watch(ctx context.Context) (context.Context, *lapses) {
	if v.cfg.observer == nil {
		return ctx, nil
	}
	l := new(lapses)
	return context.WithValue(ctx, lapsesKey{}, l), l
}

// kinds is what l recorded; nil for none, or for no record.
func (l *lapses) kinds() []Lapse {
	if l == nil {
		return nil
	}
	return l.list
}

// lapsed records, for the call ctx belongs to, that a best-effort write
// of kind failed (once per kind).
func lapsed(ctx context.Context, kind Lapse) {
	l, ok := ctx.Value(lapsesKey{}).(*lapses)
	if ok && !slices.Contains(l.list, kind) {
		l.list = append(l.list, kind)
	}
}
