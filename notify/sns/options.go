package sns

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// An Option sets one of a Notifier's settings. Every setting has a
// default, AWS's own configuration, so New needs none. Options only record
// their values; New checks them all.
type Option func(*settings)

// WithRegion sets the AWS region whose SNS sends the messages, such as
// us-east-1. Default (also for ""): the SDK's own resolution (the AWS_REGION
// of the process, the shared config profile); New fails if that finds
// none.
func WithRegion(region string) Option { return func(s *settings) { s.Region = region } }

// WithStaticCredentials sets static credentials: an access key ID and its
// secret access key, with a session token for temporary ones (or ""). Give
// both keys, or call it with three empty strings for the default: the
// SDK's credential chain (the environment, shared files, SSO, web
// identity, ECS and EC2 roles). With static credentials the EC2 instance
// metadata service is switched off: nothing needs it, and a machine
// outside AWS would otherwise wait on it.
func WithStaticCredentials(accessKeyID, secretAccessKey, sessionToken string) Option {
	return func(s *settings) {
		s.AccessKeyID, s.SecretAccessKey, s.SessionToken = accessKeyID, secretAccessKey, sessionToken
	}
}

// WithProfile names the shared config profile. Default (also for ""): the
// SDK's.
func WithProfile(name string) Option { return func(s *settings) { s.Profile = name } }

// WithSenderID sets the alphabetic sender shown on the phone, where the
// destination country supports one: 1 to 11 letters, digits or hyphens, at
// least one a letter. Default (also for ""): none is asked for.
func WithSenderID(id string) Option { return func(s *settings) { s.SenderID = id } }

// WithOriginationNumber sets the number (long code, toll-free, 10DLC or
// short code) of the account's to send from: digits with an optional
// leading '+'. Default (also for ""): SNS picks one.
func WithOriginationNumber(number string) Option {
	return func(s *settings) { s.OriginationNumber = number }
}

// WithEndpoint overrides SNS's URL, for tests and private endpoints: http
// only on a loopback host, https otherwise; no user, query or fragment.
// Default (also for ""): the SDK's resolution, which honours
// AWS_ENDPOINT_URL_SNS and AWS_ENDPOINT_URL (and is held to the same
// rule), else the regional endpoint https://sns.<region>.amazonaws.com.
func WithEndpoint(u string) Option { return func(s *settings) { s.Endpoint = u } }

// WithTimeout bounds one Publish, credentials included (default
// DefaultTimeout, also for 0). A negative one is an error.
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.Timeout = d } }

// settings are what the options record; the zero value of each means its
// default.
type settings struct {
	Region                                     string
	AccessKeyID, SecretAccessKey, SessionToken string
	Profile                                    string
	SenderID, OriginationNumber                string
	Endpoint                                   string
	Timeout                                    time.Duration
}

var (
	senderIDPattern    = regexp.MustCompile(`^[A-Za-z0-9-]{1,11}$`)
	originationPattern = regexp.MustCompile(`^\+?[0-9]{3,15}$`)
	e164Pattern        = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
)

// check validates what New cannot leave to the SDK, and reports every
// problem at once. Its errors name the options and never quote a
// credential.
func (s settings) check() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("notify: sns: "+format, args...))
	}
	if err := checkBare(s.Region); err != nil {
		fail("WithRegion %w", err)
	}
	for _, f := range []struct{ name, v string }{
		{"access key ID", s.AccessKeyID}, {"secret access key", s.SecretAccessKey}, {"session token", s.SessionToken},
	} {
		if err := checkBare(f.v); err != nil {
			fail("WithStaticCredentials: the %s %w", f.name, err)
		}
	}
	switch {
	case (s.AccessKeyID == "") != (s.SecretAccessKey == ""):
		fail("WithStaticCredentials: give both the access key ID and the secret access key, or neither")
	case s.SessionToken != "" && s.AccessKeyID == "":
		fail("WithStaticCredentials: a session token needs an access key ID and a secret access key")
	}
	if quoted(s.Profile) {
		fail("WithProfile is enclosed in quotes: give the profile's name without them")
	}
	if err := checkSenderID(s.SenderID); err != nil {
		fail("WithSenderID: %w", err)
	}
	if err := checkOriginationNumber(s.OriginationNumber); err != nil {
		fail("WithOriginationNumber: %w", err)
	}
	if s.Endpoint != "" {
		if _, err := checkEndpoint(s.Endpoint); err != nil {
			fail("WithEndpoint: %w", err)
		}
	}
	if s.Timeout < 0 {
		fail("WithTimeout %v is negative", s.Timeout)
	}
	return errors.Join(errs...)
}

func checkSenderID(s string) error {
	if s != "" && (!senderIDPattern.MatchString(s) || strings.Trim(s, "0123456789-") == "") {
		return fmt.Errorf("%q is not 1 to 11 letters, digits or hyphens with at least one letter", s)
	}
	return nil
}

func checkOriginationNumber(s string) error {
	if s != "" && !originationPattern.MatchString(s) {
		return fmt.Errorf("%q is not a phone number or short code (digits, optional leading +)", s)
	}
	return nil
}

// checkEndpoint allows https anywhere and http only on a loopback host.
// Its errors quote no more than the scheme: a URL may hold a password.
func checkEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("not an absolute URL")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		return nil, errors.New("a URL with a user, a query or a fragment")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("must be https (http only on a loopback host), got %s://", u.Scheme)
	}
	return u, nil
}

// checkBare refuses white space and quotes anywhere in v. Its errors never
// quote v.
func checkBare(v string) error {
	switch {
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return errors.New("holds white space inside")
	case strings.ContainsAny(v, "\"'`"):
		return errors.New("holds quotes: give the value without them")
	}
	return nil
}

// quoted reports whether v is enclosed in a pair of quotes.
func quoted(v string) bool {
	if len(v) < 2 {
		return false
	}
	q := v[0]
	return (q == '"' || q == '\'' || q == '`') && v[len(v)-1] == q
}
