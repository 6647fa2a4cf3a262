package verifier

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/store"
)

// Code and validity defaults and bounds, from the published API where it
// speaks (a 6-digit code valid within one minute).
const (
	defaultCodeLength    = 6
	defaultValidity      = time.Minute
	maxValidity          = 10 * time.Minute
	minValidity          = 10 * time.Second // a shorter code dies before it arrives
	minSecretLength      = 16
	minCodeLength        = 4
	maxCodeLength        = 10
	defaultCleanupBudget = 2 * time.Second
)

// Option configures a Verifier. An option only records its value: New
// checks them all and reports every problem at once.
type Option func(*options)

// options are the values the options recorded. A nil field is an option
// not given, which New replaces with its default; a given value is
// checked as given (so that an explicit nil store or an empty region list
// is an error, not the default).
type options struct {
	store           *store.CodeStore
	limiter         *limiter.Limiter
	secrets         *[][]byte
	codeLength      *int
	validity        *time.Duration
	resendSame      bool
	limits          *Limits
	guard           *Guard
	channels        *[]delivery.Channel
	regions         *[]string
	nonGeographic   *[]int
	defaultCountry  *string
	brand           *string
	catalog         **i18n.Catalog
	deliveryTimeout *time.Duration
	observer        observe.Observer
	contactCache    *int
	now             *func() time.Time
	autofill        *[2]string // WithSMSAutofill's domain and app hash
	wrapNotifier    notifierWrap
	rand            io.Reader // crypto/rand.Reader when nil; set only by tests
}

// given returns a pointer to a copy of v, for the options' fields.
func given[T any](v T) *T { return &v }

// WithStore sets where codes are kept. The default is a store.Memory, which
// serves one process only. A store given here may be shared with other
// processes, so New then requires WithSecrets.
func WithStore(s store.CodeStore) Option {
	return func(o *options) { o.store = given(s) }
}

// WithLimiter sets the limiter for all rate limits. The default is a
// limiter.Memory, which serves one process only. A limiter given here may
// be shared with other processes, so New then requires WithSecrets.
func WithLimiter(l limiter.Limiter) Option {
	return func(o *options) { o.limiter = given(l) }
}

// WithSecrets sets the HMAC secrets, each at least 16 bytes (32 random bytes
// recommended). The first issues codes; every one verifies them, so a new
// secret goes first and an old one stays until the codes it issued have
// expired. Store keys are derived from each secret too; rate-limit keys from
// the first only, so a rotation starts the limit windows afresh.
//
// Without this option the Verifier draws a random secret at start. That is
// fine for one process with the default in-memory backends (a restart
// forgets every pending code anyway), and New refuses it for a store or
// limiter given with WithStore or WithLimiter, whatever it is: instances
// sharing them would not recognise each other's codes, and their limit
// keys would differ, so each instance would keep a cooldown and quotas of
// its own.
func WithSecrets(secrets ...[]byte) Option {
	return func(o *options) { o.secrets = given(secrets) }
}

// WithCodeLength sets the number of digits, 4 to 10 (default 6).
func WithCodeLength(n int) Option {
	return func(o *options) { o.codeLength = given(n) }
}

// WithValidity sets how long a code stays valid: 10 seconds to 10 minutes
// (default one minute). Longer-lived codes give guessers and
// phishers more time.
func WithValidity(d time.Duration) Option {
	return func(o *options) { o.validity = given(d) }
}

// WithResendSameCode makes Send re-send the pending code, rather than issue
// a new one, while it has at least a minute left: a user who asks again
// because the first SMS is slow then gets two messages with one code, and
// whichever arrives first works. The code is kept in the store encrypted
// (AES-256-GCM under a key derived from the first secret, bound to the
// store key), never in plaintext. The re-sent message states the time the
// code has left; its expiry is not extended. The store must be a
// store.Peeker (the in-memory and Redis stores are): New fails otherwise.
func WithResendSameCode() Option {
	return func(o *options) { o.resendSame = true }
}

// WithLimits sets the rate-limit policy (default DefaultLimits()). New
// checks it and reports every problem, in the order of the fields.
func WithLimits(l Limits) Option {
	return func(o *options) {
		l.RegionDailyBy = cloneMap(l.RegionDailyBy)
		o.limits = &l
	}
}

// WithGuard sets the SMS pumping guard (default: DefaultGuard()). A Guard
// with Level GuardOff, such as Guard{}, switches it off; its Block list
// still applies.
func WithGuard(g Guard) Option {
	return func(o *options) {
		g.Allow, g.Block = append([]string(nil), g.Allow...), append([]string(nil), g.Block...)
		o.guard = &g
	}
}

// WithChannels sets the channels codes may be sent on (default both); a
// contact of another kind gets delivery.ErrNotAllowed. It needs at least
// one.
func WithChannels(channels ...delivery.Channel) Option {
	return func(o *options) { o.channels = given(append([]delivery.Channel(nil), channels...)) }
}

// WithAllowedRegions restricts SMS to numbers of the given ISO 3166-1
// alpha-2 regions ("CN", "HK"; lower case is taken as upper case); others
// get delivery.ErrNotAllowed. With no such option every region is allowed.
// Restricting regions to where a service has users is the cheapest defence
// against SMS pumping.
//
// New refuses an empty list, and a code that is not a region phone
// numbers belong to (contact.LookupRegion), rather than refuse every SMS.
// Huawei country values ("usa", "chinaPR") are refused too, with the ISO
// code to use instead: one spelling of a region throughout, the one
// delivery.Message.Region and Limits.RegionDailyBy use.
func WithAllowedRegions(regions ...string) Option {
	return func(o *options) { o.regions = given(append([]string(nil), regions...)) }
}

// WithNonGeographicNumbers lets SMS go to non-geographic numbers (region
// "001") of the given country calling codes, such as 881 (Iridium) or 870
// (Inmarsat). Without it they are refused (delivery.ErrNotAllowed, 403
// USG.201060008): premium satellite and network ranges are classic SMS
// pumping destinations, and no request's country can name them.
//
// Each code must be one of phonenumbers' global network calling codes
// (800, 808, 870, 878, 881, 882, 883, 888, 979), and one at least is
// needed: New fails otherwise. WithAllowedRegions names geographic
// regions and does not apply to these numbers; this option alone decides
// for them. The other limits (quotas, the daily cap of region "001", the
// pumping guard) hold as for any number.
func WithNonGeographicNumbers(callingCodes ...int) Option {
	return func(o *options) { o.nonGeographic = given(append([]int(nil), callingCodes...)) }
}

// WithDefaultCountry sets the country, a Huawei country value ("usa",
// "france"), in which a national number (no "+" or "00") without a
// Request.Country is read. The default is the published API's, chinaPR.
// International numbers and explicit countries are unaffected.
func WithDefaultCountry(name string) Option {
	return func(o *options) { o.defaultCountry = given(name) }
}

// WithBrand puts the host's brand or app name in every message, in each
// language's convention: the SMS signature that mainland China requires
// ("【Acme】您的验证码为…"), "[Acme] Your verification code is …" in
// English, and the email subject and body. Templates of the host's own
// (WithCatalog) see it as {{.Brand}}. A brand is 1 to 32 printable
// characters.
func WithBrand(name string) Option {
	return func(o *options) { o.brand = given(name) }
}

// WithCatalog sets the languages and texts of the messages: the built-in
// i18n.Default() (zh-CN, the default, and en-US) unless given. Start from
// it to change a text, add a language or choose another default:
//
//	cat, err := i18n.Default().WithDefault(i18n.EnUS)
//	...
//	v, err := verifier.New(n, verifier.WithCatalog(cat))
//
// The catalog checked every template when it was built: each renders the
// code. httpmw negotiates Accept-Language over the same catalog and
// answers errors in its languages.
func WithCatalog(c *i18n.Catalog) Option {
	return func(o *options) { o.catalog = given(c) }
}

// WithDeliveryTimeout bounds each delivery (default 15 seconds).
//
// Delivery does not run on the caller's context: it keeps its values
// (tracing spans) but not its cancellation or deadline, so a client that
// hangs up while its message is on the way cannot turn a message that left
// into one that did not (and get its limits back to ask again). The
// delivery ends when the notifier answers or this timeout passes, whichever
// comes first.
func WithDeliveryTimeout(d time.Duration) Option {
	return func(o *options) { o.deliveryTimeout = given(d) }
}

// WithObserver sets the observer of every Send and Verify (default none):
// package observe describes what it receives, and prommetrics turns it
// into Prometheus metrics.
func WithObserver(obs observe.Observer) Option {
	return func(o *options) { o.observer = obs }
}

// WithContactCache sets how many parsed contacts are remembered (default
// 100,000; 0 turns the cache off). Parsing a phone number is the
// largest cost of a request; a contact is remembered, for the subject that
// sent a code to it, so that verifying it later skips the parse. The cache
// never holds more than entries (rounded down to a multiple of 128, at
// least 128), and each costs about 300 bytes: some 30 MB at the default
// size once full, however many contacts come and go. Nothing is allocated
// until the first send.
func WithContactCache(entries int) Option {
	return func(o *options) { o.contactCache = given(entries) }
}

// WithClock sets the clock for expiry times in messages, and for the
// default in-memory store and limiter; tests pass a fake one. A nil clock
// is an error.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = given(now) }
}

// check returns every problem with the options and the notifier n, in the
// order of this file, each option's problems in the order of its values.
func (o *options) check(n delivery.Notifier) error {
	var p problems
	o.checkBackends(&p, n)
	o.checkCode(&p)
	o.checkPolicy(&p)
	o.checkDestinations(&p)
	o.checkMessages(&p)
	o.checkRuntime(&p)
	o.checkAutofill(&p)
	return errors.Join(p...)
}

// problems collects what check finds, in the order it finds it.
type problems []error

// addf adds the problem fmt.Errorf(format, args...) makes.
func (p *problems) addf(format string, args ...any) {
	*p = append(*p, fmt.Errorf(format, args...))
}

// add adds err unless it is nil.
func (p *problems) add(err error) {
	if err != nil {
		*p = append(*p, err)
	}
}

// checkBackends checks the notifier, the store, the limiter and the
// secrets they need.
func (o *options) checkBackends(p *problems, n delivery.Notifier) {
	if n == nil {
		p.addf("verifier: nil notifier")
	}
	if (o.store != nil && *o.store == nil) || (o.limiter != nil && *o.limiter == nil) {
		p.addf("verifier: nil store or limiter")
	}
	if (o.store != nil || o.limiter != nil) && o.secrets == nil {
		p.addf("verifier: WithStore or WithLimiter needs WithSecrets: a random secret per process would make codes and limits per process, so instances sharing the backend would reject each other's codes and keep their cooldowns and quotas apart")
	}
	if o.secrets != nil {
		if len(*o.secrets) == 0 {
			p.addf("verifier: WithSecrets needs at least one secret")
		}
		for i, s := range *o.secrets {
			if len(s) < minSecretLength {
				p.addf("verifier: secret %d is %d bytes, want at least %d", i, len(s), minSecretLength)
			}
		}
	}
}

// checkCode checks the code's length and validity, and that a store
// keeping the same code for a resend can give it back.
func (o *options) checkCode(p *problems) {
	if n := o.codeLength; n != nil && (*n < minCodeLength || *n > maxCodeLength) {
		p.addf("verifier: code length %d outside %d..%d", *n, minCodeLength, maxCodeLength)
	}
	if d := o.validity; d != nil && (*d < minValidity || *d > maxValidity) {
		p.addf("verifier: validity %v outside %v to %v", *d, minValidity, maxValidity)
	}
	if s := o.store; o.resendSame && s != nil && *s != nil {
		if _, ok := (*s).(store.Peeker); !ok {
			p.addf("verifier: WithResendSameCode needs a store that implements store.Peeker, and %T does not", *s)
		}
	}
}

// checkPolicy checks the limits and the pumping guard.
func (o *options) checkPolicy(p *problems) {
	p.add(o.limitsOrDefault().check())
	// The guard needs a limiter.GuardLimiter: the default limiter, a
	// *limiter.Memory, is one.
	var l limiter.Limiter = (*limiter.Memory)(nil)
	if o.limiter != nil {
		l = *o.limiter
	}
	if err := o.guardOrDefault().check(l); l != nil {
		p.add(err)
	}
}

// checkDestinations checks where codes may go: the channels, the regions,
// the non-geographic calling codes and the default country.
func (o *options) checkDestinations(p *problems) {
	if o.channels != nil {
		if len(*o.channels) == 0 {
			p.addf("verifier: WithChannels needs at least one channel; leave it out for both")
		}
		for _, ch := range *o.channels {
			if ch != delivery.SMS && ch != delivery.Email {
				p.addf("verifier: unknown channel %q", ch)
			}
		}
	}
	if o.regions != nil {
		if len(*o.regions) == 0 {
			p.addf("verifier: WithAllowedRegions needs at least one region; leave it out to allow every region")
		}
		for _, r := range *o.regions {
			if _, err := regionCode(r); err != nil {
				p.addf("verifier: WithAllowedRegions: %w", err)
			}
		}
	}
	if o.nonGeographic != nil {
		if len(*o.nonGeographic) == 0 {
			p.addf("verifier: WithNonGeographicNumbers needs at least one calling code, such as 881 (Iridium)")
		}
		global := phonenumbers.GetSupportedGlobalNetworkCallingCodes()
		for _, cc := range *o.nonGeographic {
			if !global[cc] {
				p.addf("verifier: WithNonGeographicNumbers: %d is not a non-geographic calling code (800, 808, 870, 878, 881, 882, 883, 888 or 979)", cc)
			}
		}
	}
	if name := o.defaultCountry; name != nil {
		if _, ok := contact.LookupCountry(*name); !ok {
			p.addf("verifier: default country %q is not a Huawei country value", *name)
		}
	}
}

// checkMessages checks what the messages say: the brand and the catalog.
func (o *options) checkMessages(p *problems) {
	if b := o.brand; b != nil && !validBrand(*b) {
		p.addf("verifier: brand %q is not 1 to %d printable characters without brackets or surrounding spaces", *b, maxBrand)
	}
	if c := o.catalog; c != nil && (*c == nil || len((*c).Languages()) == 0) {
		p.addf("verifier: WithCatalog needs a catalog with at least one language")
	}
}

// checkRuntime checks the delivery timeout, the contact cache and the
// clock.
func (o *options) checkRuntime(p *problems) {
	if d := o.deliveryTimeout; d != nil && *d <= 0 {
		p.addf("verifier: delivery timeout %v is not positive", *d)
	}
	if n := o.contactCache; n != nil && *n < 0 {
		p.addf("verifier: contact cache of %d entries; 0 turns it off", *n)
	}
	if o.now != nil && *o.now == nil {
		p.addf("verifier: WithClock needs a clock, not nil")
	}
}

// checkAutofill checks WithSMSAutofill's values and, when every other
// option is valid, that the longest SMS still fits one segment: that is
// judged on the other values, so it comes last.
func (o *options) checkAutofill(p *problems) {
	if o.autofill == nil {
		return
	}
	a, err := newAutofill(o.autofill[0], o.autofill[1])
	if err != nil {
		p.add(err)
		return
	}
	if len(*p) == 0 {
		p.add(a.check(or(o.catalog, i18n.Default()), or(o.brand, ""), or(o.codeLength, defaultCodeLength), or(o.validity, defaultValidity)))
	}
}

func (o *options) limitsOrDefault() Limits {
	if o.limits == nil {
		return DefaultLimits()
	}
	return *o.limits
}

// guardOrDefault is the guard given or DefaultGuard, with the default
// prefix length for a zero one.
func (o *options) guardOrDefault() Guard {
	if o.guard == nil {
		return DefaultGuard()
	}
	g := *o.guard
	if g.PrefixDigits == 0 {
		g.PrefixDigits = defaultPrefixDigits
	}
	return g
}

// config is what a Verifier runs with: the options checked, with the
// defaults for those not given. The store and the limiter are nil when not
// given; New makes the in-memory ones.
type config struct {
	store           store.CodeStore
	limiter         limiter.Limiter
	secrets         [][]byte // nil: New draws a random one
	codeLength      int
	validity        time.Duration
	limits          Limits
	channels        map[delivery.Channel]bool
	regions         map[string]bool // nil: every region
	nonGeographic   map[int]bool    // calling codes; see nongeo.go
	resendSame      bool
	brand           string
	catalog         *i18n.Catalog
	autofill        *autofill // nil without WithSMSAutofill
	observer        observe.Observer
	contactCache    int
	defaultCountry  string
	guard           Guard
	deliveryTimeout time.Duration
	now             func() time.Time
	rand            io.Reader
}

// config returns the configuration the checked options make.
func (o *options) config() config {
	c := config{
		codeLength:      or(o.codeLength, defaultCodeLength),
		validity:        or(o.validity, defaultValidity),
		limits:          o.limitsOrDefault(),
		guard:           o.guardOrDefault(),
		channels:        map[delivery.Channel]bool{delivery.SMS: true, delivery.Email: true},
		resendSame:      o.resendSame,
		defaultCountry:  or(o.defaultCountry, contact.DefaultCountry),
		brand:           or(o.brand, ""),
		catalog:         or(o.catalog, i18n.Default()),
		deliveryTimeout: or(o.deliveryTimeout, defaultDeliveryTimeout),
		observer:        o.observer,
		contactCache:    or(o.contactCache, defaultContactCache),
		now:             or(o.now, time.Now),
		rand:            o.rand,
		store:           or(o.store, nil),
		limiter:         or(o.limiter, nil),
		secrets:         or(o.secrets, nil),
	}
	if o.autofill != nil {
		c.autofill, _ = newAutofill(o.autofill[0], o.autofill[1])
	}
	if o.channels != nil {
		c.channels = map[delivery.Channel]bool{}
		for _, ch := range *o.channels {
			c.channels[ch] = true
		}
	}
	if o.regions != nil {
		c.regions = map[string]bool{}
		for _, r := range *o.regions {
			code, _ := regionCode(r)
			c.regions[code] = true
		}
	}
	if o.nonGeographic != nil {
		c.nonGeographic = make(map[int]bool, len(*o.nonGeographic))
		for _, cc := range *o.nonGeographic {
			c.nonGeographic[cc] = true
		}
	}
	return c
}

// or is *p, or def when p is nil.
func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// regionCode is r as an ISO region, upper-cased, or an error that says
// what r is instead.
func regionCode(r string) (string, error) {
	if code, ok := contact.LookupRegion(r); ok {
		return code, nil
	}
	if ctry, ok := contact.LookupCountry(r); ok {
		return "", fmt.Errorf("region %q is a Huawei country value, not an ISO region code: use %q", r, ctry.Region)
	}
	return "", fmt.Errorf("region %q is not an ISO 3166-1 alpha-2 region of phone numbers (such as \"CN\" or \"US\")", r)
}
