package huaweicloud

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"
)

// DefaultTimeout bounds one request unless WithTimeout says otherwise.
const DefaultTimeout = 10 * time.Second

// sendPath is the SMS Sending API's URI, appended to the access address.
const sendPath = "/sms/batchSendSms/v1"

// App is what a Notifier cannot work without: the values the console's
// application management page gives for one application, and the sender
// and template it sends with. Everything with a default is an Option
// instead.
//
// Printing an App (fmt's verbs, %#v too, log/slog's handlers, or
// encoding/json) never shows AppKey or AppSecret, which read "redacted"
// when set, nor more of URL than its scheme, host and path.
type App struct {
	// URL is the application's access address, such as
	// https://smsapi.cn-north-4.myhuaweicloud.com:443; the API's path
	// /sms/batchSendSms/v1 is appended to it. It must be https, except
	// for a loopback host (tests); it may not carry user information, a
	// query or a fragment.
	URL string
	// AppKey and AppSecret are the application's key and secret: the
	// X-WSSE user name and the password its digest is made from.
	AppKey    string
	AppSecret string
	// Sender is the "from" field: the channel number of the signature
	// (Chinese mainland) or of the international channel, up to 21
	// characters.
	Sender string
	// TemplateID is the template used for a language WithTemplates does
	// not match, or for every message without it (up to 32 characters).
	TemplateID string
}

// An Option sets one of a Notifier's settings with a default. Options only
// record their values; New checks them all, with the App.
type Option func(*config)

// WithTemplates maps a language tag (zh-CN, en-US, or a bare language such
// as en) to the template for messages in that language. A message's
// language picks its own tag, else the closest one (en-GB picks en-US),
// else App.TemplateID. Default (also for an empty map): App.TemplateID for
// every message. New copies the map.
func WithTemplates(ids map[string]string) Option {
	return func(c *config) { c.templateIDs = ids }
}

// WithCodeOnly sends the code as the template's one parameter. By default
// the templates take two: the code and the validity in whole minutes,
// rounded up.
func WithCodeOnly() Option { return func(c *config) { c.codeOnly = true } }

// WithSignature sets the signature name, needed with a general template of
// the Chinese mainland. Default (also for ""): none is sent.
func WithSignature(name string) Option { return func(c *config) { c.signature = name } }

// WithStatusCallback sets the URL the service posts delivery reports to.
// Default (also for ""): none.
func WithStatusCallback(u string) Option { return func(c *config) { c.statusCallback = u } }

// WithTimeout bounds each request (default DefaultTimeout, also for 0). A
// negative one is an error.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithClient sends the requests with client, for a transport of the
// host's (a custom certificate authority, a proxy). Default (also for
// nil): a client of the Notifier's own. Redirects are never followed,
// whatever its CheckRedirect says, and its Timeout, if any, still applies.
// The client stays the caller's: Notifier.Close leaves its connections
// alone.
func WithClient(client *http.Client) Option { return func(c *config) { c.client = client } }

// config is the App with what the options recorded.
type config struct {
	App
	templateIDs    map[string]string
	codeOnly       bool
	signature      string
	statusCallback string
	timeout        time.Duration
	client         *http.Client
}

// problem is one invalid setting: the App field or the option, and what
// is wrong with it. what never holds a value; detail may (a language
// tag).
type problem struct {
	field, what, detail string
}

func (p problem) err() error {
	s := "notify: huaweicloud: " + p.field + " " + p.what
	if p.detail != "" {
		s += " " + p.detail
	}
	return errors.New(s)
}

// validate checks cfg and returns the send URL and the language table.
func (cfg *config) validate() (endpoint string, tags []language.Tag, ids []string, problems []problem) {
	endpoint, problems = cfg.App.validate()
	tags, ids, more := validateTemplates(cfg.templateIDs)
	problems = append(problems, more...)
	return endpoint, tags, ids, append(problems, cfg.validateOptions()...)
}

// validate checks the App, and returns the send URL.
func (a App) validate() (endpoint string, problems []problem) {
	fail := func(field, what string) {
		problems = append(problems, problem{field: "App." + field, what: what})
	}
	endpoint, why := sendURL(a.URL)
	if why != "" {
		fail("URL", why)
	}
	switch {
	case a.AppKey == "":
		fail("AppKey", "is empty")
	case !headerSafe(a.AppKey):
		// It goes inside a quoted header parameter.
		fail("AppKey", "has a quote, a backslash, a comma or a control character")
	case strings.ContainsFunc(a.AppKey, unicode.IsSpace) || quoted(a.AppKey):
		fail("AppKey", "has white space or is enclosed in quotes")
	}
	switch {
	case a.AppSecret == "":
		fail("AppSecret", "is empty")
	case strings.ContainsFunc(a.AppSecret, unicode.IsSpace) || quoted(a.AppSecret):
		fail("AppSecret", "has white space or is enclosed in quotes")
	}
	if n := len([]rune(a.Sender)); n < 1 || n > 21 || !printable(a.Sender) ||
		strings.ContainsFunc(a.Sender, unicode.IsSpace) || quoted(a.Sender) {
		fail("Sender", "must be 1 to 21 printable characters without white space or enclosing quotes (the channel number)")
	}
	if why := badTemplateID(a.TemplateID); why != "" {
		fail("TemplateID", why)
	}
	return endpoint, problems
}

// validateTemplates checks WithTemplates' map and returns its languages,
// sorted (the matcher's order, for deterministic ties), and their
// templates.
func validateTemplates(m map[string]string) (tags []language.Tag, ids []string, problems []problem) {
	langs := make([]string, 0, len(m))
	for lang := range m {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	for _, lang := range langs {
		tag, err := language.Parse(lang)
		if err != nil || tag == language.Und {
			problems = append(problems, problem{field: "WithTemplates", what: "has a key that is not a language tag", detail: fmt.Sprintf("(%q)", lang)})
			continue
		}
		if why := badTemplateID(m[lang]); why != "" {
			problems = append(problems, problem{field: "WithTemplates", what: "has a template that " + why, detail: "(language " + tag.String() + ")"})
			continue
		}
		tags = append(tags, tag)
		ids = append(ids, m[lang])
	}
	return tags, ids, problems
}

// validateOptions checks the other options' values.
func (cfg *config) validateOptions() (problems []problem) {
	fail := func(field, what string) {
		problems = append(problems, problem{field: field, what: what})
	}
	switch {
	case !printable(cfg.signature):
		fail("WithSignature", "has a control character")
	case quoted(cfg.signature):
		fail("WithSignature", "is enclosed in quotes")
	}
	if cfg.statusCallback != "" {
		u, err := url.Parse(cfg.statusCallback)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsFunc(cfg.statusCallback, unicode.IsSpace) {
			fail("WithStatusCallback", "is not an absolute http or https URL (without white space)")
		}
	}
	if cfg.timeout < 0 {
		fail("WithTimeout", "is negative")
	}
	return problems
}

// sendURL checks the access address and appends the API's path; why says
// what is wrong with it, to follow its name.
func sendURL(raw string) (endpoint, why string) {
	if strings.ContainsFunc(raw, unicode.IsSpace) || quoted(raw) {
		return "", "has white space or is enclosed in quotes"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", "is not an absolute URL (the access address, such as https://smsapi.cn-north-4.myhuaweicloud.com:443)"
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		return "", "may not have user information, a query or a fragment"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "has a port that is not 1 to 65535"
		}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return "", "must be https (http only on a loopback host)"
	}
	path := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(path, sendPath) {
		return "", "must be the access address alone: " + sendPath + " is appended to it"
	}
	u.Path = path + sendPath
	u.RawPath = ""
	return u.String(), ""
}

// badTemplateID says what is wrong with a template id, or "".
func badTemplateID(id string) string {
	if n := len([]rune(id)); n < 1 || n > 32 || !printable(id) ||
		strings.ContainsFunc(id, unicode.IsSpace) || quoted(id) {
		return "must be 1 to 32 printable characters without white space or enclosing quotes"
	}
	return ""
}

// printable reports whether s has no control character.
func printable(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// headerSafe reports whether s can stand inside a quoted X-WSSE parameter.
func headerSafe(s string) bool {
	return printable(s) && !strings.ContainsAny(s, "\"\\,")
}

// quoted reports whether s is enclosed in a pair of quotes, as a value
// copied from a shell or a .env file may be.
func quoted(s string) bool {
	if len(s) < 2 {
		return false
	}
	first, last := s[0], s[len(s)-1]
	return first == last && (first == '"' || first == '\'' || first == '`')
}
