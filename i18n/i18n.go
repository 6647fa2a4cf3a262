// Package i18n holds vcode's texts: the error messages of the HTTP API and the
// texts of the SMS and email that carry a code, in zh-CN and en-US out of the
// box, and in whatever languages and wording a host adds.
//
// A Catalog is an immutable set of languages, one of them the default. Start
// from Default (zh-CN, the default, and en-US) and derive your own with
// Catalog.With, which adds or replaces a language's Texts, and
// Catalog.WithDefault, which picks the default language:
//
//	ja := i18n.Texts{SMS: sms, EmailSubject: subject, EmailBody: body, Errors: errs}
//	cat, err := i18n.Default().With(language.Japanese, ja)
//	if err == nil {
//		cat, err = cat.WithDefault(language.Japanese)
//	}
//
// Message texts are Templates, functions of Data (the code, its validity, the
// host's brand and the request's purpose); ParseTemplate builds one from a
// text/template source, and Builtin gives the built-in texts to start from.
// A host brands the built-in texts by passing Data.Brand.
//
// The built-in texts live in an x/text catalog.Builder of this package's own
// (never the x/text global catalog, which a host application may use for
// itself), with x/text plural rules for the English minutes, and one
// message.Printer per language built once at start. Every catalog formats its
// error messages once, when it is built, not per request: an attack is
// answered with error after error. Language negotiation uses a
// language.Matcher over the catalog's tags and takes the supported tag by
// index, as the x/text documentation advises; the common Accept-Language
// values are answered from a table without allocating.
package i18n

import (
	"errors"
	"strings"
	"text/template"
	"time"

	"golang.org/x/text/language"
)

// The language tags of the built-in texts, for call sites such as
// cat.Error(i18n.EnUS, i18n.WrongCode). They are plain values: the package
// itself never reads them back, so reassigning them changes nothing here.
var (
	// ZhCN is the tag zh-CN, Simplified Chinese as used in mainland China,
	// the default language of Default.
	ZhCN = language.MustParse("zh-CN")
	// EnUS is the tag en-US, American English.
	EnUS = language.MustParse("en-US")
)

// zhCN and enUS are the package's own copies of ZhCN and EnUS.
var (
	zhCN = language.MustParse("zh-CN")
	enUS = language.MustParse("en-US")
)

// Key names an error message of the HTTP API.
type Key string

// The error messages, one per row of the API's error table, and two
// variants of NotAllowed's row: EmailOnly and PhoneOnly answer a contact of
// the other kind on an endpoint that takes one (httpmw.WithChannels).
// CrossOrigin answers a browser's request from another origin, which
// httpmw refuses before it looks at the request's credentials.
const (
	BadRequest      Key = "bad_request"
	InvalidContact  Key = "invalid_contact"
	InvalidCountry  Key = "invalid_country"
	InvalidCode     Key = "invalid_code"
	WrongCode       Key = "wrong_code"
	TooManyAttempts Key = "too_many_attempts"
	TooFrequent     Key = "too_frequent"
	NotAllowed      Key = "not_allowed"
	Unauthorized    Key = "unauthorized"
	Forbidden       Key = "forbidden"
	Internal        Key = "internal"
	EmailOnly       Key = "email_only"
	PhoneOnly       Key = "phone_only"
	CrossOrigin     Key = "cross_origin"
)

// Keys returns every error-message key: a language's Texts.Errors must have a
// message for each of them, and for no other key.
func Keys() []Key {
	return []Key{BadRequest, InvalidContact, InvalidCountry, InvalidCode, WrongCode,
		TooManyAttempts, TooFrequent, NotAllowed, Unauthorized, Forbidden, Internal,
		EmailOnly, PhoneOnly, CrossOrigin}
}

// Data is what a message template sees.
//
// Minutes is derived from Validity: the Catalog methods that render a text
// (and the built-in templates) set it from Validity when it is below 1, so a
// caller may fill in Validity alone. Templates insert Brand and Purpose
// verbatim: a caller that takes Purpose from a request should restrict it to
// known values.
type Data struct {
	Code     string        // the code, e.g. "753927"
	Minutes  int           // validity in whole minutes, rounded DOWN, at least 1
	Validity time.Duration // the exact validity
	Brand    string        // the host's brand or app name ("" when none)
	Purpose  string        // the request's purpose ("" when none), e.g. "login"
}

// withMinutes returns d with Minutes set from Validity when it is below 1.
// The validity is rounded down, to at least one minute: telling a user
// "2 minutes" for a code that dies after 90 s would break a promise.
func (d Data) withMinutes() Data {
	if d.Minutes < 1 {
		d.Minutes = max(int(d.Validity/time.Minute), 1)
	}
	return d
}

// Template renders one text. It must be safe for concurrent use, as a
// Catalog shares it between requests.
type Template func(Data) string

// ParseTemplate compiles a text/template source over Data (fields .Code,
// .Minutes, .Validity, .Brand, .Purpose) into a Template, for plain text: no
// HTML escaping is done.
//
// Besides a syntax error, ParseTemplate reports a template that fails to
// execute on sample Data, such as one naming a field Data does not have. The
// Template returns "" when an execution fails all the same (a template that
// fails only for some Data, say one calling a method on a nil value): it has
// no way to report an error, and Catalog.With refuses a text that renders
// without the code.
//
// Pluralisation is the template's own: for example
// {{.Minutes}} {{if eq .Minutes 1}}minute{{else}}minutes{{end}}.
func ParseTemplate(src string) (Template, error) {
	t, err := template.New("i18n").Parse(src)
	if err != nil {
		return nil, errors.New("i18n: " + err.Error())
	}
	for _, d := range probes {
		if err := t.Execute(new(strings.Builder), d); err != nil {
			return nil, errors.New("i18n: " + err.Error())
		}
	}
	return func(d Data) string {
		var b strings.Builder
		if err := t.Execute(&b, d); err != nil {
			return ""
		}
		return b.String()
	}, nil
}

// Texts are one language's texts.
//
// SMS is the text message that carries a code, EmailSubject and EmailBody the
// subject and plain-text body of the email that does. SMS and EmailBody must
// render Data.Code; EmailSubject need not (the built-in subjects do not), but
// must render one non-empty line.
type Texts struct {
	SMS, EmailSubject, EmailBody Template
	Errors                       map[Key]string // the error messages, one per Key in Keys()
}

// clone returns t with a copy of its Errors, so that neither the caller's
// later changes reach a catalog nor a catalog's map reaches the caller.
func (t Texts) clone() Texts {
	errs := make(map[Key]string, len(t.Errors))
	for k, m := range t.Errors {
		errs[k] = m
	}
	t.Errors = errs
	return t
}
