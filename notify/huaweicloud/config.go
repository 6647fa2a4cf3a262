package huaweicloud

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"
)

// DefaultTimeout bounds one request unless Config.Timeout says otherwise.
const DefaultTimeout = 10 * time.Second

// sendPath is the SMS Sending API's URI, appended to the access address.
const sendPath = "/sms/batchSendSms/v1"

// Config configures a Notifier. The zero values of the optional fields
// mean their defaults.
//
// Printing a Config (fmt's verbs, %#v too, log/slog's handlers, or
// encoding/json) never shows AppKey or AppSecret, which read "redacted"
// when set, nor more of URL than its scheme, host and path, nor more of
// StatusCallback than its scheme and host (a receiver's URL may carry its
// own token).
type Config struct {
	// URL is the application's access address, from the console's
	// application management page, such as
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
	// TemplateID is the template used for a language TemplateIDs does
	// not match (up to 32 characters).
	TemplateID string
	// TemplateIDs maps a language tag (zh-CN, en-US, or a bare language
	// such as en) to the template for messages in that language. A
	// message's language picks its own tag, else the closest one (en-GB
	// picks en-US), else TemplateID.
	TemplateIDs map[string]string
	// CodeOnly sends the code as the template's one parameter. By default
	// the templates take two: the code and the validity in whole minutes,
	// rounded up.
	CodeOnly bool
	// Signature is the signature name, needed with a general template of
	// the Chinese mainland; empty to send none.
	Signature string
	// StatusCallback is the URL the service posts delivery reports to;
	// empty for none.
	StatusCallback string
	// Timeout bounds each request (default 10 s).
	Timeout time.Duration
	// Client sends the requests, for a transport of the host's (a custom
	// certificate authority, a proxy). By default a client of its own.
	// Redirects are never followed, whatever its CheckRedirect says, and
	// its Timeout, if any, still applies. A Client given here stays the
	// caller's: Notifier.Close leaves its connections alone.
	Client *http.Client
}

// The environment variables ConfigFromEnv reads. The app secret may
// instead be in the file VCODE_HUAWEI_SMS_APP_SECRET_FILE names.
const (
	EnvURL            = "VCODE_HUAWEI_SMS_URL"
	EnvAppKey         = "VCODE_HUAWEI_SMS_APP_KEY"
	EnvAppSecret      = "VCODE_HUAWEI_SMS_APP_SECRET"
	EnvSender         = "VCODE_HUAWEI_SMS_SENDER"
	EnvTemplateID     = "VCODE_HUAWEI_SMS_TEMPLATE_ID"
	EnvTemplateIDs    = "VCODE_HUAWEI_SMS_TEMPLATE_IDS"
	EnvSignature      = "VCODE_HUAWEI_SMS_SIGNATURE"
	EnvStatusCallback = "VCODE_HUAWEI_SMS_STATUS_CALLBACK"
	EnvCodeOnly       = "VCODE_HUAWEI_SMS_CODE_ONLY"
)

// ConfigFromEnv reads a Config from the environment through getenv
// (os.Getenv in a program):
//
//	VCODE_HUAWEI_SMS_URL             access address (required)
//	VCODE_HUAWEI_SMS_APP_KEY         app key (required)
//	VCODE_HUAWEI_SMS_APP_SECRET      app secret (required), or
//	VCODE_HUAWEI_SMS_APP_SECRET_FILE a file holding it
//	VCODE_HUAWEI_SMS_SENDER          channel number (required)
//	VCODE_HUAWEI_SMS_TEMPLATE_ID     default template (required)
//	VCODE_HUAWEI_SMS_TEMPLATE_IDS    zh-CN=id1,en-US=id2 (optional)
//	VCODE_HUAWEI_SMS_SIGNATURE       signature name (optional)
//	VCODE_HUAWEI_SMS_STATUS_CALLBACK delivery report URL (optional)
//	VCODE_HUAWEI_SMS_CODE_ONLY       true: the code is the one parameter
//
// Every value, the _FILE's path and the content of the file it names have
// their leading and trailing white space removed; setting both a variable
// and its _FILE is an error. What remains may not have white space inside
// (except the signature's) nor be enclosed in quotes ("…" or '…'): the
// service takes none of them. ConfigFromEnv checks everything New checks,
// and its error names every missing or invalid variable (never a Config
// field) and never quotes a value.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var errs []error
	failed := map[string]bool{} // the variables already reported
	bad := func(name, what string) {
		errs = append(errs, fmt.Errorf("notify: huaweicloud: %s %s", name, what))
		failed[name] = true
	}
	get := func(name string, required bool) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" && required {
			bad(name, "is not set")
		}
		return v
	}
	cfg := Config{
		URL:            get(EnvURL, true),
		AppKey:         get(EnvAppKey, true),
		Sender:         get(EnvSender, true),
		TemplateID:     get(EnvTemplateID, true),
		Signature:      get(EnvSignature, false),
		StatusCallback: get(EnvStatusCallback, false),
	}
	secret, secretName, err := secretFromEnv(getenv, EnvAppSecret)
	if err != nil {
		errs = append(errs, err)
		failed[secretName] = true
	}
	cfg.AppSecret = secret
	if v := get(EnvTemplateIDs, false); v != "" {
		ids, err := parseTemplateIDs(v)
		if err != nil {
			errs = append(errs, err)
			failed[EnvTemplateIDs] = true
		}
		cfg.TemplateIDs = ids
	}
	if v := get(EnvCodeOnly, false); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(EnvCodeOnly, "is not true or false")
		}
		cfg.CodeOnly = b
	}
	// New's checks, named by the variables.
	names := map[string]string{
		"URL": EnvURL, "AppKey": EnvAppKey, "AppSecret": secretName, "Sender": EnvSender,
		"TemplateID": EnvTemplateID, "TemplateIDs": EnvTemplateIDs, "Signature": EnvSignature,
		"StatusCallback": EnvStatusCallback,
	}
	_, _, _, problems := cfg.validate()
	for _, p := range problems {
		name, ok := names[p.field]
		if !ok {
			name = p.field // not read from the environment (Timeout)
		}
		if !failed[name] {
			errs = append(errs, p.err(name, false))
			failed[name] = true
		}
	}
	return cfg, errors.Join(errs...)
}

// secretFromEnv reads name, or the file name_FILE names; not both. from is
// how an error about the value names it: the variable, or the file.
func secretFromEnv(getenv func(string) string, name string) (secret, from string, err error) {
	v, file := strings.TrimSpace(getenv(name)), strings.TrimSpace(getenv(name+"_FILE"))
	switch {
	case v != "" && file != "":
		return "", name, fmt.Errorf("notify: huaweicloud: both %s and %s_FILE are set", name, name)
	case file != "":
		from = "the file " + name + "_FILE names"
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is the operator's, not a secret; the error never
			// holds the content.
			return "", from, fmt.Errorf("notify: huaweicloud: %s_FILE: %w", name, err)
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", from, fmt.Errorf("notify: huaweicloud: %s is empty", from)
		}
		return s, from, nil
	case v == "":
		return "", name, fmt.Errorf("notify: huaweicloud: %s (or %s_FILE) is not set", name, name)
	}
	return v, name, nil
}

// parseTemplateIDs parses "zh-CN=id1,en-US=id2" and checks each entry as
// New would. Errors name the entry by position, never its language or
// template.
func parseTemplateIDs(v string) (map[string]string, error) {
	if quoted(v) {
		return nil, fmt.Errorf("notify: huaweicloud: %s is enclosed in quotes", EnvTemplateIDs)
	}
	ids := map[string]string{}
	seen := map[language.Tag]int{}
	for i, entry := range strings.Split(v, ",") {
		fail := func(what string) error {
			return fmt.Errorf("notify: huaweicloud: %s entry %d %s", EnvTemplateIDs, i+1, what)
		}
		lang, id, ok := strings.Cut(strings.TrimSpace(entry), "=")
		lang, id = strings.TrimSpace(lang), strings.TrimSpace(id)
		if !ok || lang == "" || id == "" {
			return nil, fail("is not language=template")
		}
		tag, err := language.Parse(lang)
		if err != nil || tag == language.Und {
			return nil, fail("does not start with a language tag")
		}
		if why := badTemplateID(id); why != "" {
			return nil, fail("has a template that " + why)
		}
		if j, dup := seen[tag]; dup {
			return nil, fail(fmt.Sprintf("repeats the language of entry %d", j))
		}
		seen[tag] = i + 1
		ids[lang] = id
	}
	return ids, nil
}

// problem is one invalid setting: the Config field, and what is wrong with
// it, to follow the name of the field (New) or of the variable
// (ConfigFromEnv). what never holds a value; detail may (a language tag),
// and is quoted by New only.
type problem struct {
	field, what, detail string
}

func (p problem) err(name string, withDetail bool) error {
	s := "notify: huaweicloud: " + name + " " + p.what
	if withDetail && p.detail != "" {
		s += " " + p.detail
	}
	return errors.New(s)
}

// validate checks cfg and returns the send URL and the language table.
func (cfg *Config) validate() (endpoint string, tags []language.Tag, ids []string, problems []problem) {
	fail := func(field, what string) {
		problems = append(problems, problem{field: field, what: what})
	}
	endpoint, why := sendURL(cfg.URL)
	if why != "" {
		fail("URL", why)
	}
	switch {
	case cfg.AppKey == "":
		fail("AppKey", "is empty")
	case !headerSafe(cfg.AppKey):
		// It goes inside a quoted header parameter.
		fail("AppKey", "has a quote, a backslash, a comma or a control character")
	case strings.ContainsFunc(cfg.AppKey, unicode.IsSpace) || quoted(cfg.AppKey):
		fail("AppKey", "has white space or is enclosed in quotes")
	}
	switch {
	case cfg.AppSecret == "":
		fail("AppSecret", "is empty")
	case strings.ContainsFunc(cfg.AppSecret, unicode.IsSpace) || quoted(cfg.AppSecret):
		fail("AppSecret", "has white space or is enclosed in quotes")
	}
	if n := len([]rune(cfg.Sender)); n < 1 || n > 21 || !printable(cfg.Sender) ||
		strings.ContainsFunc(cfg.Sender, unicode.IsSpace) || quoted(cfg.Sender) {
		fail("Sender", "must be 1 to 21 printable characters without white space or enclosing quotes (the channel number)")
	}
	if why := badTemplateID(cfg.TemplateID); why != "" {
		fail("TemplateID", why)
	}
	langs := make([]string, 0, len(cfg.TemplateIDs))
	for lang := range cfg.TemplateIDs {
		langs = append(langs, lang)
	}
	slices.Sort(langs) // the matcher's order, for deterministic ties
	for _, lang := range langs {
		tag, err := language.Parse(lang)
		if err != nil || tag == language.Und {
			problems = append(problems, problem{field: "TemplateIDs", what: "has a key that is not a language tag", detail: fmt.Sprintf("(%q)", lang)})
			continue
		}
		if why := badTemplateID(cfg.TemplateIDs[lang]); why != "" {
			problems = append(problems, problem{field: "TemplateIDs", what: "has a template that " + why, detail: "(language " + tag.String() + ")"})
			continue
		}
		tags = append(tags, tag)
		ids = append(ids, cfg.TemplateIDs[lang])
	}
	switch {
	case !printable(cfg.Signature):
		fail("Signature", "has a control character")
	case quoted(cfg.Signature):
		fail("Signature", "is enclosed in quotes")
	}
	if cfg.StatusCallback != "" {
		u, err := url.Parse(cfg.StatusCallback)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			strings.ContainsFunc(cfg.StatusCallback, unicode.IsSpace) {
			fail("StatusCallback", "is not an absolute http or https URL (without white space)")
		}
	}
	if cfg.Timeout < 0 {
		fail("Timeout", "is negative")
	}
	return endpoint, tags, ids, problems
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
