package verifier

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/limiter"
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

type config struct {
	store           store.CodeStore
	limiter         limiter.Limiter
	storeSet        bool // an explicit WithStore(nil) is an error, not the default
	limiterSet      bool
	secrets         [][]byte
	codeLength      int
	validity        time.Duration
	limits          Limits
	channels        map[Channel]bool
	regions         map[string]bool
	nonGeographic   map[int]bool // calling codes; see nongeo.go
	resendSame      bool
	brand           string
	catalog         *i18n.Catalog
	autofill        *autofill // WithSMSAutofill; nil without
	wrapNotifier    notifierWrap
	observer        Observer
	contactCache    int
	defaultCountry  string
	guard           Guard
	deliveryTimeout time.Duration
	now             func() time.Time
	rand            io.Reader // crypto/rand.Reader; replaced only by tests
	errs            []error
}

// Option configures a Verifier.
type Option func(*config)

// WithStore sets where codes are kept. The default is a store.Memory, which
// serves one process only. A store given here may be shared with other
// processes, so New then requires WithSecrets.
func WithStore(s store.CodeStore) Option {
	return func(c *config) { c.store, c.storeSet = s, true }
}

// WithLimiter sets the limiter for all rate limits. The default is a
// limiter.Memory, which serves one process only. A limiter given here may
// be shared with other processes, so New then requires WithSecrets.
func WithLimiter(l limiter.Limiter) Option {
	return func(c *config) { c.limiter, c.limiterSet = l, true }
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
	return func(c *config) {
		if len(secrets) == 0 {
			c.errs = append(c.errs, errors.New("verifier: WithSecrets needs at least one secret"))
		}
		for i, s := range secrets {
			if len(s) < minSecretLength {
				c.errs = append(c.errs, fmt.Errorf("verifier: secret %d is %d bytes, want at least %d", i, len(s), minSecretLength))
			}
		}
		c.secrets = secrets
	}
}

// WithCodeLength sets the number of digits, 4 to 10 (default 6).
func WithCodeLength(n int) Option {
	return func(c *config) {
		if n < minCodeLength || n > maxCodeLength {
			c.errs = append(c.errs, fmt.Errorf("verifier: code length %d outside %d..%d", n, minCodeLength, maxCodeLength))
		}
		c.codeLength = n
	}
}

// WithValidity sets how long a code stays valid: 10 seconds to 10 minutes
// (default one minute). Longer-lived codes give guessers and
// phishers more time.
func WithValidity(d time.Duration) Option {
	return func(c *config) { c.validity = d }
}

// WithChannels sets the channels codes may be sent on (default both); a
// contact of another kind gets ErrNotAllowed. It needs at least one.
func WithChannels(channels ...Channel) Option {
	return func(c *config) {
		if len(channels) == 0 {
			c.errs = append(c.errs, errors.New("verifier: WithChannels needs at least one channel; leave it out for both"))
		}
		c.channels = map[Channel]bool{}
		for _, ch := range channels {
			if ch != SMS && ch != Email {
				c.errs = append(c.errs, fmt.Errorf("verifier: unknown channel %q", ch))
			}
			c.channels[ch] = true
		}
	}
}

// WithAllowedRegions restricts SMS to numbers of the given ISO 3166-1
// alpha-2 regions ("CN", "HK"; lower case is taken as upper case); others
// get ErrNotAllowed. With no such option every region is allowed.
// Restricting regions to where a service has users is the cheapest defence
// against SMS pumping.
//
// New refuses an empty list, and a code that is not a region phone
// numbers belong to (contact.LookupRegion), rather than refuse every SMS.
// Huawei country values ("usa", "chinaPR") are refused too, with the ISO
// code to use instead: one spelling of a region throughout, the one
// Message.Region and Limits.RegionDailyBy use.
func WithAllowedRegions(regions ...string) Option {
	return func(c *config) {
		if len(regions) == 0 {
			c.errs = append(c.errs, errors.New("verifier: WithAllowedRegions needs at least one region; leave it out to allow every region"))
		}
		c.regions = map[string]bool{}
		for _, r := range regions {
			code, err := regionCode(r)
			if err != nil {
				c.errs = append(c.errs, fmt.Errorf("verifier: WithAllowedRegions: %w", err))
				continue
			}
			c.regions[code] = true
		}
	}
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

// WithResendSameCode makes Send re-send the pending code, rather than issue
// a new one, while it has at least a minute left: a user who asks again
// because the first SMS is slow then gets two messages with one code, and
// whichever arrives first works. The code is kept in the store encrypted
// (AES-256-GCM under a key derived from the first secret, bound to the
// store key), never in plaintext. The re-sent message states the time the
// code has left; its expiry is not extended. The store must be a
// store.Peeker (the in-memory and Redis stores are): New fails otherwise.
func WithResendSameCode() Option {
	return func(c *config) { c.resendSame = true }
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
	return func(c *config) {
		if entries < 0 {
			c.errs = append(c.errs, fmt.Errorf("verifier: contact cache of %d entries; 0 turns it off", entries))
		}
		c.contactCache = entries
	}
}

// WithDefaultCountry sets the country, a Huawei country value ("usa",
// "france"), in which a national number (no "+" or "00") without a
// Request.Country is read. The default is the published API's, chinaPR.
// International numbers and explicit countries are unaffected.
func WithDefaultCountry(name string) Option {
	return func(c *config) {
		if _, ok := contact.LookupCountry(name); !ok {
			c.errs = append(c.errs, fmt.Errorf("verifier: default country %q is not a Huawei country value", name))
		}
		c.defaultCountry = name
	}
}

// WithClock sets the clock for expiry times in messages, and for the
// default in-memory store and limiter; tests pass a fake one. A nil clock
// is an error.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errs = append(c.errs, errors.New("verifier: WithClock needs a clock, not nil"))
			return
		}
		c.now = now
	}
}

// check returns every problem with the configuration, options first in
// the order given, then the validity, the limits and the backends.
func (c *config) check() error {
	if c.validity < minValidity || c.validity > maxValidity {
		c.errs = append(c.errs, fmt.Errorf("verifier: validity %v outside %v to %v", c.validity, minValidity, maxValidity))
	}
	if err := c.limits.check(); err != nil {
		c.errs = append(c.errs, err)
	}
	if c.autofill != nil && len(c.errs) == 0 {
		if err := c.autofill.check(c.catalog, c.brand, c.codeLength, c.validity); err != nil {
			c.errs = append(c.errs, err)
		}
	}
	if (c.storeSet || c.limiterSet) && c.secrets == nil {
		c.errs = append(c.errs, errors.New("verifier: WithStore or WithLimiter needs WithSecrets: a random secret per process would make codes and limits per process, so instances sharing the backend would reject each other's codes and keep their cooldowns and quotas apart"))
	}
	if c.store == nil || c.limiter == nil {
		c.errs = append(c.errs, errors.New("verifier: nil store or limiter"))
	} else if err := c.guard.check(c.limiter); err != nil {
		c.errs = append(c.errs, err)
	}
	return errors.Join(c.errs...)
}
