package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/observe"
)

// ClientLimits are the quotas of one client, across all the contacts it
// asks for: Send for codes sent, Verify for verification attempts,
// Deliveries for calls to the notifier whatever their outcome (see
// Limits.Deliveries). A zero Rule is off. Deliveries goes with Send: on
// exactly when Send is, and admitting at least as many calls as Send
// admits codes, so that switching a client's send quota off or raising it
// cannot leave a silent cap behind, nor leaving a field out switch the
// bound off (New refuses either).
type ClientLimits struct {
	Send, Verify limiter.Rule
	Deliveries   limiter.Rule
}

// Limits is the whole rate-limit policy, in one value. Start from
// DefaultLimits and change what differs:
//
//	l := verifier.DefaultLimits()
//	l.RegionDaily = 10000 // SMS per region in any 24 hours
//	v, err := verifier.New(n, verifier.WithLimits(l))
//
// A backend that calls for all its users under one subject, from one IP,
// raises both Subject and IP (sends, verifications and deliveries): the
// defaults are sized for one person and for one household's NAT. Such a
// subject gets half of each contact's hourly cap, as any subject does.
//
// Throughout, a zero value is off. Guesses, Verify, Send and Deliveries may
// not be off: they are the brute-force, anti-bombing and provider-call
// bounds, and New refuses Limits without them. A limit counts 1 to 2^30 events in a window of 1 second to
// 366 days; a cooldown is 0 or 1 second to 366 days. Every count goes through the Limiter, so on Redis it holds
// across instances.
type Limits struct {
	// Guesses is how many wrong guesses kill a code (default 5).
	Guesses int
	// Verify is the verification attempts per subject and contact (default
	// 5 per minute). Per subject, so that nobody else's guesses lock a user
	// out of their own code.
	Verify limiter.Rule
	// Cooldown is the least time between two codes sent to one contact,
	// whoever asks (default one minute).
	Cooldown time.Duration
	// Send is the codes sent to one contact, whoever asks (default 10 per
	// hour): the bound on messages one phone or mailbox receives. No
	// subject may take more than half of it (rounded down, at least one),
	// so that one subject cannot keep a contact's owner from codes: it
	// holds the contact for one cooldown at a time at most.
	Send limiter.Rule
	// Deliveries is the calls to the notifier for one contact, whoever
	// asks and whatever their outcome (default 2 a minute: a code, and
	// one retry at once after a refusal). The cooldown, Send and the
	// quotas count only messages that may have left: one the provider
	// certainly refused (delivery.ErrUndelivered) gives them back, so that the user
	// may ask again at once. Deliveries are never given back, so that a
	// provider that refuses every message (a region not enabled, a barred
	// number) is not called without bound, nor its failures logged
	// without bound. Subject.Deliveries and IP.Deliveries bound the calls
	// of one client likewise (default twice their Send: each code asked
	// for again once). It may not be off; raise it with a short Cooldown.
	Deliveries limiter.Rule
	// Subject is the quotas of one subject (Request.Subject) across all
	// contacts (default 20 sends, 100 verifications and 40 deliveries an
	// hour).
	Subject ClientLimits
	// IP is the quotas of one client IP (Request.ClientIP) across all
	// contacts (default 60 sends, 300 verifications and 120 deliveries an
	// hour). An IP may hide many users behind NAT, so its quotas are
	// larger.
	//
	// The verify quotas of Subject and IP refuse wrong codes only: past a
	// spent quota an attempt is checked, and a right code verifies, so
	// that nobody sharing an IP can lock the others out. Such an attempt
	// takes no limit (not the contact's Verify either), so that a subject
	// past its quota makes the limiter hold nothing more, however many
	// contacts it tries. Guessing stays bounded by Guesses per code and by
	// the send quotas, which bound the codes there are to guess.
	IP ClientLimits
	// RegionDaily caps the SMS codes sent to each region in any rolling 24
	// hours (default off). It is the per-dialling-code cap against SMS
	// pumping, kept per ISO region so that countries sharing a calling code
	// (+1, +7) have caps of their own.
	RegionDaily int
	// RegionDailyBy overrides RegionDaily for some ISO 3166-1 alpha-2
	// regions ("CN": 100000; lower case is taken as upper case, and New
	// refuses anything else, as WithAllowedRegions does); a zero entry
	// switches that region's cap off.
	RegionDailyBy map[string]int
}

// DefaultLimits returns the default policy: the published API's where it
// speaks, common practice where it does not. The values are documented on
// the fields of Limits.
func DefaultLimits() Limits {
	return Limits{
		Guesses:    5,
		Verify:     limiter.Rule{Limit: 5, Window: time.Minute},
		Cooldown:   time.Minute,
		Send:       limiter.Rule{Limit: 10, Window: time.Hour},
		Deliveries: limiter.Rule{Limit: 2, Window: time.Minute},
		Subject: ClientLimits{
			Send:       limiter.Rule{Limit: 20, Window: time.Hour},
			Verify:     limiter.Rule{Limit: 100, Window: time.Hour},
			Deliveries: limiter.Rule{Limit: 40, Window: time.Hour},
		},
		IP: ClientLimits{
			Send:       limiter.Rule{Limit: 60, Window: time.Hour},
			Verify:     limiter.Rule{Limit: 300, Window: time.Hour},
			Deliveries: limiter.Rule{Limit: 120, Window: time.Hour},
		},
	}
}

func cloneMap(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Bounds of a limit: a window shorter than a second, or a count beyond
// maxCount, is a limit switched off by its value (5 per nanosecond), and
// huge counts overflow Redis's integers.
const (
	maxCount  = 1 << 30
	minWindow = time.Second
	maxWindow = 366 * 24 * time.Hour
)

// check returns every problem with l, in the order of its fields.
func (l Limits) check() error {
	var p problems
	if l.Guesses < 1 || l.Guesses > maxCount {
		p.addf("verifier: Limits.Guesses %d outside 1..%d", l.Guesses, maxCount)
	}
	checkRule(&p, "Verify", l.Verify, true)
	if l.Cooldown < 0 || l.Cooldown > 0 && l.Cooldown < minWindow || l.Cooldown > maxWindow {
		p.addf("verifier: Limits.Cooldown %v is neither 0 nor 1s to 366 days", l.Cooldown)
	}
	checkRule(&p, "Send", l.Send, true)
	checkRule(&p, "Deliveries", l.Deliveries, true)
	checkDeliveries(&p, "", l.Deliveries, l.Send, true)
	l.Subject.check(&p, "Subject")
	l.IP.check(&p, "IP")
	l.checkRegions(&p)
	return errors.Join(p...)
}

// validRule reports whether r is a limit within the bounds.
func validRule(r limiter.Rule) bool {
	return r.Limit >= 1 && r.Limit <= maxCount && r.Window >= minWindow && r.Window <= maxWindow
}

// checkRule checks Limits.name, r: off only when not required, otherwise
// within the bounds.
func checkRule(p *problems, name string, r limiter.Rule, required bool) {
	switch {
	case r == limiter.Rule{} && required:
		p.addf("verifier: Limits.%s may not be off", name)
	case r != limiter.Rule{} && !validRule(r):
		p.addf("verifier: Limits.%s %d per %v is not a limit: 1 to %d per 1s to 366 days", name, r.Limit, r.Window, maxCount)
	}
}

// checkDeliveries checks that d, the Deliveries beside send, is on exactly
// when send is (when they may be off), and never caps the codes send lets
// through: every code is a call.
func checkDeliveries(p *problems, prefix string, d, send limiter.Rule, required bool) {
	switch {
	case required:
	case d == limiter.Rule{} && send != limiter.Rule{}:
		p.addf("verifier: Limits.%sDeliveries may not be off while %[1]sSend is on", prefix)
	case d != limiter.Rule{} && send == limiter.Rule{}:
		p.addf("verifier: Limits.%sDeliveries %d per %v is on while %[1]sSend is off: it would cap the sends; switch it off too", prefix, d.Limit, d.Window)
	}
	if validRule(d) && validRule(send) && admits(d, send.Window) < int64(send.Limit) {
		p.addf("verifier: Limits.%[1]sDeliveries %[2]d per %[3]v admits fewer calls to the notifier than %[1]sSend's %[4]d codes per %[5]v: every code is a call", prefix, d.Limit, d.Window, send.Limit, send.Window)
	}
}

// check checks c, the Limits field called name, whose rules may be off.
func (c ClientLimits) check(p *problems, name string) {
	checkRule(p, name+".Send", c.Send, false)
	checkRule(p, name+".Verify", c.Verify, false)
	checkRule(p, name+".Deliveries", c.Deliveries, false)
	checkDeliveries(p, name+".", c.Deliveries, c.Send, false)
}

// checkRegions checks the daily region caps, RegionDailyBy's regions in
// sorted order so that the problems come in the same order every time.
func (l Limits) checkRegions(p *problems) {
	if l.RegionDaily < 0 || l.RegionDaily > maxCount {
		p.addf("verifier: Limits.RegionDaily %d outside 0..%d", l.RegionDaily, maxCount)
	}
	regions := make([]string, 0, len(l.RegionDailyBy))
	for r := range l.RegionDailyBy {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	seen := map[string]bool{}
	for _, r := range regions {
		if n := l.RegionDailyBy[r]; n < 0 || n > maxCount {
			p.addf("verifier: Limits.RegionDailyBy[%q] %d outside 0..%d", r, n, maxCount)
		}
		switch code, err := regionCode(r); {
		case err != nil:
			p.addf("verifier: Limits.RegionDailyBy: %w", err)
		case seen[code]:
			p.addf("verifier: Limits.RegionDailyBy: region %q given twice", code)
		default:
			seen[code] = true
		}
	}
}

// admits is the most events r lets through in any span of length w.
func admits(r limiter.Rule, w time.Duration) int64 {
	return int64(r.Limit) * int64((w+r.Window-1)/r.Window)
}

// The values of RateLimitError.Limit.
const (
	limitContact = "contact"
	limitSubject = "subject"
	limitIP      = "ip"
	limitRegion  = "region"
)

// ruleSet holds the limiter rules as slices built once: a slice made per
// call would escape into the Limiter interface and cost an allocation.
type ruleSet struct {
	verify, send               []limiter.Rule // a contact's; send has the cooldown too
	share                      []limiter.Rule // one subject's of a contact's sends
	deliveries                 []limiter.Rule // a contact's
	subjectSend, subjectVerify []limiter.Rule
	subjectDeliveries          []limiter.Rule
	ipSend, ipVerify           []limiter.Rule
	ipDeliveries               []limiter.Rule
	regionDefault              []limiter.Rule
	regions                    map[string][]limiter.Rule
}

func newRuleSet(l Limits) ruleSet {
	one := func(r limiter.Rule) []limiter.Rule {
		if r == (limiter.Rule{}) {
			return nil
		}
		return []limiter.Rule{r}
	}
	day := func(n int) []limiter.Rule {
		if n <= 0 {
			return nil
		}
		return []limiter.Rule{{Limit: n, Window: 24 * time.Hour}}
	}
	rs := ruleSet{
		verify:            []limiter.Rule{l.Verify},
		send:              []limiter.Rule{l.Send},
		share:             []limiter.Rule{{Limit: max(l.Send.Limit/2, 1), Window: l.Send.Window}},
		deliveries:        []limiter.Rule{l.Deliveries},
		subjectSend:       one(l.Subject.Send),
		subjectVerify:     one(l.Subject.Verify),
		subjectDeliveries: one(l.Subject.Deliveries),
		ipSend:            one(l.IP.Send),
		ipVerify:          one(l.IP.Verify),
		ipDeliveries:      one(l.IP.Deliveries),
		regionDefault:     day(l.RegionDaily),
		regions:           map[string][]limiter.Rule{},
	}
	if l.Cooldown > 0 {
		rs.send = append(rs.send, limiter.Rule{Limit: 1, Window: l.Cooldown})
	}
	for region, n := range l.RegionDailyBy {
		rs.regions[strings.ToUpper(region)] = day(n) // checked: an ISO region in either case
	}
	return rs
}

// regionCap returns the daily cap rule for an SMS to region, or nil.
func (rs ruleSet) regionCap(region string) []limiter.Rule {
	if rules, ok := rs.regions[region]; ok {
		return rules
	}
	return rs.regionDefault
}

// namedRule is the rules applied to one value (a contact, a subject, an
// IP) under one key. name is readable for operators in the limiter's keys;
// limit is what a RateLimitError reports. key, when set, is the limit key
// already derived.
type namedRule struct {
	name, limit, value, key string
	rules                   []limiter.Rule
}

// clientRules appends the per-subject and per-IP rules that apply to r.
func (v *Verifier) clientRules(dst []namedRule, r Request, send bool) []namedRule {
	subject, ip := v.rules.subjectVerify, v.rules.ipVerify
	name := "vsub"
	if send {
		subject, ip, name = v.rules.subjectSend, v.rules.ipSend, "ssub"
	}
	if subject != nil {
		dst = append(dst, namedRule{name, limitSubject, r.Subject, "", subject})
	}
	if ip != nil && r.ClientIP != "" {
		dst = append(dst, namedRule{name[:1] + "ip", limitIP, r.ClientIP, "", ip})
	}
	return dst
}

// hold is one event a request took, to give back if it fails: under key,
// or, when guard is set, the pumping guard's count of a send.
type hold struct {
	key   string
	guard limiter.GuardKey
	at    time.Time
}

// take asks the limiter for every rule: in one AllowAll call when it is a
// limiter.BatchLimiter (on Redis, one round trip for them all), otherwise
// with Allow for each in turn. On a refusal or an error it gives back what
// it took, so a refused request leaves no trace; a RateLimitError names the
// first refusing rule.
//
// A limit key is the rule's name, readable for operators, and a 128-bit
// HMAC of name and value under the first secret: no contact, subject or IP
// in the limiter's keys.
func (v *Verifier) take(ctx context.Context, rules []namedRule, reason error, holds []hold) ([]hold, error) {
	if b, ok := v.cfg.limiter.(limiter.BatchLimiter); ok && len(rules) > 1 && len(rules) <= maxBatch {
		return v.takeAll(ctx, b, rules, reason, holds)
	}
	for _, rule := range rules {
		key := v.ruleKey(rule)
		d, err := v.cfg.limiter.Allow(ctx, key, rule.rules...)
		if err != nil {
			v.release(ctx, holds)
			return nil, backendErr("limiter", err)
		}
		if !d.Allowed {
			v.release(ctx, holds)
			return nil, &RateLimitError{Reason: reason, Limit: rule.limit, RetryAfter: d.RetryAfter}
		}
		holds = append(holds, hold{key: key, at: d.At})
	}
	return holds, nil
}

// maxBatch is the most rules one request applies: a send's subject, IP,
// region, contact, the subject's share of the contact, and the
// deliveries of contact, subject and IP (the pumping guard's send rides
// with them in AllowSend, outside this count).
const maxBatch = 8

// batch holds AllowAll's requests and decisions. Passed to an interface,
// they escape to the heap; batches recycles them, so a call allocates none.
type batch struct {
	reqs [maxBatch]limiter.Request
	ds   [maxBatch]limiter.Decision
}

var batches = sync.Pool{New: func() any { return new(batch) }}

// takeAll is take with one AllowAll call for len(rules) <= maxBatch rules.
// The limiter gives back what it took on a refusal or an error.
func (v *Verifier) takeAll(ctx context.Context, l limiter.BatchLimiter, rules []namedRule, reason error, holds []hold) ([]hold, error) {
	b := batches.Get().(*batch)
	defer func() {
		*b = batch{} // no key or rules kept alive in the pool
		batches.Put(b)
	}()
	n := len(rules)
	for i, rule := range rules {
		b.reqs[i] = limiter.Request{Key: v.ruleKey(rule), Rules: rule.rules}
	}
	refused, err := l.AllowAll(ctx, b.reqs[:n], b.ds[:n])
	if err != nil {
		v.release(ctx, holds)
		return nil, backendErr("limiter", err)
	}
	if refused < -1 || refused >= n {
		v.release(ctx, holds)
		return nil, backendErr("limiter", fmt.Errorf("AllowAll refused request %d of %d", refused, n))
	}
	if refused >= 0 {
		v.release(ctx, holds)
		return nil, &RateLimitError{Reason: reason, Limit: rules[refused].limit, RetryAfter: b.ds[refused].RetryAfter}
	}
	for i := range n {
		holds = append(holds, hold{key: b.reqs[i].Key, at: b.ds[i].At})
	}
	return holds, nil
}

// takeSend is take for an SMS send the pumping guard judges: the rules
// and the guard's step for key in one AllowSend call (on a single Redis
// node, one round trip). The guard's count of the send is the last hold.
// A refusal by the guard is ErrPumping, with the block it started.
func (v *Verifier) takeSend(ctx context.Context, rules []namedRule, key limiter.GuardKey, r Request, c contact.Contact, holds []hold) ([]hold, blocked, error) {
	b := batches.Get().(*batch)
	defer func() {
		*b = batch{} // no key or rules kept alive in the pool
		batches.Put(b)
	}()
	n := len(rules)
	for i, rule := range rules {
		b.reqs[i] = limiter.Request{Key: v.ruleKey(rule), Rules: rule.rules}
	}
	// This instance's conversions still queued are written first, so that
	// it judges as if each had been written in its Verify.
	v.guard.queue.flush(ctx)
	d, err := v.guard.counts.AllowSend(ctx, b.reqs[:n], limiter.GuardSend{Key: key, Allowance: v.guard.allowance, Trusted: r.Trusted}, b.ds[:n])
	switch {
	case err != nil:
		return nil, blocked{}, backendErr("limiter", err)
	case d.Refused < -1 || d.Refused >= n:
		return nil, blocked{}, backendErr("limiter", fmt.Errorf("AllowSend refused request %d of %d", d.Refused, n))
	case d.Refused >= 0:
		return nil, blocked{}, &RateLimitError{Reason: ErrTooFrequent, Limit: rules[d.Refused].limit, RetryAfter: b.ds[d.Refused].RetryAfter}
	case d.Guard != limiter.GuardAllow:
		started, err := v.refusal(d, c)
		return nil, started, err
	}
	for i := range n {
		holds = append(holds, hold{key: b.reqs[i].Key, at: b.ds[i].At})
	}
	return append(holds, hold{guard: key, at: d.At}), blocked{}, nil
}

// ruleKey is rule's limit key: the one already derived, or limitKey's;
// a subject's or an IP's through the key cache (never a contact's: see
// keyCache).
func (v *Verifier) ruleKey(rule namedRule) string {
	switch {
	case rule.key != "":
		return rule.key
	case rule.limit == limitSubject || rule.limit == limitIP:
		var fieldBuf [96]byte
		return v.cachedLimitKeyOf(rule.name, appendField(fieldBuf[:0], rule.value))
	}
	return v.limitKey(rule.name, rule.value)
}

// release gives back the events of holds, best effort: the request's
// answer is decided, and a give-back that fails is a lapse (observe.LapseRelease)
// reported to the Observer, never an error of the request. It runs
// detached from ctx's cancellation but without a timer of its own: a
// release runs on every refused request, and the limiters bound their own
// calls (redislimiter: WithTimeout).
func (v *Verifier) release(ctx context.Context, holds []hold) {
	if len(holds) == 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, h := range holds {
		var err error
		if h.guard != (limiter.GuardKey{}) {
			err = v.guard.counts.ReleaseSend(ctx, h.guard, h.at)
		} else {
			err = v.cfg.limiter.Release(ctx, h.key, h.at)
		}
		if err != nil {
			lapsed(ctx, observe.LapseRelease)
		}
	}
}

// limitKey is the rule's name and a 128-bit HMAC of name and value under
// the first secret.
func (v *Verifier) limitKey(name, value string) string {
	var fieldBuf [96]byte
	return v.limitKeyOf(name, appendField(fieldBuf[:0], value))
}

// verifyKey is the key of the verification attempts per subject and
// contact, through the key cache: its input holds the subject.
func (v *Verifier) verifyKey(subject, contact string) string {
	var fieldBuf [128]byte
	return v.cachedLimitKeyOf("verify", appendField(appendField(fieldBuf[:0], contact), subject))
}

func (v *Verifier) limitKeyOf(name string, fields []byte) string {
	var buf [64]byte
	return string(v.appendLimitKey(buf[:0], name, fields))
}

// appendLimitKey appends the limit key of name and fields to dst: the
// name, a colon and the first 16 bytes of the HMAC.
func (v *Verifier) appendLimitKey(dst []byte, name string, fields []byte) []byte {
	prefix := append(append(dst, name...), ':')
	return v.hashes[0].sum(prefix, domainLimit, fields, name)[:len(prefix)+16]
}
