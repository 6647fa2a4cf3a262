package verifier

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"io"
	"time"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/store"
)

// Verifier sends and verifies codes. It is safe for concurrent use. Close
// it when done, to stop what New started.
type Verifier struct {
	cfg      config
	hashes   []*keyedHash // one per secret; the first issues
	keys     *keyCache    // recent subjects' and IPs' limit keys
	notifier delivery.Notifier
	sealer   cipher.AEAD // for WithResendSameCode; nil otherwise
	contacts *contactCache
	rules    ruleSet
	guard    guard
	owned    []io.Closer // the default backends New made
}

// Request is one send or verify request.
type Request struct {
	// Contact is the raw destination as the user typed it: a mobile number
	// with country code, a national number, or an email address.
	Contact string
	// Country is the optional Huawei country value (see package contact).
	Country string
	// Subject identifies who asks, such as the authenticated user or client
	// behind the access token. A code is bound to it: a code sent for one
	// subject never verifies for another.
	Subject string
	// Purpose optionally separates codes for different actions ("login",
	// "change-phone"): a code verifies only for the purpose it was sent for.
	Purpose string
	// Language is the language of the delivered text, matched to the
	// nearest language of the Verifier's catalog (WithCatalog; zh-CN and
	// en-US by default): language.English gives en-US. The zero Tag is the
	// catalog's default language (zh-CN unless the host chose another).
	// httpmw sets it from Accept-Language.
	Language language.Tag
	// ClientIP is the client's address as the caller determined it, for the
	// per-IP quotas: an IP address, with a zone or not, in brackets or not,
	// with a port or not ("192.0.2.1:443", "[2001:db8::1]:443"), or an
	// IPv6 /64 as httpmw gives it ("2001:db8:1:2::/64"). The verifier
	// normalises it as httpmw does: the port and the zone are dropped, an
	// IPv4-mapped address is its IPv4 address, and an IPv6 address counts
	// by its /64, which one subscriber usually holds whole. Anything else
	// (a host name, an X-Forwarded-For list, a wider prefix) fails the call
	// with ErrInvalidClientIP rather than count apart. httpmw always sets
	// it: from RemoteAddr (or trusted proxies). A caller of the Go API that
	// has no client address leaves it empty, and the per-IP quotas do not
	// apply to that request (the per-subject ones still do).
	ClientIP string
	// RequestID is passed on to the notifier, for tracing.
	RequestID string
	// Trusted says the host vouches for this request: a solved challenge,
	// a known account, a session that verified codes before. The pumping
	// guard lets a trusted send through even when its prefix or region has
	// spent its allowance (it is counted all the same); nothing else
	// changes. httpmw sets it when the host's httpmw.WithTrust says so.
	Trusted bool
	// Channels, when not empty, are the only channels this request
	// accepts, for a flow that takes one kind of contact (a change of
	// email address): a contact of another channel is refused with
	// delivery.ErrNotAllowed by Send and Verify alike, right after it
	// parses, before any limit is taken or any code exists. Empty (nil)
	// accepts every channel the Verifier allows (WithChannels), which
	// still applies either way. httpmw sets it from httpmw.WithChannels.
	Channels []delivery.Channel
}

// Sent describes a code that was sent.
type Sent struct {
	// Contact is the parsed destination. It is set whenever the contact
	// parsed, even when Send failed later, so that callers can log the
	// masked form.
	Contact contact.Contact
	// ExpiresAt is when the code dies.
	ExpiresAt time.Time
	// NextSendAt is the earliest time another code may be sent to the
	// contact: after the cooldown, for a "resend in N s" button. The
	// hourly cap or a quota may hold a later send longer; that send is then
	// refused with a RetryAfter.
	NextSendAt time.Time
}

// New returns a Verifier that delivers codes through n. Without
// WithStore and WithLimiter it keeps codes and limits in memory, for one
// process; Close stops the goroutines those start. With either, it
// requires WithSecrets (see there). New checks every option and reports
// every problem at once.
func New(n delivery.Notifier, opts ...Option) (*Verifier, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if n != nil && o.wrapNotifier != nil {
		n = o.wrapNotifier(n) // vcodetest.WithNotifier; check refuses a nil result
	}
	if err := o.check(n); err != nil {
		return nil, err
	}
	cfg := o.config()
	var owned []io.Closer
	// The default memory backends get WithClock's clock only: under none,
	// nil keeps go-cache's own expiry, by time.Now.
	memClock := or(o.now, nil)
	if cfg.store == nil {
		m := store.NewMemory(store.WithClock(memClock))
		cfg.store, owned = m, append(owned, m)
	}
	if cfg.limiter == nil {
		m := limiter.NewMemory(limiter.WithClock(memClock))
		cfg.limiter, owned = m, append(owned, m)
	}
	if cfg.secrets == nil {
		secret := make([]byte, 32)
		rand.Read(secret)
		cfg.secrets = [][]byte{secret}
	}
	if cfg.rand == nil {
		cfg.rand = rand.Reader
	}
	v := &Verifier{cfg: cfg, notifier: n, contacts: newContactCache(cfg.contactCache), rules: newRuleSet(cfg.limits), guard: newGuard(cfg.guard, cfg.limiter), owned: owned, keys: newKeyCache()}
	for _, s := range cfg.secrets {
		v.hashes = append(v.hashes, newKeyedHash(s))
	}
	if cfg.resendSame {
		v.sealer = newSealer(cfg.secrets[0])
	}
	return v, nil
}

// Close stops what New started: the in-memory store and limiter it made
// when WithStore or WithLimiter was not given (and their codes and counts
// are gone). Backends given with WithStore and WithLimiter, and the
// notifier, belong to the caller, who closes them. It first writes the
// pumping guard's conversions still queued (see Flush). Close is idempotent; a
// Verifier must not be used after it.
func (v *Verifier) Close() error {
	v.guard.queue.close() // the guard's queued conversions, before the limiter goes
	return closeAll(v.owned)
}

func closeAll(cs []io.Closer) error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// Send issues a new code for r's contact and delivers it. A new code
// replaces any pending one for the same contact, subject and purpose.
//
// Delivery runs detached from ctx's cancellation (see WithDeliveryTimeout):
// once a message may have left, it counts against every limit whatever the
// caller does. When the notifier fails with delivery.ErrUndelivered (the message
// certainly did not leave) the new code is withdrawn and the limits are
// given back (all but the deliveries, see Limits.Deliveries): the failure
// was ours, not the user's. Any other delivery failure keeps both, as the
// message may still arrive. A withdrawal or give-back that fails does not
// change the error; the Observer sees it (observe.Event.Lapses).
//
// Errors: ErrNoSubject; contact.ErrInvalid, contact.ErrUnknownCountry,
// contact.ErrCountryMismatch; delivery.ErrNotAllowed (a destination
// refused, or a contact of a channel r.Channels leaves out); a *RateLimitError matching
// ErrTooFrequent; a *BackendError when the store, the limiter or the
// notifier fails. A notifier's delivery.ErrInvalidRecipient (the provider
// refused the number as not one) is the user's to fix: Send returns an
// error matching contact.ErrInvalid and the notifier's error, and gives
// the limits back as for ErrUndelivered.
func (v *Verifier) Send(ctx context.Context, r Request) (Sent, error) {
	start := time.Now()
	wctx, l := v.watch(ctx)
	var sent Sent
	var b blocked
	var err error
	if sent.Contact, err = v.outOfChannels(r); err == nil {
		sent, b, err = v.send(wctx, r)
	}
	v.guard.queue.report(wctx)
	v.observe(ctx, observe.Event{Op: "send", Purpose: r.Purpose, Channel: channelOf(sent.Contact), Region: sent.Contact.Region, BlockedPrefix: b.prefix, BlockedRegion: b.region, Lapses: l.kinds()}, start, err)
	return sent, err
}

func (v *Verifier) send(ctx context.Context, r Request) (sent Sent, b blocked, err error) {
	if r.Subject == "" {
		return Sent{}, b, ErrNoSubject
	}
	if r.ClientIP, err = clientIPKey(r.ClientIP); err != nil {
		return Sent{}, b, err
	}
	c, err := v.contacts.parse(r.Subject, r.Contact, r.Country, v.cfg.defaultCountry)
	if err != nil {
		return Sent{}, b, err
	}
	sent.Contact = c
	ch := channelOf(c)
	if !v.allowed(ch, c) {
		return sent, b, delivery.ErrNotAllowed
	}
	judged := false
	if ch == delivery.SMS {
		if judged, err = v.guard.judges(c); err != nil {
			return sent, b, err
		}
	}

	var buf [maxBatch]namedRule
	rules, deliveriesFrom := v.sendRules(buf[:0], r, c, ch)
	untallied := len(rules) // the guard's hold, when judged, comes after these
	var holdBuf [maxBatch + 1]hold
	var holds []hold
	if judged {
		// The limits first, then the guard, in one call: only a send
		// every limit allowed is judged and counted.
		holds, b, err = v.takeSend(ctx, rules, v.guardKey(c), r, c, holdBuf[:0])
	} else {
		holds, err = v.take(ctx, rules, ErrTooFrequent, holdBuf[:0])
	}
	if err != nil {
		return sent, b, err
	}

	// One clean-up path: until a message may have left, a failure gives
	// back the limits and withdraws a new code, best effort (a failure is
	// a lapse, not the answer).
	var withdraw string // the store key of a new code that must not stay
	mayHaveLeft := false
	defer func() {
		if err == nil || mayHaveLeft {
			return
		}
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		if withdraw != "" && v.cfg.store.Delete(cctx, withdraw) != nil {
			lapsed(ctx, observe.LapseWithdraw)
		}
		v.release(ctx, holds)
	}()

	binding := v.binding(r, c)
	key := v.storeKey(0, binding)
	code, validity, reused, err := v.pendingCode(ctx, key)
	if err != nil {
		return sent, b, err
	}
	if !reused {
		code, err = v.issue(ctx, key, binding)
		if code != "" {
			withdraw = key // saved: from here on a failure withdraws it
		}
		if err != nil {
			return sent, b, err
		}
	}

	now := v.cfg.now()
	sent.ExpiresAt = now.Add(validity)
	sent.NextSendAt = now.Add(v.cfg.limits.Cooldown)
	msg := delivery.Message{
		Channel:   ch,
		To:        c.Value,
		Region:    c.Region,
		Code:      code,
		Validity:  validity,
		ExpiresAt: sent.ExpiresAt,
		RequestID: r.RequestID,
	}
	v.compose(&msg, r) // language, text and subject
	// The call counts on the deliveries whatever its outcome.
	holds = keepDeliveries(holds, deliveriesFrom, untallied)
	undelivered, err := v.deliver(ctx, msg)
	if err != nil {
		// A message that may have left keeps its limits and its code.
		// (A re-sent code is never withdrawn: its first delivery
		// succeeded.)
		mayHaveLeft = !undelivered
		if errors.Is(err, delivery.ErrInvalidRecipient) {
			return sent, b, refusedRecipient(err)
		}
		return sent, b, backendErr("notify", err)
	}
	v.contacts.admit(r.Subject, r.Contact, r.Country, c)
	return sent, b, nil
}

// sendRules appends the rules a send of r to c on ch takes, in the order
// they are taken: the client's, the region's cap (SMS), the contact's, the
// subject's share of it, then the deliveries', which start at
// deliveriesFrom.
func (v *Verifier) sendRules(dst []namedRule, r Request, c contact.Contact, ch delivery.Channel) (rules []namedRule, deliveriesFrom int) {
	rules = v.clientRules(dst, r, true)
	if ch == delivery.SMS {
		if capRules := v.rules.regionCap(c.Region); capRules != nil {
			rules = append(rules, namedRule{"rgn", limitRegion, c.Region, "", capRules})
		}
	}
	// The contact's hourly cap and cooldown share one key: two windows on
	// one list of events. They span subjects: they bound how many messages
	// one phone or mailbox receives, whoever asks.
	rules = append(rules, namedRule{"send", limitContact, c.Value, "", v.rules.send})
	rules = v.shareRule(rules, r, c)
	deliveriesFrom = len(rules)
	return v.deliveryRules(rules, r, c), deliveriesFrom
}

// allowed applies the channel, region and routing restrictions.
func (v *Verifier) allowed(ch delivery.Channel, c contact.Contact) bool {
	if !v.cfg.channels[ch] || (ch == delivery.SMS && !v.regionAllowed(c)) {
		return false
	}
	if cn, ok := v.notifier.(delivery.ChannelNotifier); ok && !cn.Supports(ch) {
		return false
	}
	return true
}

// pendingCode returns the pending code under key when WithResendSameCode is
// on and the code has at least a minute left, so that the message can say
// so truthfully.
func (v *Verifier) pendingCode(ctx context.Context, key string) (code string, validity time.Duration, ok bool, err error) {
	if v.sealer == nil {
		return "", v.cfg.validity, false, nil
	}
	sealed, left, err := v.cfg.store.(store.Peeker).Peek(ctx, key) // New checked
	if err != nil {
		return "", 0, false, backendErr("store", err)
	}
	if sealed == nil || left < time.Minute {
		return "", v.cfg.validity, false, nil
	}
	code, ok = v.unseal(key, sealed)
	if !ok || len(code) != v.cfg.codeLength {
		// Sealed under another secret, or by another configuration:
		// issue a fresh code.
		return "", v.cfg.validity, false, nil
	}
	return code, left, true, nil
}

// issue makes a new code and saves its digest under key, replacing the
// pending one, and removes codes issued under older secrets. The code is
// returned with an error too once it was saved, so that it can be
// withdrawn.
func (v *Verifier) issue(ctx context.Context, key string, binding []byte) (string, error) {
	code, err := newCode(v.cfg.rand, v.cfg.codeLength)
	if err != nil {
		return "", backendErr("random", err)
	}
	rec := store.Record{Digest: v.digest(0, binding, code), TTL: v.cfg.validity, MaxAttempts: v.cfg.limits.Guesses}
	if v.sealer != nil {
		rec.Sealed = v.seal(key, code)
	}
	if err := v.cfg.store.Save(ctx, key, rec); err != nil {
		return "", backendErr("store", err)
	}
	// A code issued under an older secret must not outlive its
	// replacement.
	for i := 1; i < len(v.hashes); i++ {
		if err := v.cfg.store.Delete(ctx, v.storeKey(i, binding)); err != nil {
			return code, backendErr("store", err)
		}
	}
	return code, nil
}

// Verify checks code for r's contact, subject and purpose, and consumes it
// on success: a code verifies once.
//
// Errors: contact.ErrInvalid, contact.ErrUnknownCountry, contact.ErrCountryMismatch;
// delivery.ErrNotAllowed for a contact of a channel r.Channels leaves out;
// ErrInvalidCode for a code not of the configured format; a *RateLimitError
// matching ErrTooManyAttempts; ErrWrongCode for a wrong, expired, used,
// exhausted or never-sent code alike; a *BackendError when the store or the
// limiter fails. Verify does the same work whether or not a code is pending.
func (v *Verifier) Verify(ctx context.Context, r Request, code string) (contact.Contact, error) {
	start := time.Now()
	wctx, l := v.watch(ctx)
	c, err := v.outOfChannels(r)
	if err == nil {
		c, err = v.verify(wctx, r, code)
	}
	v.guard.queue.report(wctx)
	v.observe(ctx, observe.Event{Op: "verify", Purpose: r.Purpose, Channel: channelOf(c), Region: c.Region, Lapses: l.kinds()}, start, err)
	return c, err
}

func (v *Verifier) verify(ctx context.Context, r Request, code string) (contact.Contact, error) {
	if r.Subject == "" {
		return contact.Contact{}, ErrNoSubject
	}
	var err error
	if r.ClientIP, err = clientIPKey(r.ClientIP); err != nil {
		return contact.Contact{}, err
	}
	c, err := v.contacts.parse(r.Subject, r.Contact, r.Country, v.cfg.defaultCountry)
	if err != nil {
		return contact.Contact{}, err
	}
	code, ok := normaliseCode(code, v.cfg.codeLength)
	if !ok {
		return c, ErrInvalidCode
	}
	// The contact's own limit first: it is the one a guesser runs into, and
	// a refusal by the first rule has nothing to give back. It counts per
	// subject and contact: codes are bound to the subject, so another
	// subject's guesses can never hit this one's code, and must not lock
	// its owner out either.
	var buf [3]namedRule
	rules := v.clientRules(append(buf[:0], namedRule{"verify", limitContact, c.Value, v.verifyKey(r.Subject, c.Value), v.rules.verify}), r, false)
	var holdBuf [3]hold
	// The per-subject and per-IP quotas are shared (an IP by everyone
	// behind it), so a refusal by one of them must not keep a user from
	// their own right code: the attempt is then checked, and only a wrong
	// code gets the quota's 429. It takes no limit (the refusal gave back
	// the contact's event): past its quota a subject makes the limiter
	// hold nothing more, however many contacts it tries, and a code never
	// sent holds nothing in the store. Guesses stay bounded by each code's
	// guess cap, and the codes a subject or an IP can have sent by the
	// send quotas; the verify quotas never entered that bound.
	var quota *RateLimitError
	if _, err := v.take(ctx, rules, ErrTooManyAttempts, holdBuf[:0]); err != nil {
		// take's refusal is a *RateLimitError itself: asserted, not
		// errors.As, which would put quota on the heap for every call.
		var ok bool
		if quota, ok = err.(*RateLimitError); !ok || quota.Limit == limitContact {
			return c, err
		}
	}
	binding := v.binding(r, c)
	matched := false
	// Every secret's key is tried, matched or not, so the work does not
	// depend on which secret issued the code or whether one exists.
	for i := range v.hashes {
		res, err := v.cfg.store.Consume(ctx, v.storeKey(i, binding), v.digest(i, binding, code))
		if err != nil {
			return c, backendErr("store", err)
		}
		matched = matched || res == store.Match
	}
	switch {
	case !matched && quota != nil:
		return c, quota
	case !matched:
		return c, ErrWrongCode
	}
	// The guard's count of verified codes is best effort: the code is
	// consumed, and a verify that failed to be counted only makes its
	// prefix look less converting (see guardVerified).
	if v.guardVerified(ctx, c) != nil {
		lapsed(ctx, observe.LapseGuardCount)
	}
	return c, nil
}

// Cancel withdraws the code pending for r's contact, subject and purpose,
// if there is one: after it, that code no longer verifies. Use it when the
// user abandons the flow (closes the dialog, changes the number). Limits
// already counted stay counted. Like Verify, it does the same work whether
// or not a code is pending, and says nothing about it.
//
// Errors: ErrNoSubject; contact.ErrInvalid, contact.ErrUnknownCountry,
// contact.ErrCountryMismatch; a *BackendError when the store fails.
func (v *Verifier) Cancel(ctx context.Context, r Request) error {
	if r.Subject == "" {
		return ErrNoSubject
	}
	c, err := v.contacts.parse(r.Subject, r.Contact, r.Country, v.cfg.defaultCountry)
	if err != nil {
		return err
	}
	binding := v.binding(r, c)
	for i := range v.hashes {
		if err := v.cfg.store.Delete(ctx, v.storeKey(i, binding)); err != nil {
			return backendErr("store", err)
		}
	}
	return nil
}

// channelOf is the channel for a contact; empty for one that did not parse.
func channelOf(c contact.Contact) delivery.Channel {
	switch c.Kind {
	case contact.Email:
		return delivery.Email
	case contact.Phone:
		return delivery.SMS
	}
	return ""
}

// cleanupContext survives the request's cancellation: a client that went
// away must not leave a code valid or a limit held.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), defaultCleanupBudget)
}
