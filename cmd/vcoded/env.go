package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/twilio"
)

// The SMS providers' environment variables. The libraries take values
// only; these names are vcoded's (the TWILIO_* and AWS_* ones follow the
// names Twilio's and AWS's own tools use). Each secret may instead come
// from the file NAME_FILE names.
const (
	envTwilioAccountSID          = "TWILIO_ACCOUNT_SID"
	envTwilioAuthToken           = "TWILIO_AUTH_TOKEN" // or _FILE
	envTwilioAPIKey              = "TWILIO_API_KEY"
	envTwilioAPISecret           = "TWILIO_API_SECRET" // or _FILE
	envTwilioFrom                = "VCODE_TWILIO_FROM"
	envTwilioMessagingServiceSID = "VCODE_TWILIO_MESSAGING_SERVICE_SID"
	envTwilioAPIURL              = "VCODE_TWILIO_API_URL"

	envHuaweiURL            = "VCODE_HUAWEI_SMS_URL"
	envHuaweiAppKey         = "VCODE_HUAWEI_SMS_APP_KEY"
	envHuaweiAppSecret      = "VCODE_HUAWEI_SMS_APP_SECRET" // or _FILE
	envHuaweiSender         = "VCODE_HUAWEI_SMS_SENDER"
	envHuaweiTemplateID     = "VCODE_HUAWEI_SMS_TEMPLATE_ID"
	envHuaweiTemplateIDs    = "VCODE_HUAWEI_SMS_TEMPLATE_IDS"
	envHuaweiSignature      = "VCODE_HUAWEI_SMS_SIGNATURE"
	envHuaweiStatusCallback = "VCODE_HUAWEI_SMS_STATUS_CALLBACK"
	envHuaweiCodeOnly       = "VCODE_HUAWEI_SMS_CODE_ONLY"

	envAWSRegion            = "AWS_REGION"
	envAWSAccessKeyID       = "AWS_ACCESS_KEY_ID"     // or _FILE
	envAWSSecretAccessKey   = "AWS_SECRET_ACCESS_KEY" // or _FILE
	envAWSSessionToken      = "AWS_SESSION_TOKEN"     // or _FILE
	envAWSProfile           = "AWS_PROFILE"
	envSNSSenderID          = "VCODE_SNS_SENDER_ID"
	envSNSOriginationNumber = "VCODE_SNS_ORIGINATION_NUMBER"
	envSNSEndpoint          = "VCODE_SNS_ENDPOINT"
)

// smsEnvHelp lists every variable of the providers, for -help.
var smsEnvHelp = []struct{ provider, vars string }{
	{"twilio", envTwilioAccountSID + ", " + envTwilioAuthToken + "[_FILE] or " + envTwilioAPIKey + " with " + envTwilioAPISecret + "[_FILE], " +
		envTwilioFrom + " or " + envTwilioMessagingServiceSID + ", " + envTwilioAPIURL},
	{"huaweicloud", envHuaweiURL + ", " + envHuaweiAppKey + ", " + envHuaweiAppSecret + "[_FILE], " + envHuaweiSender + ", " +
		envHuaweiTemplateID + ", " + envHuaweiTemplateIDs + " (zh-CN=id1,en-US=id2), " + envHuaweiSignature + ", " +
		envHuaweiStatusCallback + ", " + envHuaweiCodeOnly + " (true or false)"},
	{"sns", envAWSRegion + ", " + envAWSAccessKeyID + "[_FILE] with " + envAWSSecretAccessKey + "[_FILE] and " + envAWSSessionToken +
		"[_FILE] (else the AWS SDK's credential chain), " + envAWSProfile + ", " + envSNSSenderID + ", " + envSNSOriginationNumber + ", " + envSNSEndpoint},
}

// envReader reads one provider's variables. Every value, a _FILE's path and
// the content of the file it names are trimmed of white space at both
// ends. It collects every problem, each naming its variable and never
// quoting a value, and which variables they were about, so that the
// provider's own checks (New's, renamed) do not report them twice.
type envReader struct {
	getenv func(string) string
	prefix string // "notify: twilio: ", as the library's errors start
	errs   []error
	failed map[string]bool
}

func newEnvReader(getenv func(string) string, provider string) *envReader {
	return &envReader{getenv: getenv, prefix: "notify: " + provider + ": ", failed: map[string]bool{}}
}

// fail records a problem with the variables names (the first one named
// in the text).
func (r *envReader) fail(names []string, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(r.prefix+format, args...))
	for _, n := range names {
		r.failed[n] = true
	}
}

// get returns name's value; an empty one is a problem when required.
func (r *envReader) get(name string, required bool) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" && required {
		r.fail([]string{name}, "%s is not set", name)
	}
	return v
}

// secret returns name's value, or the content of the file name_FILE
// names; giving both is a problem, and so is an unset one when required.
// shown is how errors about the value name it: "the file NAME_FILE names"
// when it came from there, else "NAME (or NAME_FILE)".
func (r *envReader) secret(name string, required bool) (value, shown string) {
	v, file := strings.TrimSpace(r.getenv(name)), strings.TrimSpace(r.getenv(name+"_FILE"))
	both := []string{name, name + "_FILE"}
	shown = name + " (or " + name + "_FILE)"
	switch {
	case v != "" && file != "":
		r.fail(both, "%s and %s_FILE are both set: give one", name, name)
		return "", shown
	case file == "":
		if v == "" && required {
			r.fail(both, "%s is not set", shown)
		}
		return v, shown
	}
	shown = "the file " + name + "_FILE names"
	b, err := os.ReadFile(file)
	if err != nil {
		// An *fs.PathError: the operation, the path (the operator's, not
		// a secret) and the reason; never the content.
		r.fail(both, "%s_FILE: %w", name, err)
		return "", shown
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		r.fail(both, "%s_FILE: %s is empty", name, file)
	}
	return s, shown
}

// bare refuses white space and quotes anywhere in the (trimmed) value of
// name, which none of AWS's values hold: one is a pasting mistake.
func (r *envReader) bare(name, shown, v string) {
	switch {
	case strings.ContainsFunc(v, unicode.IsSpace):
		r.fail([]string{name}, "%s holds white space inside", shown)
	case strings.ContainsAny(v, "\"'`"):
		r.fail([]string{name}, "%s holds quotes: give the value without them", shown)
	}
}

// result is the provider's error: the reader's problems, then those New
// reported (newErr), renamed from the library's names (Account.SID,
// WithAPIURL...) to the variables, less those naming a variable already
// reported. Nil if there are none.
func (r *envReader) result(newErr error, names []string) error {
	errs := r.errs
	rename := strings.NewReplacer(names...)
	for _, e := range unjoin(newErr) {
		text := rename.Replace(e.Error())
		if !r.namesFailed(text) {
			errs = append(errs, errors.New(text))
		}
	}
	return errors.Join(errs...)
}

// namesFailed reports whether text names a variable already reported.
func (r *envReader) namesFailed(text string) bool {
	for name := range r.failed {
		if regexp.MustCompile(`\b` + name + `\b`).MatchString(text) {
			return true
		}
	}
	return false
}

// unjoin returns the errors errors.Join joined into err, or err alone.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// twilioEnv is what the environment gives package twilio.
type twilioEnv struct {
	Account twilio.Account
	APIURL  string
}

func readTwilio(r *envReader) (e twilioEnv, names []string) {
	var token, secret string
	e.Account = twilio.Account{
		SID:                 r.get(envTwilioAccountSID, false),
		APIKey:              r.get(envTwilioAPIKey, false),
		From:                r.get(envTwilioFrom, false),
		MessagingServiceSID: r.get(envTwilioMessagingServiceSID, false),
	}
	e.Account.AuthToken, token = r.secret(envTwilioAuthToken, false)
	e.Account.APISecret, secret = r.secret(envTwilioAPISecret, false)
	e.APIURL = r.get(envTwilioAPIURL, false)
	return e, []string{
		"Account.SID", envTwilioAccountSID, "Account.AuthToken", token,
		"Account.APIKey", envTwilioAPIKey, "Account.APISecret", secret,
		"Account.From", envTwilioFrom, "Account.MessagingServiceSID", envTwilioMessagingServiceSID,
		"WithAPIURL", envTwilioAPIURL,
	}
}

// twilioFromEnv reads -sms twilio's variables and builds its notifier:
// what it read, and the notifier or every problem.
func twilioFromEnv(getenv func(string) string) (twilioEnv, *twilio.Notifier, error) {
	r := newEnvReader(getenv, "twilio")
	e, names := readTwilio(r)
	n, err := twilio.New(e.Account, twilio.WithAPIURL(e.APIURL))
	if err := r.result(err, names); err != nil {
		if n != nil {
			n.Close()
		}
		return e, nil, err
	}
	return e, n, nil
}

// newTwilio builds -sms twilio from the environment.
func newTwilio(getenv func(string) string) (delivery.ChannelNotifier, error) {
	_, n, err := twilioFromEnv(getenv)
	if err != nil {
		return nil, err // not n: a nil *Notifier in an interface is not nil
	}
	return n, nil
}

// huaweiEnv is what the environment gives package huaweicloud.
type huaweiEnv struct {
	App                       huaweicloud.App
	TemplateIDs               map[string]string
	Signature, StatusCallback string
	CodeOnly                  bool
}

func (e huaweiEnv) options() []huaweicloud.Option {
	opts := []huaweicloud.Option{
		huaweicloud.WithTemplates(e.TemplateIDs),
		huaweicloud.WithSignature(e.Signature),
		huaweicloud.WithStatusCallback(e.StatusCallback),
	}
	if e.CodeOnly {
		opts = append(opts, huaweicloud.WithCodeOnly())
	}
	return opts
}

func readHuawei(r *envReader) (e huaweiEnv, names []string) {
	e.App = huaweicloud.App{
		URL:        r.get(envHuaweiURL, true),
		AppKey:     r.get(envHuaweiAppKey, true),
		Sender:     r.get(envHuaweiSender, true),
		TemplateID: r.get(envHuaweiTemplateID, true),
	}
	var secret string
	e.App.AppSecret, secret = r.secret(envHuaweiAppSecret, true)
	e.Signature = r.get(envHuaweiSignature, false)
	e.StatusCallback = r.get(envHuaweiStatusCallback, false)
	if v := r.get(envHuaweiTemplateIDs, false); v != "" {
		e.TemplateIDs = parseTemplateIDs(r, v)
	}
	if v := r.get(envHuaweiCodeOnly, false); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			r.fail([]string{envHuaweiCodeOnly}, "%s is not true or false", envHuaweiCodeOnly)
		}
		e.CodeOnly = b
	}
	return e, []string{
		"App.URL", envHuaweiURL, "App.AppKey", envHuaweiAppKey, "App.AppSecret", secret,
		"App.Sender", envHuaweiSender, "App.TemplateID", envHuaweiTemplateID,
		"WithTemplates", envHuaweiTemplateIDs, "WithSignature", envHuaweiSignature,
		"WithStatusCallback", envHuaweiStatusCallback,
	}
}

// parseTemplateIDs parses "zh-CN=id1,en-US=id2", checking each entry as
// huaweicloud.New would (and a language given twice). Errors name the
// entry by position, never its language or template.
func parseTemplateIDs(r *envReader, v string) map[string]string {
	if quoted(v) {
		r.fail([]string{envHuaweiTemplateIDs}, "%s is enclosed in quotes", envHuaweiTemplateIDs)
		return nil
	}
	ids := map[string]string{}
	seen := map[language.Tag]int{}
	for i, entry := range strings.Split(v, ",") {
		why := ""
		lang, id, ok := strings.Cut(strings.TrimSpace(entry), "=")
		lang, id = strings.TrimSpace(lang), strings.TrimSpace(id)
		tag, err := language.Parse(lang)
		switch {
		case !ok || lang == "" || id == "":
			why = "is not language=template"
		case err != nil || tag == language.Und:
			why = "does not start with a language tag"
		case badTemplateID(id):
			why = "has a template that must be 1 to 32 printable characters without white space or enclosing quotes"
		case seen[tag] != 0:
			why = fmt.Sprintf("repeats the language of entry %d", seen[tag])
		}
		if why != "" {
			r.fail([]string{envHuaweiTemplateIDs}, "%s entry %d %s", envHuaweiTemplateIDs, i+1, why)
			return nil
		}
		seen[tag] = i + 1
		ids[lang] = id
	}
	return ids
}

// badTemplateID is huaweicloud's rule for a template id: 1 to 32
// printable characters, no white space, no enclosing quotes.
func badTemplateID(id string) bool {
	n := len([]rune(id))
	return n < 1 || n > 32 || strings.ContainsFunc(id, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) || quoted(id)
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

// huaweiFromEnv reads -sms huaweicloud's variables and builds its
// notifier: what it read, and the notifier or every problem.
func huaweiFromEnv(getenv func(string) string) (huaweiEnv, *huaweicloud.Notifier, error) {
	r := newEnvReader(getenv, "huaweicloud")
	e, names := readHuawei(r)
	n, err := huaweicloud.New(e.App, e.options()...)
	if err := r.result(err, names); err != nil {
		if n != nil {
			n.Close()
		}
		return e, nil, err
	}
	return e, n, nil
}

// newHuawei builds -sms huaweicloud from the environment.
func newHuawei(getenv func(string) string) (delivery.ChannelNotifier, error) {
	_, n, err := huaweiFromEnv(getenv)
	if err != nil {
		return nil, err // not n: a nil *Notifier in an interface is not nil
	}
	return n, nil
}

// snsEnv is what the environment gives package sns. The values win over
// the process's own AWS_* variables, which the SDK also reads: they are
// handed to it explicitly.
type snsEnv struct {
	Region                                     string
	AccessKeyID, SecretAccessKey, SessionToken string
	Profile, SenderID, OriginationNumber       string
	Endpoint                                   string
}

func (e snsEnv) options() []sns.Option {
	return []sns.Option{
		sns.WithRegion(e.Region),
		sns.WithStaticCredentials(e.AccessKeyID, e.SecretAccessKey, e.SessionToken),
		sns.WithProfile(e.Profile),
		sns.WithSenderID(e.SenderID),
		sns.WithOriginationNumber(e.OriginationNumber),
		sns.WithEndpoint(e.Endpoint),
	}
}

func readSNS(r *envReader) (e snsEnv, names []string) {
	for _, f := range []struct {
		name string
		v    *string
	}{
		{envAWSRegion, &e.Region}, {envSNSSenderID, &e.SenderID},
		{envSNSOriginationNumber, &e.OriginationNumber}, {envSNSEndpoint, &e.Endpoint},
	} {
		*f.v = r.get(f.name, false)
		r.bare(f.name, f.name, *f.v)
	}
	// A profile's name may hold spaces; sns.New refuses quotes around it.
	e.Profile = r.get(envAWSProfile, false)
	shown := map[string]string{}
	for _, f := range []struct {
		name string
		v    *string
	}{
		{envAWSAccessKeyID, &e.AccessKeyID}, {envAWSSecretAccessKey, &e.SecretAccessKey}, {envAWSSessionToken, &e.SessionToken},
	} {
		*f.v, shown[f.name] = r.secret(f.name, false)
		r.bare(f.name, shown[f.name], *f.v)
	}
	return e, []string{
		"WithRegion", envAWSRegion, "WithProfile", envAWSProfile,
		"WithSenderID", envSNSSenderID, "WithOriginationNumber", envSNSOriginationNumber, "WithEndpoint", envSNSEndpoint,
		"WithStaticCredentials: give both the access key ID and the secret access key, or neither",
		"give both " + shown[envAWSAccessKeyID] + " and " + shown[envAWSSecretAccessKey] + ", or neither",
		"WithStaticCredentials: a session token needs an access key ID and a secret access key",
		shown[envAWSSessionToken] + " is set without " + shown[envAWSAccessKeyID] + " and " + shown[envAWSSecretAccessKey],
	}
}

// snsFromEnv reads -sms sns's variables and builds its notifier: what it
// read, and the notifier or every problem. Unlike the others, sns.New is
// not called once the environment has a problem: it loads AWS's
// configuration, which may reach the network.
func snsFromEnv(getenv func(string) string) (snsEnv, *sns.Notifier, error) {
	r := newEnvReader(getenv, "sns")
	e, names := readSNS(r)
	if len(r.errs) > 0 {
		return e, nil, r.result(nil, names)
	}
	n, err := sns.New(e.options()...)
	if err := r.result(err, names); err != nil {
		if n != nil {
			n.Close()
		}
		return e, nil, err
	}
	return e, n, nil
}

// newSNS builds -sms sns from the environment.
func newSNS(getenv func(string) string) (delivery.ChannelNotifier, error) {
	_, n, err := snsFromEnv(getenv)
	if err != nil {
		return nil, err // not n: a nil *Notifier in an interface is not nil
	}
	return n, nil
}
