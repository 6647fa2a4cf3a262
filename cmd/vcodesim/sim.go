package main

import (
	"container/heap"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// level is one protection level to run.
type level struct {
	name  string
	label string
	guard verifier.GuardLevel
}

var levels = []level{
	{"off", "off (static defences only)", verifier.GuardOff},
	{"basic", "basic", verifier.GuardBasic},
	{"standard", "standard (recommended)", verifier.GuardStandard},
	{"max", "max", verifier.GuardMax},
}

// dayStart is midnight UTC of the measured day.
var dayStart = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// event is one thing happening at a time; seq orders events of one instant
// by when they were scheduled.
type event struct {
	at  time.Duration
	seq uint64
	fn  func()
}

type queue []event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// prefixResult is what one pumped prefix got.
type prefixResult struct {
	Prefix   string `json:"prefix"`
	Note     string `json:"note"`
	Campaign string `json:"campaign"`
	// Legitimate users of the day on this prefix.
	LegitUsers int `json:"legit_users"`

	Attempted       int `json:"attempted"`
	Delivered       int `json:"delivered"`
	DeliveredBefore int `json:"delivered_before_detection"`
	DeliveredAfter  int `json:"delivered_after_detection"`
	GuardRefused    int `json:"guard_refused"`
	RateLimited     int `json:"rate_limited"`
	OtherRefused    int `json:"other_refused"`
	Verified        int `json:"verified"`

	Detected bool `json:"detected"`
	// TimeToDetect runs from the campaign's first send to the prefix to
	// the first guard refusal of a send to it.
	TimeToDetect time.Duration `json:"time_to_detect_ns"`
	// AttemptsAfter are the pumped attempts from detection on (the
	// detecting one included); RefusedAfter those the guard refused.
	AttemptsAfter int `json:"attempts_after_detection"`
	RefusedAfter  int `json:"guard_refused_after_detection"`
	Blocks        int `json:"blocks_started"`

	first    time.Duration
	seen     bool
	detectAt time.Duration
}

// legitResult is what legitimate users got.
type legitResult struct {
	Users        int `json:"users"`
	Sends        int `json:"sends"`
	Delivered    int `json:"delivered"`
	GuardRefused int `json:"guard_refused"`
	// On prefixes under attack (shared with a campaign) and elsewhere.
	GuardRefusedAttacked int `json:"guard_refused_on_attacked_prefixes"`
	RateLimited          int `json:"rate_limited"`
	OtherRefused         int `json:"other_refused"`
	Verifies             int `json:"verifies"`
	Verified             int `json:"verified"`
	VerifyGuardRefused   int `json:"verify_refused_by_guard"`
	Finished             int `json:"users_finished"`
	WantedToFinish       int `json:"users_wanting_to_finish"`
	FailedByGuard        int `json:"users_failed_by_guard"`
	UsersGuardRefused    int `json:"users_refused_by_guard"`
}

// block is a block the guard started.
type block struct {
	Prefix string        `json:"prefix"`
	At     time.Duration `json:"at_ns"`
	Pumped bool          `json:"pumped_prefix"`
}

type levelResult struct {
	Level     string          `json:"level"`
	Label     string          `json:"label"`
	Legit     legitResult     `json:"legit"`
	Warmup    legitResult     `json:"warmup"`
	Prefixes  []*prefixResult `json:"prefixes"`
	Blocks    []block         `json:"blocks"`
	Anomalies []string        `json:"anomalies,omitempty"`
	// Adaptive are the adaptive campaigns' runs at this level.
	Adaptive []*attackResult `json:"adaptive,omitempty"`
	// Concurrency are the concurrency run's bursts (at the -check-level).
	Concurrency []*concResult `json:"concurrency,omitempty"`
}

// userState is one user's progress in a run.
type userState struct {
	sends         int
	code          string
	lastSend      time.Duration
	done, refused bool
	retries       int
}

// api is what the simulation calls: a *verifier.Verifier (a test's stub
// otherwise).
type api interface {
	Send(ctx context.Context, r verifier.Request) (verifier.Sent, error)
	Verify(ctx context.Context, r verifier.Request, code string) (contact.Contact, error)
	Close() error
}

type runner struct {
	sc      *scenario
	lv      level
	v       api   // the instance of the current call
	vs      []api // every instance: calls alternate between them
	calls   int
	clock   *vcodetest.Clock
	q       queue
	seq     uint64
	now     time.Duration
	ctx     context.Context
	msg     delivery.Message
	got     bool
	quiet   atomic.Bool // calls run concurrently: the notifier keeps nothing
	blocked string
	users   []userState
	res     *levelResult
	byKey   map[string]*prefixResult // pumped prefixes
	// pumpedRegions are the regions of the pumped prefixes sent to so far.
	pumpedRegions map[string]bool
	digits        int
	region        string      // the region of the last send's contact
	watch         *busyResult // the busy prefix's real users, if any
	closers       []io.Closer
}

type observer struct{ r *runner }

func (o observer) Observe(_ context.Context, e observe.Event) {
	if b := e.BlockedPrefix + e.BlockedRegion; b != "" && !o.r.quiet.Load() {
		o.r.blocked = b
	}
}

func (r *runner) at(t time.Duration, fn func()) {
	r.seq++
	heap.Push(&r.q, event{t, r.seq, fn})
}

// backend builds instance i's store and limiter, on the run's clock: the
// instances of a run share what they hold (one memory store and limiter,
// or one Redis key prefix through a client each). The closers it returns
// are closed after the Verifiers. A nil backend keeps each Verifier's
// defaults (memory, its own).
type backend func(now func() time.Time, i int) (store.CodeStore, limiter.Limiter, []io.Closer, error)

// newRunner returns a runner for sc at level lv whose clock starts at the
// warm-up's beginning, with instances Verifiers on the store and limiter
// that b builds (one Verifier on its in-memory defaults when b is nil).
func newRunner(sc *scenario, lv level, b backend, instances int) (*runner, error) {
	start := dayStart.Add(-sc.warmup)
	r := &runner{
		sc: sc, lv: lv, ctx: context.Background(),
		clock: vcodetest.NewClock(start),
		now:   -sc.warmup,
		users: make([]userState, len(sc.users)),
		res:   &levelResult{Level: lv.name, Label: lv.label},
		byKey: map[string]*prefixResult{}, pumpedRegions: map[string]bool{},
	}
	g := verifier.DefaultGuard()
	g.Level = lv.guard
	r.digits = g.PrefixDigits
	secret := sha256.Sum256([]byte("vcodesim " + strconv.FormatUint(sc.seed, 10)))
	n := delivery.NotifierFunc(func(_ context.Context, m delivery.Message) error {
		if !r.quiet.Load() {
			r.msg, r.got = m, true
		}
		return nil
	})
	opts := []verifier.Option{
		verifier.WithClock(r.clock.Now),
		verifier.WithSecrets(secret[:]),
		verifier.WithGuard(g),
		verifier.WithObserver(observer{r}),
	}
	for i := range max(instances, 1) {
		vopts := opts
		if b != nil {
			st, lim, closers, err := b(r.clock.Now, i)
			r.closers = append(r.closers, closers...)
			if err != nil {
				r.close()
				return nil, err
			}
			vopts = append(slices.Clip(opts), verifier.WithStore(st), verifier.WithLimiter(lim))
		}
		v, err := verifier.New(n, vopts...)
		if err != nil {
			r.close()
			return nil, err
		}
		r.vs = append(r.vs, v)
	}
	r.v = r.vs[0]
	return r, nil
}

// close closes the Verifiers, then the backends they shared.
func (r *runner) close() {
	for _, v := range r.vs {
		v.Close()
	}
	for _, c := range r.closers {
		c.Close()
	}
}

// next picks the instance of the next call: they take turns.
func (r *runner) next() api {
	r.v = r.vs[r.calls%len(r.vs)]
	r.calls++
	return r.v
}

// scheduleLegit queues every user's first send.
func (r *runner) scheduleLegit() {
	for i := range r.sc.users {
		u := &r.sc.users[i]
		r.at(u.at, func() { r.legitSend(u) })
		if u.counted {
			r.res.Legit.Users++
			if u.finish {
				r.res.Legit.WantedToFinish++
			}
		} else {
			r.res.Warmup.Users++
		}
	}
}

// loop runs the queued events in time order, advancing the clock, until
// the queue is empty or the next event is at until or later.
func (r *runner) loop(until time.Duration) {
	for r.q.Len() > 0 && r.q[0].at < until {
		e := heap.Pop(&r.q).(event)
		if e.at > r.now {
			r.clock.Advance(e.at - r.now)
			r.now = e.at
		}
		e.fn()
	}
}

// finish sums up the users' sessions.
func (r *runner) finish() *levelResult {
	for i := range r.sc.users {
		u, st := &r.sc.users[i], &r.users[i]
		lr := &r.res.Warmup
		if u.counted {
			lr = &r.res.Legit
		}
		if st.done {
			lr.Finished++
		}
		if st.refused {
			lr.UsersGuardRefused++
			if u.finish && !st.done {
				lr.FailedByGuard++
			}
		}
	}
	return r.res
}

// addPrefix registers a pumped prefix's result.
func (r *runner) addPrefix(p *prefixResult) {
	p.LegitUsers = r.sc.legitPerDay()[p.Prefix]
	r.byKey[p.Prefix] = p
	r.res.Prefixes = append(r.res.Prefixes, p)
}

// runLevel replays the scenario against a fresh Verifier at one level.
func runLevel(sc *scenario, lv level) (*levelResult, error) {
	r, err := newRunner(sc, lv, nil, 1)
	if err != nil {
		return nil, err
	}
	defer r.close()
	legitUsers := sc.legitPerDay()
	for _, c := range sc.campaigns {
		for _, t := range c.targets {
			p := &prefixResult{Prefix: t.prefix, Note: t.note, Campaign: c.spec.name, LegitUsers: legitUsers[t.prefix]}
			r.byKey[t.prefix] = p
			r.res.Prefixes = append(r.res.Prefixes, p)
		}
	}
	r.scheduleLegit()
	for i := range sc.pumps {
		s := &sc.pumps[i]
		r.at(s.at, func() { r.pumpSend(s) })
	}
	r.loop(math.MaxInt64)
	return r.finish(), nil
}

// prefixOf is the guard's prefix of an E.164 number: "+", the calling
// code and the first digits national digits.
func prefixOf(e164 string, callingCode, digits int) string {
	n := 1 + len(strconv.Itoa(callingCode)) + digits
	return e164[:min(n, len(e164))]
}

// send calls Send and tells how it ended.
type outcome int

const (
	delivered outcome = iota
	guardRefused
	rateLimited
	otherRefused
)

func (r *runner) send(req verifier.Request) (outcome, string, time.Duration, error) {
	r.got, r.blocked = false, ""
	sent, err := r.next().Send(r.ctx, req)
	r.region = sent.Contact.Region
	if sent.Contact.Region != "" && r.byKey[prefixOf(sent.Contact.Value, sent.Contact.CallingCode, r.digits)] != nil {
		r.pumpedRegions[sent.Contact.Region] = true
	}
	if r.blocked != "" {
		// A prefix ("+371291"), or a region ("UG") for a burst spread
		// over its prefixes.
		pumped := r.byKey[r.blocked] != nil || r.pumpedRegions[r.blocked]
		r.res.Blocks = append(r.res.Blocks, block{Prefix: r.blocked, At: r.now, Pumped: pumped})
		if p := r.byKey[r.blocked]; p != nil && p.seen {
			p.Blocks++
		}
	}
	var rl *verifier.RateLimitError
	switch {
	case err == nil:
		if !r.got {
			return otherRefused, "", 0, errors.New("sent without a message")
		}
		return delivered, r.msg.Code, 0, nil
	case errors.Is(err, verifier.ErrPumping):
		if !errors.Is(err, delivery.ErrNotAllowed) {
			r.res.Anomalies = append(r.res.Anomalies, "ErrPumping does not match ErrNotAllowed")
		}
		key := prefixOf(sent.Contact.Value, sent.Contact.CallingCode, r.digits)
		if p := r.byKey[key]; p != nil && p.seen && !p.Detected {
			p.Detected, p.detectAt, p.TimeToDetect = true, r.now, r.now-p.first
		}
		// A guard that says when its refusal ends (a RateLimitError in
		// the chain) tells an attacker when to come back.
		var retry time.Duration
		if errors.As(err, &rl) {
			retry = rl.RetryAfter
		}
		return guardRefused, "", retry, err
	case errors.As(err, &rl):
		return rateLimited, "", rl.RetryAfter, err
	}
	return otherRefused, "", 0, err
}

func (r *runner) legitSend(u *user) {
	st := &r.users[u.id]
	if st.done {
		return
	}
	lr := &r.res.Warmup
	if u.counted {
		lr = &r.res.Legit
	}
	lr.Sends++
	w := r.watch
	if w != nil && (!u.counted || u.prefix.key != w.Prefix) {
		w = nil
	}
	if w != nil {
		w.RealSends++
	}
	out, code, retry, err := r.send(verifier.Request{Contact: u.number, Subject: u.subject, ClientIP: u.ip})
	if w != nil && out == delivered {
		w.RealDelivered++
	}
	switch out {
	case guardRefused:
		lr.GuardRefused++
		if w != nil {
			w.RealRefused++
		}
		if p := r.byKey[u.prefix.key]; p != nil {
			lr.GuardRefusedAttacked++
		}
		st.refused = true
		return // 403: the user gives up
	case rateLimited:
		lr.RateLimited++
		if retry <= 10*time.Minute && st.retries < 2 {
			st.retries++
			r.at(r.now+retry+u.jitter, func() { r.legitSend(u) })
		}
		return
	case otherRefused:
		lr.OtherRefused++
		r.res.Anomalies = appendOnce(r.res.Anomalies, fmt.Sprintf("legit send to %s: %v", u.prefix.key, err))
		return
	}
	lr.Delivered++
	st.sends++
	st.code = code
	st.lastSend = r.now
	sends := st.sends
	switch {
	case sends == 1 && u.resend > 0:
		// The SMS is slow: ask again, then use the newest code.
		r.at(r.now+u.resend, func() { r.legitSend(u) })
	case u.finish:
		d := u.delay
		if sends > 1 {
			d = u.delay2
		}
		r.at(r.now+d, func() { r.legitVerify(u, sends) })
	}
}

func (r *runner) legitVerify(u *user, sends int) {
	st := &r.users[u.id]
	if st.done || st.sends != sends {
		return
	}
	lr := &r.res.Warmup
	if u.counted {
		lr = &r.res.Legit
	}
	lr.Verifies++
	_, err := r.next().Verify(r.ctx, verifier.Request{Contact: u.number, Subject: u.subject, ClientIP: u.ip}, st.code)
	switch {
	case err == nil:
		lr.Verified++
		st.done = true
		if w := r.watch; w != nil && u.counted && u.prefix.key == w.Prefix {
			w.RealVerified++
		}
	case errors.Is(err, delivery.ErrNotAllowed):
		lr.VerifyGuardRefused++
	case errors.Is(err, verifier.ErrWrongCode) && st.sends < u.giveUp:
		// Expired: ask for a new code once the cooldown allows.
		next := max(r.now, st.lastSend+time.Minute) + u.jitter
		r.at(next, func() { r.legitSend(u) })
	}
}

func (r *runner) pumpSend(s *pumpSend) {
	p := r.res.Prefixes[r.prefixIndex(s)]
	req := verifier.Request{Contact: s.number, Subject: s.subject, ClientIP: s.ip}
	out, code, _ := r.pump(p, req)
	if out == delivered && s.verify {
		r.at(r.now+s.delay, func() {
			_, err := r.next().Verify(r.ctx, req, code)
			switch {
			case err == nil:
				p.Verified++
			case errors.Is(err, delivery.ErrNotAllowed):
				r.res.Anomalies = appendOnce(r.res.Anomalies, "a pumped verify was refused by the guard")
			}
		})
	}
}

// pump makes a pumped send to p's prefix and counts how it ended; it
// returns the outcome, the code when delivered, and the refusal's
// RetryAfter when it gave one.
func (r *runner) pump(p *prefixResult, req verifier.Request) (outcome, string, time.Duration) {
	if !p.seen {
		p.seen, p.first = true, r.now
	}
	p.Attempted++
	detected := p.Detected
	out, code, retry, _ := r.send(req)
	if p.Detected {
		p.AttemptsAfter++
	}
	switch out {
	case delivered:
		p.Delivered++
		if detected {
			p.DeliveredAfter++
		} else {
			p.DeliveredBefore++
		}
	case guardRefused:
		p.GuardRefused++
		if p.Detected {
			p.RefusedAfter++
		}
	case rateLimited:
		p.RateLimited++
	default:
		p.OtherRefused++
	}
	return out, code, retry
}

// prefixIndex finds s's prefix result: campaigns' targets in order.
func (r *runner) prefixIndex(s *pumpSend) int {
	i := 0
	for ci := range s.campaign {
		i += len(r.sc.campaigns[ci].targets)
	}
	return i + s.target
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) || len(list) > 20 {
		return list
	}
	return append(list, s)
}
