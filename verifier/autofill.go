package verifier

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/vcodekit/vcode/i18n"
)

// appHashLength is the length of an Android SMS Retriever app hash.
const appHashLength = 11

// autofill is what WithSMSAutofill configured.
type autofill struct {
	domain  string // lower case; "" when only a hash
	appHash string // "" when only a domain
}

// WithSMSAutofill makes every SMS end with a line that phones read to fill
// the code in by themselves, in every language and with every template of
// the catalog (the line is appended to the rendered text, so a host's own
// templates get it too):
//
//   - domain, when not empty, gives the origin-bound one-time code line
//     "@example.com #123456" (https://wicg.github.io/sms-one-time-codes/),
//     which Safari on iOS and macOS offers to fill into an
//     autocomplete="one-time-code" field of that site, and Chrome's WebOTP
//     API (navigator.credentials.get({otp: ...})) hands to it. It is the
//     site's host name as the browser sees it ("example.com",
//     "login.example.com"), ASCII (an IDN in its xn-- form), without
//     scheme, port or path; upper case is taken as lower case.
//   - appHash, when not empty, is the Android SMS Retriever API's
//     11-character hash of the app's package and signing key (made with
//     the app's AppSignatureHelper or keytool, see
//     https://developers.google.com/identity/sms-retriever/verify), which
//     lets that app read the message without a permission. It follows the
//     code on the same last line ("@example.com #123456 FA+9qCX9VSu"; the
//     origin-bound format ignores what follows the code), or makes the last
//     line alone without a domain.
//
// At least one is needed; New refuses a domain that is not a host name and
// a hash that is not 11 characters of the base64 alphabet.
//
// One SMS segment holds 160 GSM-7 characters (those of the GSM alphabet's
// extension, such as "[", "]" and "€", count twice) or 70 UTF-16 units
// when any character is outside it, as every Chinese text is. The line
// costs its length twice over the code: New renders every language's SMS
// at its longest (the configured code length, validity and brand) with
// the line, and refuses a configuration in which one would not fit one
// segment, saying by how much. With the built-in texts, the default
// 6-digit codes valid one minute and "example.com", the zh-CN SMS leaves
// room for a brand of 16 characters without a hash and of 4 with one
// (without the line it fits one segment with any brand, a 10-digit code
// and 10 minutes, exactly: 70 units); the en-US SMS for the
// longest brand, 32 letters, either way. A 10-digit code leaves the zh-CN
// text no room for both. The brand, the domain or the code length is what
// to shorten; a language of the catalog that no user reads is another.
//
// A notifier that sends Message.Text (notify's webhook and writer, the
// Twilio and SNS modules) delivers the line; one that fills a provider's
// template (notify/huaweicloud) does not, and the template must carry it.
func WithSMSAutofill(domain, appHash string) Option {
	return func(o *options) { o.autofill = &[2]string{domain, appHash} }
}

func newAutofill(domain, appHash string) (*autofill, error) {
	if domain == "" && appHash == "" {
		return nil, errors.New("verifier: WithSMSAutofill needs a domain, an app hash or both")
	}
	a := &autofill{domain: strings.ToLower(domain), appHash: appHash}
	if domain != "" && !validHost(a.domain) {
		return nil, fmt.Errorf("verifier: WithSMSAutofill: %q is not a host name such as \"example.com\" (ASCII labels of letters, digits and inner hyphens, at least two, no scheme, port, path or trailing dot)", domain)
	}
	if appHash != "" && !validAppHash(appHash) {
		return nil, fmt.Errorf("verifier: WithSMSAutofill: app hash %q is not %d characters of the base64 alphabet (A-Z, a-z, 0-9, + and /)", appHash, appHashLength)
	}
	return a, nil
}

// validHost: a DNS host name of at least two labels, each 1 to 63
// letters, digits and hyphens, not starting or ending with a hyphen, at
// most 253 characters in all, whose last label is not all digits (an
// IPv4 address is no origin for this).
func validHost(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.ContainsFunc(labels[len(labels)-1], func(r rune) bool { return r < '0' || r > '9' })
}

// validAppHash: 11 characters of the standard base64 alphabet, which the
// hash is (the first 11 of a base64 SHA-256, without padding).
func validAppHash(s string) bool {
	if len(s) != appHashLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// appendTo returns text with the autofill line for code as its last line.
func (a *autofill) appendTo(text, code string) string {
	var b strings.Builder
	b.Grow(len(text) + len(a.domain) + len(code) + len(a.appHash) + 5)
	b.WriteString(strings.TrimRight(text, "\r\n"))
	b.WriteByte('\n')
	if a.domain != "" {
		b.WriteByte('@')
		b.WriteString(a.domain)
		b.WriteString(" #")
		b.WriteString(code)
		if a.appHash != "" {
			b.WriteByte(' ')
		}
	}
	b.WriteString(a.appHash)
	return b.String()
}

// check renders every language's SMS at its longest with the line and
// reports the first that would not fit one segment.
func (a *autofill) check(cat *i18n.Catalog, brand string, codeLength int, validity time.Duration) error {
	code := strings.Repeat("9", codeLength)
	d := i18n.Data{Code: code, Validity: validity, Brand: brand}
	for _, lang := range cat.Languages() {
		text := a.appendTo(cat.SMS(lang, d), code)
		if n, limit := smsLength(text); n > limit {
			return fmt.Errorf("verifier: WithSMSAutofill: the %v SMS would be %d characters at its longest (a %d-digit code, brand %q), over the %d of one segment: shorten the brand, the domain or the code by %d", lang, n, codeLength, brand, limit, n-limit)
		}
	}
	return nil
}

// The capacity of one SMS segment.
const (
	gsm7Segment = 160 // septets of the GSM 7-bit default alphabet
	ucs2Segment = 70  // UTF-16 units
)

// smsLength returns the length of s as an SMS counts it, and the length
// of one segment in that encoding: septets of the GSM 7-bit default
// alphabet (3GPP TS 23.038), a character of its extension table costing
// two, when every character is in one of them; else UTF-16 units (UCS-2,
// a character outside the Basic Multilingual Plane costing two).
func smsLength(s string) (n, segment int) {
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Extension, r):
			n += 2
		default:
			return len(utf16.Encode([]rune(s))), ucs2Segment
		}
	}
	return n, gsm7Segment
}

// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038,
// 6.2.1), without the escape to the extension.
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extension = "\f^{}\\[~]|€"
)
