package twilio

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// DefaultAPIURL is Twilio's REST API. Regional processing goes through
// an edge host instead, such as https://api.dublin.ie1.twilio.com (see
// https://www.twilio.com/docs/global-infrastructure/edge-locations).
const DefaultAPIURL = "https://api.twilio.com"

// DefaultTimeout bounds one request unless WithTimeout says otherwise.
const DefaultTimeout = 10 * time.Second

// Account is what a Notifier cannot work without, the values Twilio's
// console gives for one account: the account, one credential and one
// sender. Authenticate with AuthToken, or with an API key (APIKey and
// APISecret, the way Twilio recommends for production); either way SID
// names the account the messages are sent from. Send from From, or
// through MessagingServiceSID: exactly one. Everything with a default is
// an Option instead.
//
// Printing an Account (fmt's verbs, log/slog) shows AuthToken and
// APISecret as "redacted" when set.
type Account struct {
	// SID is the Account SID: AC followed by 32 hex digits. It is an
	// identifier, not a secret: it is in every request's URL and may
	// appear in errors.
	SID string
	// AuthToken is the account's auth token, the password with SID as
	// user name.
	AuthToken string
	// APIKey (SK followed by 32 hex digits) and APISecret are an API key
	// of the account, used instead of AuthToken: the key is the user name,
	// the secret the password.
	APIKey, APISecret string
	// From is the sender: a Twilio phone number in E.164 (+15017122661),
	// a short code (3 to 8 digits) or an alphanumeric sender ID (up to 11
	// letters, digits and spaces, at least one letter).
	From string
	// MessagingServiceSID (MG followed by 32 hex digits) sends through a
	// Messaging Service, which picks the sender from its pool.
	MessagingServiceSID string
}

// String describes a without its secrets: AuthToken and APISecret show as
// "redacted" when set. fmt's %v, %+v and %s use it.
func (a Account) String() string {
	return fmt.Sprintf("twilio.Account{SID:%s AuthToken:%s APIKey:%s APISecret:%s From:%s MessagingServiceSID:%s}",
		a.SID, redacted(a.AuthToken), a.APIKey, redacted(a.APISecret), a.From, a.MessagingServiceSID)
}

// GoString is fmt's %#v of a, its secrets redacted as in String.
func (a Account) GoString() string {
	return fmt.Sprintf("twilio.Account{SID:%q, AuthToken:%q, APIKey:%q, APISecret:%q, From:%q, MessagingServiceSID:%q}",
		a.SID, redacted(a.AuthToken), a.APIKey, redacted(a.APISecret), a.From, a.MessagingServiceSID)
}

// LogValue implements slog.LogValuer: a group of a's fields, its secrets
// redacted as in String, so that slog's handlers never write them.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("SID", a.SID),
		slog.String("AuthToken", redacted(a.AuthToken)),
		slog.String("APIKey", a.APIKey),
		slog.String("APISecret", redacted(a.APISecret)),
		slog.String("From", a.From),
		slog.String("MessagingServiceSID", a.MessagingServiceSID),
	)
}

var _ slog.LogValuer = Account{}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "redacted"
}

// An Option sets one of a Notifier's settings with a default. Options only
// record their values; New checks them all, with the Account.
type Option func(*settings)

// settings are what the options record; the zero value of each means its
// default.
type settings struct {
	apiURL  string
	timeout time.Duration
}

// WithAPIURL sets the API's base URL (default DefaultAPIURL, also for
// ""), for an edge location, a proxy of the host's own or a fake server in
// tests. It must be https, except for loopback hosts, with neither user
// information, query nor fragment; a path is kept as a prefix.
func WithAPIURL(u string) Option { return func(s *settings) { s.apiURL = u } }

// WithTimeout bounds one request, from dialling to reading the answer
// (default DefaultTimeout, also for 0). A negative one is an error.
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.timeout = d } }

var (
	// SIDs are two letters and 32 hex digits:
	// https://www.twilio.com/docs/glossary/what-is-a-sid
	accountSIDPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	apiKeyPattern     = regexp.MustCompile(`^SK[0-9a-fA-F]{32}$`)
	servicePattern    = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	// twilio-go refuses credentials with anything else (client.go,
	// validateCredentials), so say so before the first message.
	alphanumeric = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	e164         = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	shortCode    = regexp.MustCompile(`^[0-9]{3,8}$`)
	alphaSender  = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)
)

// problems collects what check finds, each an error of the package's.
type problems []error

func (p *problems) fail(format string, args ...any) {
	*p = append(*p, fmt.Errorf("notify: twilio: "+format, args...))
}

// shaped refuses quotes around v and white space in it, which no value
// allows but the spaces between the words of a sender ID (spaces says
// so). It reports whether v passed, so that the value's own check runs
// only then and one mistake makes one error.
func (p *problems) shaped(name, v string, spaces bool) bool {
	switch {
	case len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\''):
		p.fail("%s is enclosed in quotes: give the value without them", name)
	case strings.TrimSpace(v) != v:
		p.fail("%s has white space at an end", name)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) && !(spaces && r == ' ') }):
		p.fail("%s contains white space", name)
	default:
		return true
	}
	return false
}

// check validates every value New is given and reports every problem at
// once. Errors name the Account's fields and the options; they never
// quote a secret.
func check(a Account, s settings) error {
	var p problems
	p.checkSID(a.SID)
	p.checkCredential(a)
	p.checkSender(a)
	if s.apiURL != "" && p.shaped("WithAPIURL", s.apiURL, false) {
		if _, err := parseAPIURL(s.apiURL); err != nil {
			p.fail("WithAPIURL %v", err)
		}
	}
	if s.timeout < 0 {
		p.fail("WithTimeout %v is negative", s.timeout)
	}
	return errors.Join(p...)
}

func (p *problems) checkSID(sid string) {
	switch {
	case sid == "":
		p.fail("Account.SID is not set")
	case !p.shaped("Account.SID", sid, false):
	case !accountSIDPattern.MatchString(sid):
		p.fail("Account.SID must be AC followed by 32 hex digits")
	}
}

func (p *problems) checkCredential(a Account) {
	switch {
	case a.AuthToken != "" && (a.APIKey != "" || a.APISecret != ""):
		p.fail("Account.AuthToken and an API key (Account.APIKey, Account.APISecret) are both given: authenticate with one")
	case a.AuthToken != "":
		p.checkSecret("Account.AuthToken", a.AuthToken)
	case a.APIKey == "" && a.APISecret == "":
		p.fail("no credential: give Account.AuthToken, or Account.APIKey with Account.APISecret")
	default:
		if a.APIKey == "" {
			p.fail("Account.APISecret is set without Account.APIKey")
		} else if p.shaped("Account.APIKey", a.APIKey, false) && !apiKeyPattern.MatchString(a.APIKey) {
			p.fail("Account.APIKey must be SK followed by 32 hex digits")
		}
		if a.APISecret == "" {
			p.fail("Account.APIKey is set without Account.APISecret")
		} else {
			p.checkSecret("Account.APISecret", a.APISecret)
		}
	}
}

func (p *problems) checkSecret(name, v string) {
	if p.shaped(name, v, false) && !alphanumeric.MatchString(v) {
		p.fail("%s has characters other than letters and digits", name)
	}
}

func (p *problems) checkSender(a Account) {
	switch {
	case a.From != "" && a.MessagingServiceSID != "":
		p.fail("Account.From and Account.MessagingServiceSID are both given: give one")
	case a.From != "":
		if p.shaped("Account.From", a.From, true) && !validFrom(a.From) {
			p.fail("Account.From is not an E.164 number, a short code or an alphanumeric sender ID")
		}
	case a.MessagingServiceSID != "":
		if p.shaped("Account.MessagingServiceSID", a.MessagingServiceSID, false) && !servicePattern.MatchString(a.MessagingServiceSID) {
			p.fail("Account.MessagingServiceSID must be MG followed by 32 hex digits")
		}
	default:
		p.fail("no sender: give Account.From or Account.MessagingServiceSID")
	}
}

// validFrom reports whether from is an E.164 number, a short code or an
// alphanumeric sender ID (with at least one letter).
func validFrom(from string) bool {
	letters := strings.ContainsFunc(from, unicode.IsLetter)
	return e164.MatchString(from) || shortCode.MatchString(from) || letters && alphaSender.MatchString(from)
}

// parseAPIURL checks a base URL the way notify.NewWebhook checks its URL:
// https, or http to a loopback host; no credentials, query or fragment
// that errors could quote.
func parseAPIURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("is not an absolute URL")
	}
	if u.User != nil || strings.Contains(u.Path, "@") {
		return nil, errors.New("must not hold user information: credentials go in the auth token or API key")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#") {
		return nil, errors.New("must have neither query nor fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New("port is not 1 to 65535")
		}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("must be https (http only on loopback), got %s://%s", u.Scheme, u.Host)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// isLoopback reports whether host is localhost or a loopback address, the
// one place where plain HTTP is accepted (as notify's own is).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
