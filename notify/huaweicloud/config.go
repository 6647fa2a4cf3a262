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
	// its Timeout, if any, still applies.
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
// Values have their surrounding white space removed, a _FILE's content its
// trailing white space; setting both a variable and its _FILE is an error. The error names every missing or
// invalid variable, and never quotes a value. New checks the rest.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var errs []error
	required := func(name string) string {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			errs = append(errs, fmt.Errorf("notify: huaweicloud: %s is not set", name))
		}
		return v
	}
	cfg := Config{
		URL:            required(EnvURL),
		AppKey:         required(EnvAppKey),
		Sender:         required(EnvSender),
		TemplateID:     required(EnvTemplateID),
		Signature:      strings.TrimSpace(getenv(EnvSignature)),
		StatusCallback: strings.TrimSpace(getenv(EnvStatusCallback)),
	}
	secret, err := secretFromEnv(getenv, EnvAppSecret)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.AppSecret = secret
	if v := strings.TrimSpace(getenv(EnvTemplateIDs)); v != "" {
		ids, err := parseTemplateIDs(v)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.TemplateIDs = ids
	}
	if v := strings.TrimSpace(getenv(EnvCodeOnly)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: huaweicloud: %s is not true or false", EnvCodeOnly))
		}
		cfg.CodeOnly = b
	}
	return cfg, errors.Join(errs...)
}

// secretFromEnv reads name, or the file name_FILE names; not both.
func secretFromEnv(getenv func(string) string, name string) (string, error) {
	v, file := strings.TrimSpace(getenv(name)), getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		return "", fmt.Errorf("notify: huaweicloud: both %s and %s_FILE are set", name, name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is the operator's, not a secret; the error never
			// holds the content.
			return "", fmt.Errorf("notify: huaweicloud: %s_FILE: %w", name, err)
		}
		s := strings.TrimRightFunc(string(b), unicode.IsSpace)
		if s == "" {
			return "", fmt.Errorf("notify: huaweicloud: the file %s_FILE names is empty", name)
		}
		return s, nil
	case v == "":
		return "", fmt.Errorf("notify: huaweicloud: %s (or %s_FILE) is not set", name, name)
	}
	return v, nil
}

// parseTemplateIDs parses "zh-CN=id1,en-US=id2". Errors name the entry by
// position and the language, never the template id.
func parseTemplateIDs(v string) (map[string]string, error) {
	ids := map[string]string{}
	for i, entry := range strings.Split(v, ",") {
		lang, id, ok := strings.Cut(strings.TrimSpace(entry), "=")
		lang, id = strings.TrimSpace(lang), strings.TrimSpace(id)
		if !ok || lang == "" || id == "" {
			return nil, fmt.Errorf("notify: huaweicloud: %s entry %d is not language=template", EnvTemplateIDs, i+1)
		}
		if _, dup := ids[lang]; dup {
			return nil, fmt.Errorf("notify: huaweicloud: %s names %q twice", EnvTemplateIDs, lang)
		}
		ids[lang] = id
	}
	return ids, nil
}

// validate checks cfg and returns the send URL and the language table.
func (cfg *Config) validate() (endpoint string, tags []language.Tag, ids []string, err error) {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("notify: huaweicloud: "+format, args...))
	}
	endpoint, err = sendURL(cfg.URL)
	if err != nil {
		errs = append(errs, err)
	}
	switch {
	case cfg.AppKey == "":
		fail("AppKey is empty")
	case !headerSafe(cfg.AppKey):
		// It goes inside a quoted header parameter.
		fail("AppKey has a quote, a backslash, a comma or a control character")
	}
	if cfg.AppSecret == "" {
		fail("AppSecret is empty")
	}
	if n := len([]rune(cfg.Sender)); n < 1 || n > 21 || !printable(cfg.Sender) {
		fail("Sender must be 1 to 21 printable characters (the channel number)")
	}
	if !validTemplateID(cfg.TemplateID) {
		fail("TemplateID must be 1 to 32 printable characters")
	}
	langs := make([]string, 0, len(cfg.TemplateIDs))
	for lang := range cfg.TemplateIDs {
		langs = append(langs, lang)
	}
	slices.Sort(langs) // the matcher's order, for deterministic ties
	for _, lang := range langs {
		tag, err := language.Parse(lang)
		if err != nil || tag == language.Und {
			fail("TemplateIDs: %q is not a language tag", lang)
			continue
		}
		if !validTemplateID(cfg.TemplateIDs[lang]) {
			fail("TemplateIDs: the template of %s must be 1 to 32 printable characters", lang)
			continue
		}
		tags = append(tags, tag)
		ids = append(ids, cfg.TemplateIDs[lang])
	}
	if !printable(cfg.Signature) {
		fail("Signature has a control character")
	}
	if cfg.StatusCallback != "" {
		u, err := url.Parse(cfg.StatusCallback)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fail("StatusCallback is not an absolute http or https URL")
		}
	}
	if cfg.Timeout < 0 {
		fail("Timeout %v is negative", cfg.Timeout)
	}
	return endpoint, tags, ids, errors.Join(errs...)
}

// sendURL checks the access address and appends the API's path.
func sendURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", errors.New("notify: huaweicloud: URL is not an absolute URL (the access address, such as https://smsapi.cn-north-4.myhuaweicloud.com:443)")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(raw, "#") {
		return "", errors.New("notify: huaweicloud: URL may not have user information, a query or a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", errors.New("notify: huaweicloud: URL port is not 1 to 65535")
		}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return "", fmt.Errorf("notify: huaweicloud: URL must be https (http only on loopback), got %s://", u.Scheme)
	}
	path := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(path, sendPath) {
		return "", fmt.Errorf("notify: huaweicloud: URL is the access address alone: %s is appended to it", sendPath)
	}
	u.Path = path + sendPath
	u.RawPath = ""
	return u.String(), nil
}

func validTemplateID(id string) bool {
	n := len([]rune(id))
	return n >= 1 && n <= 32 && printable(id)
}

// printable reports whether s has no control character.
func printable(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsControl)
}

// headerSafe reports whether s can stand inside a quoted X-WSSE parameter.
func headerSafe(s string) bool {
	return printable(s) && !strings.ContainsAny(s, "\"\\,")
}
