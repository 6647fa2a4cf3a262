package twilio

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/vcodekit/vcode/delivery"
)

// APIError is an error answer of Twilio's
// (https://www.twilio.com/docs/usage/twilios-response, "Exceptions"), or a
// message created with status "failed"; errors.As finds it in Notify's
// error. Whether the message left depends on the status, as the package
// documentation's table says: for a 3xx or 4xx refusal and for a failed
// message (201), Notify wraps the APIError with delivery.Undelivered, the
// message certainly not sent; for a 5xx it returns the APIError alone,
// not Undelivered, since Twilio may have created the message before
// failing. A 4xx refusing the number
// itself (21211, 21614) matches delivery.ErrInvalidRecipient too.
type APIError struct {
	// Status is the HTTP status: 3xx or 4xx for a refusal, 201 for a
	// failed message, 5xx for a server error (the message may have been
	// created).
	Status int
	// Code is Twilio's error code, such as 21211 (invalid To number);
	// zero when the answer had none. The dictionary is at
	// https://www.twilio.com/docs/api/errors.
	Code int
	// Message is Twilio's description, scrubbed: any credential and
	// phone number redacted, the recipient's number masked and the code
	// removed (Twilio quotes the number: "The 'To' number +86136... is
	// not a valid phone number."; a proxy may echo anything).
	Message string
	// MoreInfo is the link to the code's documentation, scrubbed as
	// Message is.
	MoreInfo string
	// SID is the message's SID (SM...) when Twilio created the message
	// and reported it failed; empty for an error answer.
	SID string
}

// Error says what Twilio answered: "notify: twilio: HTTP 400, error
// 21211: ... (https://www.twilio.com/docs/errors/21211)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("notify: twilio: ")
	if e.SID != "" {
		fmt.Fprintf(&b, "message %s failed", e.SID)
	} else {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, ", error %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.MoreInfo != "" {
		fmt.Fprintf(&b, " (%s)", e.MoreInfo)
	}
	return b.String()
}

// invalidNumberCodes are Twilio's refusals of the To number itself: 21211
// "Invalid 'To' Phone Number" and 21614 "'To' number is not a valid mobile
// number" (a landline, or no number at all), both answered 400
// (https://www.twilio.com/docs/api/errors/21211, .../21614). The user
// typed a number that cannot take an SMS: theirs to fix.
var invalidNumberCodes = map[int]bool{21211: true, 21614: true}

// Is reports whether target is delivery.ErrInvalidRecipient and e is
// Twilio's refusal of the number itself (errors 21211 and 21614, answered
// 4xx), so that the verifier answers it as the user's invalid contact
// rather than a failure. Every other refusal (21408 region not enabled,
// 21610 unsubscribed, 20003 authentication, 20429 throttled) is not.
func (e *APIError) Is(target error) bool {
	return target == delivery.ErrInvalidRecipient && e.Status >= 400 && e.Status < 500 && invalidNumberCodes[e.Code]
}

// maxText bounds the provider's text quoted in an error.
const maxText = 300

// newCredential keeps what a request authenticates with, and how to find
// it in a text: the password (case aside), and the Authorization header's
// value, base64 of "user:password", in the encodings a proxy or server
// could echo it in (standard as sent, unpadded, URL-safe, URL-escaped).
// The header's scheme stays: "Basic [redacted]".
func newCredential(user, password string) *credential {
	plain := []byte(user + ":" + password)
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b := enc.EncodeToString(plain)
		forms = append(forms, b, url.QueryEscape(b))
	}
	// Longest first: the regexp prefers the first alternative that
	// matches, and an unpadded form is a prefix of the padded one.
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	forms = slices.Compact(forms)
	var alts []string
	for _, f := range forms {
		alts = append(alts, regexp.QuoteMeta(f))
	}
	alts = append(alts, "(?i:"+regexp.QuoteMeta(password)+")")
	return &credential{username: user, password: password, redact: regexp.MustCompile(strings.Join(alts, "|"))}
}

// scrub makes a provider's text fit for an error.
func (n *Notifier) scrub(s string, m delivery.Message) string { return scrub(s, m, n.cred().redact) }

// scrub makes a provider's text fit for an error, with secrets finding
// the credential's forms:
//
//   - the credential, in any form secrets finds: "[redacted]";
//   - the recipient's number in E.164, with or without its +: masked
//     (mask), so that a log still tells numbers apart;
//   - the recipient's national number, in digits or formatted: "[redacted]";
//   - any other run of 7 or more digits, separators (spaces, '-', '.',
//     parentheses) between them or not, a leading + or not:
//     "[redacted]". Twilio's SIDs (two letters and 32 hex digits), IPv4
//     addresses and dates (2010-04-01) are kept, as are shorter runs,
//     such as Twilio's error codes (21211);
//   - the code: "<code>";
//
// then control characters become spaces and the length is bounded.
func scrub(s string, m delivery.Message, secrets *regexp.Regexp) string {
	if secrets != nil {
		s = secrets.ReplaceAllString(s, redactedText)
	}
	if m.To != "" {
		s = strings.ReplaceAll(s, m.To, mask(m.To))
		if d := strings.TrimPrefix(m.To, "+"); d != m.To && len(d) >= 6 {
			s = strings.ReplaceAll(s, d, mask(d))
		}
	}
	s = scrubNumbers(s)
	if m.To != "" {
		// What scrubNumbers left of the national number: a short one.
		if num, err := phonenumbers.Parse(m.To, "ZZ"); err == nil {
			for _, v := range []string{phonenumbers.Format(num, phonenumbers.NATIONAL), phonenumbers.GetNationalSignificantNumber(num)} {
				s = replaceNumber(s, v)
			}
		}
	}
	if m.Code != "" {
		s = strings.ReplaceAll(s, m.Code, "<code>")
	}
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > maxText {
		s = string([]rune(s)[:maxText]) + "..."
	}
	return strings.TrimSpace(s)
}

// redactedText replaces what scrub removes.
const redactedText = "[redacted]"

var (
	// numberLike is a run of digits with up to three separators between
	// each two, and a leading + or not: "+86-136-1234-5678", "136 1234
	// 5678", "415) 555-2671" (an opening parenthesis is left, to keep
	// the text's parentheses paired).
	numberLike = regexp.MustCompile(`\+?[0-9](?:[ ().-]{0,3}[0-9])*`)
	// sid is a Twilio SID, which keeps its digits.
	sid = regexp.MustCompile(`\b[A-Z]{2}[0-9a-fA-F]{32}\b`)
	// date is an ISO date, such as the API's version.
	date = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// scrubNumbers redacts the runs of 7 or more digits in s but in its SIDs,
// IPv4 addresses and dates.
func scrubNumbers(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range append(sid.FindAllStringIndex(s, -1), []int{len(s), len(s)}) {
		b.WriteString(numberLike.ReplaceAllStringFunc(s[last:loc[0]], func(v string) string {
			digits := 0
			for _, r := range v {
				if '0' <= r && r <= '9' {
					digits++
				}
			}
			if digits < 7 || date.MatchString(v) {
				return v
			}
			if ip := net.ParseIP(v); ip != nil && ip.To4() != nil {
				return v
			}
			return redactedText
		}))
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	return b.String()
}

// replaceNumber redacts v in s where no digit is on either side of it,
// so that a short national number (some have 4 digits) leaves the longer
// numbers that contain its digits, such as error codes, alone.
func replaceNumber(s, v string) string {
	if len(v) < 4 {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, v)
		if i < 0 {
			break
		}
		j := i + len(v)
		if (i > 0 && isDigit(s[i-1])) || (j < len(s) && isDigit(s[j])) {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(redactedText)
		s = s[j:]
	}
	b.WriteString(s)
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// mask keeps a number's first three and last two characters: enough to
// tell countries and numbers apart in a log, not to dial.
func mask(s string) string {
	r := []rune(s)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}
