package httpmw

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/verifier"
)

// Option configures a Handler. An option only records its value: New
// checks them all and reports every problem at once.
type Option func(*options)

// options are the values the options recorded. A nil field is an option
// not given, which New replaces with its default; a given value is
// checked as given (so that an explicit nil logger is an error).
type options struct {
	log           **slog.Logger
	maxBody       *int64
	publishedOnly bool
	sendTimes     bool
	trusted       []string
	subjectOf     *func(*http.Request) (string, error)
	purpose       string
	onVerified    *func(*http.Request, string, contact.Contact) error
	trust         *func(*http.Request, string) bool
	observer      RequestObserver
	channels      *[]delivery.Channel
	beforeSend    *func(*http.Request, string, contact.Contact) error
	route         *string
	origins       []string                     // WithTrustedOrigins
	crossOrigin   **http.CrossOriginProtection // WithCrossOriginProtection
}

// given returns a pointer to a copy of v, for the options' fields.
func given[T any](v T) *T { return &v }

// or is *p, or def when p is nil.
func or[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// WithLogger sets the logger for the one line per request (default: none).
// Lines carry the request id, route, status, error code, latency and the
// masked contact; never the token or the code.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = given(l) }
}

// WithMaxBodyBytes sets the request body limit (default 4 KiB, at least 64
// bytes); a larger body gets 400 USG.201060001.
func WithMaxBodyBytes(n int64) Option {
	return func(o *options) { o.maxBody = given(n) }
}

// WithPublishedStatusesOnly makes the rate-limit errors answer 400 instead
// of 429 (Retry-After is still sent), for clients that know only the
// statuses of the published table: 200, 400, 401, 403 and 500.
func WithPublishedStatusesOnly() Option {
	return func(o *options) { o.publishedOnly = true }
}

// WithSendTimes makes a successful send answer a JSON body, with
// Content-Type application/json;charset=UTF-8, instead of the published
// API's empty one:
//
//	{"expires_at":"2026-11-25T10:01:00Z","next_send_at":"2026-11-25T10:01:00Z"}
//
// expires_at is when the code dies (verifier.Sent.ExpiresAt) and
// next_send_at the earliest time another code may be asked for, once the
// cooldown has passed (verifier.Sent.NextSendAt), for a browser's "resend
// in N s" and "expires in N s". Both are RFC 3339 in UTC, in whole
// seconds: expires_at rounded down and next_send_at up, so that neither
// promises a moment too much. The hourly cap or a quota may hold a later
// send longer; it is then refused with a Retry-After. Off by default, so
// that the wire stays the published API's (openapi.yaml documents both
// answers); the verify endpoint is unchanged.
func WithSendTimes() Option {
	return func(o *options) { o.sendTimes = true }
}

// WithTrustedProxies sets the proxies whose X-Forwarded-For is believed,
// as CIDR prefixes ("10.0.0.0/8"). By default none: the client IP for the
// per-IP quotas is RemoteAddr, since any client can write the header.
// Given more than once, the prefixes add up.
func WithTrustedProxies(cidrs ...string) Option {
	return func(o *options) { o.trusted = append(o.trusted, cidrs...) }
}

// WithTrustedOrigins lets browsers' requests from the given origins
// through the cross-origin check every Handler makes (ErrCrossOrigin): a
// page on another origin than the endpoints' that calls them, such as a
// widget on https://www.example.com calling https://api.example.com.
// Each origin is written as a browser sends it in the Origin header,
// "scheme://host[:port]": lower case, without a path, a trailing slash or
// a default port. New refuses any other form, since it would never match,
// and refuses "", "*" and any wildcard, and "null" (the origin of every
// sandboxed frame and local file). Given more than once, the origins add
// up. A trusted origin's pages may then ask for codes with the user's
// cookies: trust only origins whose pages are the host's own. Such a page
// also needs CORS headers for its JSON requests, which httpmw does not
// write (it answers OPTIONS with 405): the host answers the preflight in
// front of the Handler, for these origins only.
//
// Requests that come from the endpoints' own origin, and requests from
// programs that are no browser (they send neither Sec-Fetch-Site nor
// Origin), pass without it.
func WithTrustedOrigins(origins ...string) Option {
	return func(o *options) { o.origins = append(o.origins, origins...) }
}

// WithCrossOriginProtection makes the Handler's cross-origin check p, the
// host's own (for instance the one that guards its other routes), instead
// of one of its own: the origins p trusts, then and later, are trusted
// here too. httpmw calls p.Check only, and answers a refusal itself, with
// 403 ErrCrossOrigin in the client's language; p's deny handler is not
// used. p's bypass patterns apply: a pattern given to
// AddInsecureBypassPattern that matches the endpoints' paths switches the
// check off for them, which is the one way to do without it. New refuses
// a nil p, and WithTrustedOrigins with it: give the origins to p.
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return func(o *options) { o.crossOrigin = given(p) }
}

// WithSubject replaces the X-Access-Token check with f, for hosts whose
// users are known by a session cookie, a JWT or a mutual-TLS certificate:
// f returns the subject a request stands for, codes are bound to it, and
// the per-subject quotas count it. It returns ErrUnauthenticated (401) or
// ErrForbidden (403), possibly wrapped, to refuse; an empty subject is a
// 401 too; any other error is a 500, never a pass. Give New a nil
// Authenticator with it. The built-in 401 and 403 texts speak of an access
// token; replace them in the catalog (i18n.Catalog.With) if that misleads.
func WithSubject(f func(r *http.Request) (string, error)) Option {
	return func(o *options) { o.subjectOf = given(f) }
}

// WithPurpose sets the Request.Purpose of every request this Handler
// serves: a code sent through it verifies only through a Handler with the
// same purpose, and message templates see it as {{.Purpose}}. A host with
// several flows ("login", "change-phone") makes a Handler for each, on one
// Verifier, and mounts their SendHandler and VerifyHandler on its paths.
func WithPurpose(purpose string) Option {
	return func(o *options) { o.purpose = purpose }
}

// WithVerified calls f after each successful verify, before the 200 is
// written, with the request, the subject and the verified contact: the
// moment to record "this user owns this number". The code is consumed by
// then; if f returns an error the client must ask for a new code. A
// *HostError (possibly wrapped) is answered as the host says, with its
// status, code and message; any other error gets 500 USG.201060500, and
// is logged.
func WithVerified(f func(r *http.Request, subject string, c contact.Contact) error) Option {
	return func(o *options) { o.onVerified = given(f) }
}

// WithChannels limits this Handler to contacts of the given channels, for
// a flow that takes one kind (a change of email address takes
// delivery.Email): a contact of another kind is refused, on send and on
// verify alike, with 403 USG.201060008 and a message that names what is
// accepted ("This endpoint accepts email addresses only." or "This
// endpoint accepts mobile numbers only.", i18n.EmailOnly and
// i18n.PhoneOnly), right after it parses: before any
// limit is taken or any code exists (verifier.Request.Channels). By
// default a Handler takes every channel the Verifier allows, which still
// applies. New refuses an empty list and a channel other than
// delivery.SMS and delivery.Email.
func WithChannels(channels ...delivery.Channel) Option {
	return func(o *options) { o.channels = given(append([]delivery.Channel(nil), channels...)) }
}

// WithBeforeSend calls f on each send before a code is made for it, with
// the request, the subject and the parsed contact, so that the host can
// refuse a destination of its own knowledge (an email address another
// account owns). f is called once the request is authenticated, its body
// read and its contact parsed and accepted (the channels of WithChannels
// and the Verifier's, its regions and routes: verifier.Verifier.Parse),
// and before the pumping guard, any limit and any code: a refusal costs
// the user no quota and leaves nothing in the store. A nil error lets the
// send go on. A *HostError (possibly wrapped) is answered as the host
// says; any other error gets 500 USG.201060500 and is logged.
//
// Because f runs before the limits, its answers are not rate limited: a
// refusal that says "this address is taken" tells anyone who asks, as
// often as they ask, which addresses have accounts. Give such refusals
// limits of the host's own, or an answer that does not tell. The contact
// is parsed twice on a send with f (once for f, once by Send): some
// 16 µs more for a phone number.
func WithBeforeSend(f func(r *http.Request, subject string, c contact.Contact) error) Option {
	return func(o *options) { o.beforeSend = given(f) }
}

// WithRoute names this Handler's routes for metrics: RequestEvent.RouteName
// (prommetrics' route_name label), so that a host's flows on one Verifier
// ("signup", "change-email") are told apart whatever paths they are
// mounted on. RequestEvent.Route stays "send" or "verify". The name is the
// host's constant, never request data: 1 to 64 printable ASCII
// characters. By default the name is empty.
func WithRoute(name string) Option {
	return func(o *options) { o.route = given(name) }
}

// WithRequestObserver sets the observer of every request (default none).
func WithRequestObserver(obs RequestObserver) Option {
	return func(o *options) { o.observer = obs }
}

// WithTrust lets the host vouch for a send: f is called with each send
// request and its subject, and when it returns true the request is
// Trusted (verifier.Request.Trusted): the pumping guard lets it through a
// destination prefix or region whose allowance is spent, and counts it.
// A spent prefix's refusal (403 USG.201060008) is where a host puts a
// challenge: a CAPTCHA solved, a logged-in account, a session that
// verified codes before; f then reports it (a header or cookie the host
// checks, never one a client merely sets). f must be quick and safe for
// concurrent use; by default no request is trusted.
func WithTrust(f func(r *http.Request, subject string) bool) Option {
	return func(o *options) { o.trust = given(f) }
}

// check returns every problem with the options, v and auth, in the order
// of this file.
func (o *options) check(v *verifier.Verifier, auth Authenticator) error {
	var errs []error
	if v == nil {
		errs = append(errs, errors.New("httpmw: nil verifier"))
	}
	if o.log != nil && *o.log == nil {
		errs = append(errs, errors.New("httpmw: nil logger"))
	}
	if n := o.maxBody; n != nil && *n < 64 {
		errs = append(errs, fmt.Errorf("httpmw: body limit %d below 64 bytes", *n))
	}
	for _, c := range o.trusted {
		if _, err := netip.ParsePrefix(c); err != nil {
			errs = append(errs, fmt.Errorf("httpmw: trusted proxy: %w", err))
		}
	}
	if o.subjectOf != nil && *o.subjectOf == nil {
		errs = append(errs, errors.New("httpmw: nil WithSubject function"))
	}
	if o.onVerified != nil && *o.onVerified == nil {
		errs = append(errs, errors.New("httpmw: nil WithVerified function"))
	}
	if o.trust != nil && *o.trust == nil {
		errs = append(errs, errors.New("httpmw: nil WithTrust function"))
	}
	errs = append(errs, o.checkFlow()...)
	errs = append(errs, o.checkOrigins()...)
	switch {
	case auth == nil && o.subjectOf == nil:
		errs = append(errs, errors.New("httpmw: nil authenticator and no WithSubject"))
	case auth != nil && o.subjectOf != nil:
		errs = append(errs, errors.New("httpmw: both an authenticator and WithSubject: give one"))
	}
	return errors.Join(errs...)
}

// checkFlow returns the problems with WithChannels, WithBeforeSend and
// WithRoute.
func (o *options) checkFlow() []error {
	var errs []error
	if o.channels != nil && len(*o.channels) == 0 {
		errs = append(errs, errors.New("httpmw: WithChannels needs at least one channel; leave it out for every channel"))
	}
	if o.channels != nil {
		for _, ch := range *o.channels {
			if ch != delivery.SMS && ch != delivery.Email {
				errs = append(errs, fmt.Errorf("httpmw: WithChannels: unknown channel %q", ch))
			}
		}
	}
	if o.beforeSend != nil && *o.beforeSend == nil {
		errs = append(errs, errors.New("httpmw: nil WithBeforeSend function"))
	}
	if o.route != nil && !validRouteName(*o.route) {
		errs = append(errs, fmt.Errorf("httpmw: WithRoute %q: want 1 to 64 printable ASCII characters", *o.route))
	}
	return errs
}

// checkOrigins returns the problems with WithTrustedOrigins and
// WithCrossOriginProtection.
func (o *options) checkOrigins() []error {
	var errs []error
	for _, origin := range o.origins {
		if err := checkOrigin(origin); err != nil {
			errs = append(errs, fmt.Errorf("httpmw: WithTrustedOrigins: %w", err))
		}
	}
	if o.crossOrigin != nil && *o.crossOrigin == nil {
		errs = append(errs, errors.New("httpmw: nil WithCrossOriginProtection"))
	}
	if o.crossOrigin != nil && o.origins != nil {
		errs = append(errs, errors.New("httpmw: both WithTrustedOrigins and WithCrossOriginProtection: give the origins to the CrossOriginProtection"))
	}
	return errs
}

// validRouteName says whether name is 1 to 64 printable ASCII characters.
func validRouteName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return false
		}
	}
	return true
}
