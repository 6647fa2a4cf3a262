package verifier

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/store"
)

// Verifier sends and verifies codes. It is safe for concurrent use.
type Verifier struct {
	cfg      config
	hashes   []*keyedHash // one per secret; the first issues
	notifier Notifier
	sealer   cipher.AEAD // for WithResendSameCode; nil otherwise
	contacts *contactCache
	rules    ruleSet
}

// ruleSet holds the limiter rules as slices built once: a slice made per
// call would escape into the Limiter interface and cost an allocation.
type ruleSet struct {
	verify, send               []Rule // a contact's; send has the cooldown too
	subjectSend, subjectVerify []Rule
	ipSend, ipVerify           []Rule
	regionDefault              []Rule
	regions                    map[string][]Rule
}

func newRuleSet(cfg config) ruleSet {
	one := func(r Rule) []Rule {
		if off(r) {
			return nil
		}
		return []Rule{r}
	}
	day := func(n int) []Rule {
		if n <= 0 {
			return nil
		}
		return []Rule{{Limit: n, Window: 24 * time.Hour}}
	}
	rs := ruleSet{
		verify:        []Rule{cfg.verifyLimit},
		send:          []Rule{cfg.sendLimit},
		subjectSend:   one(cfg.subject.Send),
		subjectVerify: one(cfg.subject.Verify),
		ipSend:        one(cfg.ip.Send),
		ipVerify:      one(cfg.ip.Verify),
		regionDefault: day(cfg.regionCap),
		regions:       map[string][]Rule{},
	}
	if cfg.sendCooldown > 0 {
		rs.send = append(rs.send, Rule{Limit: 1, Window: cfg.sendCooldown})
	}
	for region, n := range cfg.regionCaps {
		rs.regions[region] = day(n)
	}
	return rs
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
	// Language is the language of the delivered text.
	Language i18n.Language
	// ClientIP is the client's address as the caller determined it, for the
	// per-IP quotas; empty switches them off for this request. httpmw sets
	// it from RemoteAddr (or trusted proxies), IPv6 grouped by /64.
	ClientIP string
	// RequestID is passed on to the notifier, for tracing.
	RequestID string
}

// Sent describes a code that was sent.
type Sent struct {
	// Contact is the parsed destination. It is set whenever the contact
	// parsed, even when Send failed later, so that callers can log the
	// masked form.
	Contact contact.Contact
	// ExpiresAt is when the code dies.
	ExpiresAt time.Time
}

// New returns a Verifier that delivers codes through n.
func New(n Notifier, opts ...Option) (*Verifier, error) {
	cfg := config{
		codeLength:      DefaultCodeLength,
		validity:        DefaultValidity,
		maxGuesses:      DefaultMaxGuesses,
		verifyLimit:     Rule{Limit: DefaultVerifyLimit, Window: DefaultVerifyWindow},
		sendCooldown:    DefaultSendCooldown,
		sendLimit:       Rule{Limit: DefaultSendLimit, Window: DefaultSendWindow},
		subject:         DefaultSubjectLimits,
		ip:              DefaultIPLimits,
		channels:        map[Channel]bool{SMS: true, Email: true},
		contactCache:    DefaultContactCache,
		deliveryTimeout: DefaultDeliveryTimeout,
		now:             time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.storeSet {
		cfg.store = store.NewMemory(store.WithClock(cfg.now))
	}
	if !cfg.limiterSet {
		cfg.limiter = limiter.NewMemory(limiter.WithClock(cfg.now))
	}
	if n == nil {
		cfg.errs = append(cfg.errs, errors.New("verifier: nil notifier"))
	}
	if cfg.secrets == nil {
		secret := make([]byte, 32)
		rand.Read(secret)
		cfg.secrets = [][]byte{secret}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.rand == nil {
		cfg.rand = rand.Reader
	}
	v := &Verifier{cfg: cfg, notifier: n, contacts: newContactCache(cfg.contactCache), rules: newRuleSet(cfg)}
	for _, s := range cfg.secrets {
		v.hashes = append(v.hashes, newKeyedHash(s))
	}
	if cfg.resendSame {
		v.sealer = newSealer(cfg.secrets[0])
	}
	return v, nil
}

// CodeLength returns the configured number of digits.
func (v *Verifier) CodeLength() int { return v.cfg.codeLength }

// Validity returns how long a code stays valid.
func (v *Verifier) Validity() time.Duration { return v.cfg.validity }

// Send issues a new code for r's contact and delivers it. A new code
// replaces any pending one for the same contact, subject and purpose.
//
// Delivery runs detached from ctx's cancellation (see WithDeliveryTimeout):
// once a message may have left, it counts against every limit whatever the
// caller does. When the notifier fails with ErrUndelivered (the message
// certainly did not leave) the new code is withdrawn and the limits are
// given back: the failure was ours, not the user's. Any other delivery
// failure keeps both, as the message may still arrive.
//
// Errors: ErrNoSubject; ErrInvalidContact, ErrUnknownCountry,
// ErrCountryMismatch; ErrNotAllowed; a *RateLimitError matching
// ErrTooFrequent; a *BackendError when the store, the limiter or the
// notifier fails.
func (v *Verifier) Send(ctx context.Context, r Request) (Sent, error) {
	start := time.Now()
	sent, err := v.send(ctx, r)
	v.observe(ctx, "send", start, channelOf(sent.Contact), sent.Contact.Region, err)
	return sent, err
}

func (v *Verifier) send(ctx context.Context, r Request) (sent Sent, err error) {
	if r.Subject == "" {
		return Sent{}, ErrNoSubject
	}
	c, _, err := v.contacts.parse(r.Subject, r.Contact, r.Country)
	if err != nil {
		return Sent{}, err
	}
	sent.Contact = c
	ch := channelOf(c)
	if !v.allowed(ch, c) {
		return sent, ErrNotAllowed
	}

	var buf [4]namedRule
	rules := v.clientRules(buf[:0], r, true)
	if capRules := v.regionCap(ch, c); capRules != nil {
		rules = append(rules, namedRule{"rgn", c.Region, "", capRules})
	}
	// The contact's hourly cap and cooldown share one key: two windows on
	// one list of events. They span subjects: they bound how many messages
	// one phone or mailbox receives, whoever asks.
	rules = append(rules, namedRule{"send", c.Value, "", v.rules.send})
	var holdBuf [4]hold
	holds, err := v.take(ctx, rules, ErrTooFrequent, holdBuf[:0])
	if err != nil {
		return sent, err
	}

	// One clean-up path: until a message may have left, a failure gives
	// back the limits and withdraws a new code.
	var withdraw string // the store key of a new code that must not stay
	mayHaveLeft := false
	defer func() {
		if err == nil || mayHaveLeft {
			return
		}
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		var derr error
		if withdraw != "" {
			derr = v.cfg.store.Delete(cctx, withdraw)
		}
		if uerr := errors.Join(derr, v.release(ctx, holds)); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}()

	binding := v.binding(r, c)
	key := v.storeKey(0, binding)
	code, validity, reused, err := v.pendingCode(ctx, key)
	if err != nil {
		return sent, err
	}
	if !reused {
		code, err = v.issue(ctx, key, binding)
		if code != "" {
			withdraw = key // saved: from here on a failure withdraws it
		}
		if err != nil {
			return sent, err
		}
	}

	sent.ExpiresAt = v.cfg.now().Add(validity)
	msg := Message{
		Channel:   ch,
		To:        c.Value,
		Region:    c.Region,
		Code:      code,
		Validity:  validity,
		ExpiresAt: sent.ExpiresAt,
		Language:  r.Language,
		RequestID: r.RequestID,
	}
	if ch == Email {
		msg.Subject = r.Language.EmailSubject()
		msg.Text = r.Language.EmailBody(code, validity)
	} else {
		msg.Text = r.Language.SMS(code, validity)
	}
	undelivered, err := v.deliver(ctx, msg)
	if err != nil {
		// A message that may have left keeps its limits and its code.
		// (A re-sent code is never withdrawn: its first delivery
		// succeeded.)
		mayHaveLeft = !undelivered
		return sent, backendErr("notify", err)
	}
	if v.contacts != nil {
		v.contacts.admit(r.Subject, r.Contact, r.Country, c, v.verifyKey(r.Subject, c.Value))
	}
	return sent, nil
}

// allowed applies the channel, region and routing restrictions.
func (v *Verifier) allowed(ch Channel, c contact.Contact) bool {
	if !v.cfg.channels[ch] || (ch == SMS && v.cfg.regions != nil && !v.cfg.regions[c.Region]) {
		return false
	}
	if cn, ok := v.notifier.(ChannelNotifier); ok && !cn.Supports(ch) {
		return false
	}
	return true
}

// regionCap returns the daily cap rule for an SMS to c's region, or nil.
func (v *Verifier) regionCap(ch Channel, c contact.Contact) []Rule {
	if ch != SMS {
		return nil
	}
	if rules, ok := v.rules.regions[c.Region]; ok {
		return rules
	}
	return v.rules.regionDefault
}

// pendingCode returns the pending code under key when WithResendSameCode is
// on and the code has at least a minute left, so that the message can say
// so truthfully.
func (v *Verifier) pendingCode(ctx context.Context, key string) (code string, validity time.Duration, ok bool, err error) {
	if v.sealer == nil {
		return "", v.cfg.validity, false, nil
	}
	sealed, left, err := v.cfg.store.Peek(ctx, key)
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
	rec := store.Record{Digest: v.digest(0, binding, code), TTL: v.cfg.validity, MaxAttempts: v.cfg.maxGuesses}
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
// Errors: ErrInvalidContact, ErrUnknownCountry, ErrCountryMismatch;
// ErrInvalidCode for a code not of the configured format; a *RateLimitError
// matching ErrTooManyAttempts; ErrWrongCode for a wrong, expired, used,
// exhausted or never-sent code alike; a *BackendError when the store or the
// limiter fails. Verify does the same work whether or not a code is pending.
func (v *Verifier) Verify(ctx context.Context, r Request, code string) (contact.Contact, error) {
	start := time.Now()
	c, err := v.verify(ctx, r, code)
	v.observe(ctx, "verify", start, channelOf(c), c.Region, err)
	return c, err
}

func (v *Verifier) verify(ctx context.Context, r Request, code string) (contact.Contact, error) {
	if r.Subject == "" {
		return contact.Contact{}, ErrNoSubject
	}
	c, verifyKey, err := v.contacts.parse(r.Subject, r.Contact, r.Country)
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
	if verifyKey == "" {
		verifyKey = v.verifyKey(r.Subject, c.Value)
	}
	var buf [3]namedRule
	rules := v.clientRules(append(buf[:0], namedRule{"verify", c.Value, verifyKey, v.rules.verify}), r, false)
	var holdBuf [3]hold
	if _, err := v.take(ctx, rules, ErrTooManyAttempts, holdBuf[:0]); err != nil {
		return c, err
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
	if !matched {
		return c, ErrWrongCode
	}
	return c, nil
}

// channelOf is the channel for a contact; empty for one that did not parse.
func channelOf(c contact.Contact) Channel {
	switch c.Kind {
	case contact.Email:
		return Email
	case contact.Phone:
		return SMS
	}
	return ""
}

// binding is what a code is bound to: purpose, subject and contact.
func (v *Verifier) binding(r Request, c contact.Contact) []byte {
	b := make([]byte, 0, 8+len(r.Purpose)+len(r.Subject)+len(c.Value))
	b = appendField(b, r.Purpose)
	b = appendField(b, r.Subject)
	return appendField(b, c.Value)
}

// storeKey is a 128-bit HMAC of the binding under secret i: enough to make
// collisions between contacts negligible, and no phone number or address
// in the store.
func (v *Verifier) storeKey(i int, binding []byte) string {
	var buf [32]byte
	return string(v.hashes[i].sum(buf[:0], domainKey, binding, "")[:16])
}

func (v *Verifier) digest(i int, binding []byte, code string) []byte {
	return v.hashes[i].sum(make([]byte, 0, 32), domainCode, binding, code)
}

// namedRule is the rules applied to one value (a contact, a subject, an
// IP) under one key. key, when set, is the limit key already derived (see
// contactCache).
type namedRule struct {
	name, value, key string
	rules            []Rule
}

// clientRules appends the per-subject and per-IP rules that apply to r.
func (v *Verifier) clientRules(dst []namedRule, r Request, send bool) []namedRule {
	subject, ip := v.rules.subjectVerify, v.rules.ipVerify
	name := "vsub"
	if send {
		subject, ip, name = v.rules.subjectSend, v.rules.ipSend, "ssub"
	}
	if subject != nil {
		dst = append(dst, namedRule{name, r.Subject, "", subject})
	}
	if ip != nil && r.ClientIP != "" {
		dst = append(dst, namedRule{name[:1] + "ip", r.ClientIP, "", ip})
	}
	return dst
}

type hold struct {
	key string
	at  time.Time
}

// take asks the limiter for each rule in turn. On a refusal or an error it
// gives back what it took, so a refused request leaves no trace.
//
// A limit key is the rule's name, readable for operators, and a 128-bit
// HMAC of name and value under the first secret: no contact, subject or IP
// in the limiter's keys.
func (v *Verifier) take(ctx context.Context, rules []namedRule, reason error, holds []hold) ([]hold, error) {
	for _, rule := range rules {
		key := rule.key
		if key == "" {
			key = v.limitKey(rule.name, rule.value)
		}
		d, err := v.cfg.limiter.Allow(ctx, key, rule.rules...)
		if err != nil {
			v.release(ctx, holds)
			return nil, backendErr("limiter", err)
		}
		if !d.Allowed {
			v.release(ctx, holds)
			return nil, &RateLimitError{Reason: reason, RetryAfter: d.RetryAfter}
		}
		holds = append(holds, hold{key, d.At})
	}
	return holds, nil
}

// limitKey is the rule's name, readable for operators, and a 128-bit HMAC
// of name and value under the first secret.
func (v *Verifier) limitKey(name, value string) string {
	var fieldBuf [96]byte
	return v.limitKeyOf(name, appendField(fieldBuf[:0], value))
}

// verifyKey is the key of the verification attempts per subject and
// contact.
func (v *Verifier) verifyKey(subject, contact string) string {
	var fieldBuf [128]byte
	return v.limitKeyOf("verify", appendField(appendField(fieldBuf[:0], contact), subject))
}

func (v *Verifier) limitKeyOf(name string, fields []byte) string {
	var buf [64]byte
	prefix := append(append(buf[:0], name...), ':')
	return string(v.hashes[0].sum(prefix, domainLimit, fields, name)[:len(prefix)+16])
}

// cleanupContext survives the request's cancellation: a client that went
// away must not leave a code valid or a limit held.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), defaultCleanupBudget)
}

func (v *Verifier) release(ctx context.Context, holds []hold) error {
	if len(holds) == 0 {
		return nil
	}
	// Detached from cancellation but without a timer of its own: a
	// release runs on every refused request, and the limiters bound their
	// own calls (redislimiter: WithTimeout).
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for _, h := range holds {
		if err := v.cfg.limiter.Release(ctx, h.key, h.at); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
