package twilio

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/vcodekit/vcode/verifier"
)

// APIError is an answer of Twilio's refusing a message: an error answer
// (https://www.twilio.com/docs/usage/twilios-response, "Exceptions"), or
// a message created with status "failed". Notify returns it wrapped with
// verifier.Undelivered for a 4xx or a failed message, as it is for a 5xx,
// which may have been taken; errors.As finds it.
type APIError struct {
	// Status is the HTTP status: 4xx for a refusal, 201 for a failed
	// message.
	Status int
	// Code is Twilio's error code, such as 21211 (invalid To number);
	// zero when the answer had none. The dictionary is at
	// https://www.twilio.com/docs/api/errors.
	Code int
	// Message is Twilio's description, with the recipient's number and
	// the code masked (Twilio quotes the number: "The 'To' number
	// +86136... is not a valid phone number.").
	Message string
	// MoreInfo is the link to the code's documentation.
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

// phoneLike is a number in E.164 or close to it, which a provider's text
// may quote in a form other than the one sent.
var phoneLike = regexp.MustCompile(`\+[0-9][0-9 ]{5,18}[0-9]`)

// maxText bounds the provider's text quoted in an error.
const maxText = 300

// scrub makes a provider's text fit for an error: the recipient's number
// masked, the code removed, and the length bounded.
func scrub(s string, m verifier.Message) string {
	if m.To != "" {
		s = strings.ReplaceAll(s, m.To, mask(m.To))
		if d := strings.TrimPrefix(m.To, "+"); d != m.To && len(d) >= 6 {
			s = strings.ReplaceAll(s, d, mask(d))
		}
	}
	if m.Code != "" {
		s = strings.ReplaceAll(s, m.Code, "<code>")
	}
	s = phoneLike.ReplaceAllStringFunc(s, mask)
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

// mask keeps a number's first three and last two characters: enough to
// tell countries and numbers apart in a log, not to dial.
func mask(s string) string {
	r := []rune(s)
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-5) + string(r[len(r)-2:])
}
