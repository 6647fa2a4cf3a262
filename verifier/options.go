package verifier

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/store"
)

// Defaults, from the published API where it speaks (a 6-digit code valid
// within one minute) and common practice where it does not.
const (
	DefaultCodeLength    = 6
	DefaultValidity      = time.Minute
	MaxValidity          = 10 * time.Minute
	DefaultMaxGuesses    = 5
	DefaultVerifyLimit   = 5
	DefaultVerifyWindow  = time.Minute
	DefaultSendCooldown  = time.Minute
	DefaultSendLimit     = 10
	DefaultSendWindow    = time.Hour
	minSecretLength      = 16
	minCodeLength        = 4
	maxCodeLength        = 10
	defaultCleanupBudget = 2 * time.Second
)

// Rule is a rolling-window limit: at most Limit events in any Window. In
// the client limits, the zero Rule switches a limit off.
type Rule = limiter.Rule

func off(r Rule) bool { return r == Rule{} }

// ClientLimits are the quotas of one client, across all the contacts it
// asks for: Send for codes sent, Verify for verification attempts.
type ClientLimits struct {
	Send, Verify Rule
}

// Default per-client quotas. A subject is typically one signed-in user
// changing their contact details; an IP address may hide many users behind
// NAT, so its quotas are larger. Hosts whose callers are servers acting for
// many users should raise them.
var (
	DefaultSubjectLimits = ClientLimits{Send: Rule{Limit: 20, Window: time.Hour}, Verify: Rule{Limit: 100, Window: time.Hour}}
	DefaultIPLimits      = ClientLimits{Send: Rule{Limit: 60, Window: time.Hour}, Verify: Rule{Limit: 300, Window: time.Hour}}
)

type config struct {
	store           store.CodeStore
	limiter         limiter.Limiter
	storeSet        bool // an explicit WithStore(nil) is an error, not the default
	limiterSet      bool
	secrets         [][]byte
	codeLength      int
	validity        time.Duration
	longValidity    bool
	maxGuesses      int
	verifyLimit     Rule
	sendCooldown    time.Duration
	sendLimit       Rule
	subject         ClientLimits
	ip              ClientLimits
	channels        map[Channel]bool
	regions         map[string]bool
	regionCap       int
	regionCaps      map[string]int
	resendSame      bool
	observer        Observer
	contactCache    int
	deliveryTimeout time.Duration
	now             func() time.Time
	rand            io.Reader // crypto/rand.Reader; replaced only by tests
	errs            []error
}

// Option configures a Verifier.
type Option func(*config)

// WithStore sets where codes are kept. The default is a store.Memory, which
// serves one process only.
func WithStore(s store.CodeStore) Option {
	return func(c *config) { c.store, c.storeSet = s, true }
}

// WithLimiter sets the limiter for all rate limits. The default is a
// limiter.Memory, which serves one process only.
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
// fine for one process, but instances sharing a store would not recognise
// each other's codes, and a restart forgets every pending code.
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

// WithValidity sets how long a code stays valid, up to MaxValidity (default
// one minute).
func WithValidity(d time.Duration) Option {
	return func(c *config) { c.validity = d }
}

// WithLongValidity sets a validity beyond MaxValidity. Long-lived codes give
// guessers and phishers more time; use it only when delivery is slow by
// nature.
func WithLongValidity(d time.Duration) Option {
	return func(c *config) { c.validity, c.longValidity = d, true }
}

// WithMaxGuesses sets how many wrong guesses kill a code (default 5).
func WithMaxGuesses(n int) Option {
	return func(c *config) { c.maxGuesses = n }
}

// WithVerifyLimit sets the verification attempts allowed per subject and
// contact in any rolling window (default 5 per minute). It counts per
// subject as well as per contact so that another subject's wrong guesses
// cannot lock a user out of their own code.
func WithVerifyLimit(limit int, window time.Duration) Option {
	return func(c *config) { c.verifyLimit = Rule{Limit: limit, Window: window} }
}

// WithSendCooldown sets the minimum time between two codes sent to one
// contact (default one minute).
func WithSendCooldown(d time.Duration) Option {
	return func(c *config) { c.sendCooldown = d }
}

// WithSendLimit sets the codes allowed per contact in any rolling window
// (default 10 per hour).
func WithSendLimit(limit int, window time.Duration) Option {
	return func(c *config) { c.sendLimit = Rule{Limit: limit, Window: window} }
}

// WithSubjectLimits sets the quotas per subject (Request.Subject), across
// all contacts. A zero Rule switches one off.
func WithSubjectLimits(l ClientLimits) Option {
	return func(c *config) { c.subject = l }
}

// WithIPLimits sets the quotas per client IP (Request.ClientIP), across all
// contacts. A zero Rule switches one off.
func WithIPLimits(l ClientLimits) Option {
	return func(c *config) { c.ip = l }
}

// WithChannels sets the channels codes may be sent on (default both); a
// contact of another kind gets ErrNotAllowed.
func WithChannels(channels ...Channel) Option {
	return func(c *config) {
		c.channels = map[Channel]bool{}
		for _, ch := range channels {
			if ch != SMS && ch != Email {
				c.errs = append(c.errs, fmt.Errorf("verifier: unknown channel %q", ch))
			}
			c.channels[ch] = true
		}
	}
}

// WithAllowedRegions restricts SMS to numbers of the given ISO regions
// ("CN", "HK"); others get ErrNotAllowed. With no such option every region
// is allowed. Restricting regions to where a service has users is the
// cheapest defence against SMS pumping.
func WithAllowedRegions(regions ...string) Option {
	return func(c *config) {
		c.regions = map[string]bool{}
		for _, r := range regions {
			c.regions[r] = true
		}
	}
}

// WithRegionDailyCap caps the SMS codes sent to each region in any rolling
// 24 hours: perRegion by ISO region ("CN": 100000), limit for the others.
// This is the per-dialling-code cap against SMS pumping, where fraudsters
// make a service text premium numbers of one country; it is kept per region
// so that countries sharing a calling code (+1, +7) have caps of their own.
// Zero switches a cap off; the default is off. The counts go through the
// Limiter, so they are shared on Redis.
func WithRegionDailyCap(limit int, perRegion map[string]int) Option {
	return func(c *config) {
		c.regionCap = limit
		c.regionCaps = perRegion
		if limit < 0 {
			c.errs = append(c.errs, fmt.Errorf("verifier: negative region cap %d", limit))
		}
		for r, n := range perRegion {
			if n < 0 {
				c.errs = append(c.errs, fmt.Errorf("verifier: negative region cap %d for %s", n, r))
			}
		}
	}
}

// WithResendSameCode makes Send re-send the pending code, rather than issue
// a new one, while it has at least a minute left: a user who asks again
// because the first SMS is slow then gets two messages with one code, and
// whichever arrives first works. The code is kept in the store encrypted
// (AES-256-GCM under a key derived from the first secret, bound to the
// store key), never in plaintext. The re-sent message states the time the
// code has left; its expiry is not extended.
func WithResendSameCode() Option {
	return func(c *config) { c.resendSame = true }
}

// WithContactCache sets how many parsed contacts are remembered (default
// DefaultContactCache; 0 turns the cache off). Parsing a phone number is the
// largest cost of a request; a contact is remembered once a code was sent to
// it, so verifying it later skips the parse. The cache never holds more
// than entries (rounded up to a multiple of 128), and each costs about 350
// bytes: some 35 MB at the default size, however many contacts come and go.
func WithContactCache(entries int) Option {
	return func(c *config) { c.contactCache = entries }
}

// WithClock sets the clock for expiry times in messages, and for the
// default in-memory store and limiter; tests pass a fake one.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

func (c *config) check() error {
	if c.validity <= 0 || (c.validity > MaxValidity && !c.longValidity) {
		c.errs = append(c.errs, fmt.Errorf("verifier: validity %v outside (0, %v]; WithLongValidity allows more", c.validity, MaxValidity))
	}
	if c.maxGuesses < 1 {
		c.errs = append(c.errs, fmt.Errorf("verifier: max guesses %d below 1", c.maxGuesses))
	}
	for name, r := range map[string]Rule{
		"verify limit": c.verifyLimit, "send limit": c.sendLimit,
		"subject send limit": c.subject.Send, "subject verify limit": c.subject.Verify,
		"IP send limit": c.ip.Send, "IP verify limit": c.ip.Verify,
	} {
		if (r.Limit < 1 || r.Window <= 0) && !(off(r) && name != "verify limit" && name != "send limit") {
			c.errs = append(c.errs, fmt.Errorf("verifier: %s %d per %v is not a limit", name, r.Limit, r.Window))
		}
	}
	if c.sendCooldown < 0 {
		c.errs = append(c.errs, fmt.Errorf("verifier: negative send cooldown %v", c.sendCooldown))
	}
	if c.store == nil || c.limiter == nil {
		c.errs = append(c.errs, errors.New("verifier: nil store or limiter"))
	}
	return errors.Join(c.errs...)
}
