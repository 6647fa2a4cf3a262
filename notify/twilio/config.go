package twilio

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
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

// DefaultTimeout bounds one request unless Config says otherwise.
const DefaultTimeout = 10 * time.Second

// Config configures a Notifier. Authenticate with AuthToken, or with an
// API key (APIKey and APISecret, the way Twilio recommends for
// production); either way AccountSID names the account the messages are
// sent from. Send from From, or through MessagingServiceSID: exactly one.
type Config struct {
	// AccountSID is the account: AC followed by 32 hex digits. It is an
	// identifier, not a secret: it is in every request's URL and may
	// appear in errors.
	AccountSID string
	// AuthToken is the account's auth token, the password with
	// AccountSID as user name.
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
	// APIURL is the API's base URL (default DefaultAPIURL), for an edge
	// location, a proxy of the host's own or a fake server in tests. It
	// must be https, except for loopback hosts, with neither user
	// information, query nor fragment; a path is kept as a prefix.
	APIURL string
	// Timeout bounds one request, from dialling to reading the answer
	// (default 10 s).
	Timeout time.Duration
}

// String describes c without its secrets: AuthToken and APISecret show as
// "redacted" when set. fmt's %v, %+v and %s use it.
func (c Config) String() string {
	return fmt.Sprintf("twilio.Config{AccountSID:%s AuthToken:%s APIKey:%s APISecret:%s From:%s MessagingServiceSID:%s APIURL:%s Timeout:%v}",
		c.AccountSID, redacted(c.AuthToken), c.APIKey, redacted(c.APISecret), c.From, c.MessagingServiceSID, c.APIURL, c.Timeout)
}

// GoString is fmt's %#v of c, its secrets redacted as in String.
func (c Config) GoString() string {
	return fmt.Sprintf("twilio.Config{AccountSID:%q, AuthToken:%q, APIKey:%q, APISecret:%q, From:%q, MessagingServiceSID:%q, APIURL:%q, Timeout:%d}",
		c.AccountSID, redacted(c.AuthToken), c.APIKey, redacted(c.APISecret), c.From, c.MessagingServiceSID, c.APIURL, c.Timeout)
}

// LogValue implements slog.LogValuer: a group of c's fields, its secrets
// redacted as in String, so that slog's handlers never write them.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("AccountSID", c.AccountSID),
		slog.String("AuthToken", redacted(c.AuthToken)),
		slog.String("APIKey", c.APIKey),
		slog.String("APISecret", redacted(c.APISecret)),
		slog.String("From", c.From),
		slog.String("MessagingServiceSID", c.MessagingServiceSID),
		slog.String("APIURL", c.APIURL),
		slog.Duration("Timeout", c.Timeout),
	)
}

var _ slog.LogValuer = Config{}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "redacted"
}

// The environment variables ConfigFromEnv reads. The first five follow the
// names Twilio's own tools and helper libraries use.
const (
	EnvAccountSID          = "TWILIO_ACCOUNT_SID"
	EnvAuthToken           = "TWILIO_AUTH_TOKEN"
	EnvAPIKey              = "TWILIO_API_KEY"
	EnvAPISecret           = "TWILIO_API_SECRET"
	EnvFrom                = "VCODE_TWILIO_FROM"
	EnvMessagingServiceSID = "VCODE_TWILIO_MESSAGING_SERVICE_SID"
	EnvAPIURL              = "VCODE_TWILIO_API_URL"
)

// ConfigFromEnv reads a Config from the environment, getenv being
// os.Getenv or a test's map:
//
//	TWILIO_ACCOUNT_SID                  required: AC...
//	TWILIO_AUTH_TOKEN                   the auth token; or
//	TWILIO_API_KEY, TWILIO_API_SECRET   an API key (SK...) and its secret
//	VCODE_TWILIO_FROM                   the sender; or
//	VCODE_TWILIO_MESSAGING_SERVICE_SID  a Messaging Service (MG...)
//	VCODE_TWILIO_API_URL                optional: the API's base URL
//
// Each secret may instead come from a file: TWILIO_AUTH_TOKEN_FILE,
// TWILIO_API_SECRET_FILE name a file whose content is the value; setting
// a variable and its _FILE is an error. Every value, and a file's
// content, is trimmed of white space at both ends; white space inside a
// value (except between the words of an alphanumeric sender ID) or quotes
// around it are errors. Exactly one credential (the auth token, or the
// API key with its secret) and exactly one sender must be given. Errors
// name the variables at fault and never quote a value. Timeout is left
// zero (New makes it 10 s).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var errs []error
	secret := func(name string) string {
		v, err := readSecret(getenv, name)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{
		AccountSID:          get(EnvAccountSID),
		AuthToken:           secret(EnvAuthToken),
		APIKey:              get(EnvAPIKey),
		APISecret:           secret(EnvAPISecret),
		From:                get(EnvFrom),
		MessagingServiceSID: get(EnvMessagingServiceSID),
		APIURL:              get(EnvAPIURL),
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	if err := c.check(envNames); err != nil {
		return Config{}, err
	}
	return c, nil
}

func or(name string) string { return name + " (or " + name + "_FILE)" }

// readSecret returns the value of name, or the content of the file
// name_FILE names, white space at both ends trimmed.
func readSecret(getenv func(string) string, name string) (string, error) {
	v, file := strings.TrimSpace(getenv(name)), strings.TrimSpace(getenv(name+"_FILE"))
	if file == "" {
		return v, nil
	}
	if v != "" {
		return "", fmt.Errorf("notify: twilio: %s and %s_FILE are both set: give one", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		// An *fs.PathError: the operation, the path and the reason.
		return "", fmt.Errorf("notify: twilio: %s_FILE: %w", name, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("notify: twilio: %s_FILE: %s is empty", name, file)
	}
	return s, nil
}

// fieldNames names Config's fields in errors: as Go fields for New, as
// environment variables for ConfigFromEnv.
type fieldNames struct {
	accountSID, authToken, apiKey, apiSecret, from, messagingServiceSID, apiURL string
}

var (
	goNames = fieldNames{
		"Config.AccountSID", "Config.AuthToken", "Config.APIKey", "Config.APISecret",
		"Config.From", "Config.MessagingServiceSID", "Config.APIURL",
	}
	envNames = fieldNames{
		EnvAccountSID, or(EnvAuthToken), EnvAPIKey, or(EnvAPISecret),
		EnvFrom, EnvMessagingServiceSID, EnvAPIURL,
	}
)

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

// check validates c, naming fields with n. It never quotes a secret.
func (c Config) check(n fieldNames) error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("notify: twilio: "+format, args...))
	}
	// shaped refuses quotes around v and white space in it, which no
	// field allows but the spaces between the words of a sender ID
	// (spaces says so). It reports whether v passed, so that the field's
	// own check runs only then and one mistake makes one error.
	shaped := func(name, v string, spaces bool) bool {
		switch {
		case len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\''):
			fail("%s is enclosed in quotes: give the value without them", name)
		case strings.TrimSpace(v) != v:
			fail("%s has white space at an end", name)
		case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) && !(spaces && r == ' ') }):
			fail("%s contains white space", name)
		default:
			return true
		}
		return false
	}
	switch {
	case c.AccountSID == "":
		fail("%s is not set", n.accountSID)
	case !shaped(n.accountSID, c.AccountSID, false):
	case !accountSIDPattern.MatchString(c.AccountSID):
		fail("%s must be AC followed by 32 hex digits", n.accountSID)
	}
	switch {
	case c.AuthToken != "" && (c.APIKey != "" || c.APISecret != ""):
		fail("%s and an API key (%s, %s) are both given: authenticate with one", n.authToken, n.apiKey, n.apiSecret)
	case c.AuthToken != "":
		if shaped(n.authToken, c.AuthToken, false) && !alphanumeric.MatchString(c.AuthToken) {
			fail("%s has characters other than letters and digits", n.authToken)
		}
	case c.APIKey == "" && c.APISecret == "":
		fail("no credential: give %s, or %s with %s", n.authToken, n.apiKey, n.apiSecret)
	default:
		if c.APIKey == "" {
			fail("%s is set without %s", n.apiSecret, n.apiKey)
		} else if shaped(n.apiKey, c.APIKey, false) && !apiKeyPattern.MatchString(c.APIKey) {
			fail("%s must be SK followed by 32 hex digits", n.apiKey)
		}
		if c.APISecret == "" {
			fail("%s is set without %s", n.apiKey, n.apiSecret)
		} else if shaped(n.apiSecret, c.APISecret, false) && !alphanumeric.MatchString(c.APISecret) {
			fail("%s has characters other than letters and digits", n.apiSecret)
		}
	}
	switch {
	case c.From != "" && c.MessagingServiceSID != "":
		fail("%s and %s are both given: give one", n.from, n.messagingServiceSID)
	case c.From != "":
		letters := strings.ContainsFunc(c.From, unicode.IsLetter)
		if shaped(n.from, c.From, true) && !e164.MatchString(c.From) && !shortCode.MatchString(c.From) && !(letters && alphaSender.MatchString(c.From)) {
			fail("%s is not an E.164 number, a short code or an alphanumeric sender ID", n.from)
		}
	case c.MessagingServiceSID != "":
		if shaped(n.messagingServiceSID, c.MessagingServiceSID, false) && !servicePattern.MatchString(c.MessagingServiceSID) {
			fail("%s must be MG followed by 32 hex digits", n.messagingServiceSID)
		}
	default:
		fail("no sender: give %s or %s", n.from, n.messagingServiceSID)
	}
	if c.APIURL != "" && shaped(n.apiURL, c.APIURL, false) {
		if _, err := parseAPIURL(c.APIURL); err != nil {
			fail("%s %v", n.apiURL, err)
		}
	}
	if c.Timeout < 0 {
		fail("Config.Timeout %v is negative", c.Timeout)
	}
	return errors.Join(errs...)
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
