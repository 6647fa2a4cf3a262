package contact

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/idna"
)

// MaxLength is the longest raw contact accepted, in characters, as in the
// published API.
const MaxLength = 255

// maxEmailLength is the longest address SMTP can carry (RFC 5321 path limit
// less the angle brackets).
const maxEmailLength = 254

// Errors returned by Parse, checkable with errors.Is.
var (
	// ErrInvalid means the contact is empty, too long, or neither a valid
	// mobile number nor a valid email address.
	ErrInvalid = errors.New("contact: invalid contact")
	// ErrUnknownCountry means the country is not a Huawei country value.
	ErrUnknownCountry = errors.New("contact: unknown country")
	// ErrCountryMismatch means an international number does not belong to
	// the explicitly given country.
	ErrCountryMismatch = errors.New("contact: number does not match country")
)

// Kind tells a phone number from an email address.
type Kind uint8

// The kinds of contact.
const (
	Phone Kind = iota + 1
	Email
)

// String returns "phone" or "email".
func (k Kind) String() string {
	switch k {
	case Phone:
		return "phone"
	case Email:
		return "email"
	}
	return "unknown"
}

// Contact is a parsed, normalised destination. Its String method masks it,
// so a Contact that reaches a log line by accident shows no personal data.
type Contact struct {
	// Kind is Phone or Email.
	Kind Kind
	// Value is the normalised form: E.164 for phones ("+8613612345678"),
	// lower-case with an ASCII (IDNA) domain for emails.
	Value string
	// Region is the ISO 3166 region of a phone number ("CN"); empty for
	// emails.
	Region string
	// CallingCode is the country calling code of a phone number (86); zero
	// for emails.
	CallingCode int
}

// String returns the masked form, as Masked does.
func (c Contact) String() string { return c.Masked() }

// Masked returns a form safe for logs: "+86136****5678" for phones,
// "a***@example.com" for emails. At least four digits of a number are
// hidden, and at least one character of an email's local part: a local part
// of a single character is hidden entirely ("***@example.com").
func (c Contact) Masked() string {
	switch c.Kind {
	case Phone:
		return maskPhone(c.Value, c.CallingCode)
	case Email:
		return maskEmail(c.Value)
	}
	return ""
}

// Parse reads a raw contact and the optional Huawei country value.
//
// A raw value containing "@" is an email address; anything else is a phone
// number. Phone numbers may contain spaces, dashes, dots and parentheses,
// full-width digits and plus sign, and the "00" international prefix. A number
// with a "+" (or "00") is international: if country is given too, the number
// must start with that country's dialing code or belong to its region. A
// number without one is national and read in the region of country, or of
// DefaultCountry when country is empty. Only numbers that phonenumbers
// considers valid mobile numbers (or, where a plan cannot tell them apart,
// fixed-line-or-mobile) are accepted.
//
// The errors are ErrInvalid, ErrUnknownCountry and ErrCountryMismatch. An
// unknown country is reported even for an email address, so that a client
// learns of its mistake whatever the contact.
func Parse(raw, country string) (Contact, error) {
	// A country over MaxCountryLength is not in the table either, so one
	// lookup answers both rules.
	var ctry *Country
	if country != "" {
		var ok bool
		if ctry, ok = countryByName[country]; !ok {
			return Contact{}, ErrUnknownCountry
		}
	}
	if raw == "" || len(raw) > MaxLength*utf8.UTFMax || !utf8.ValidString(raw) ||
		utf8.RuneCountInString(raw) > MaxLength {
		return Contact{}, ErrInvalid
	}
	if strings.IndexByte(raw, '@') >= 0 {
		return parseEmail(raw)
	}
	return parsePhone(raw, ctry)
}

func parsePhone(raw string, ctry *Country) (Contact, error) {
	digits, international, ok := foldPhone(raw)
	if !ok {
		return Contact{}, ErrInvalid
	}
	region := ""
	if international {
		digits = "+" + digits
	} else {
		c := ctry
		if c == nil {
			c = countryByName[DefaultCountry]
		}
		region = c.Region
	}
	num, err := phonenumbers.Parse(digits, region)
	if err != nil {
		return Contact{}, ErrInvalid
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return Contact{}, ErrInvalid
	}
	c := Contact{
		Kind:        Phone,
		Value:       phonenumbers.Format(num, phonenumbers.E164),
		Region:      phonenumbers.GetRegionCodeForNumber(num),
		CallingCode: int(num.GetCountryCode()),
	}
	if international && ctry != nil &&
		!strings.HasPrefix(c.Value, ctry.DialingCode) && c.Region != ctry.Region {
		return Contact{}, ErrCountryMismatch
	}
	return c, nil
}

// foldPhone reduces a raw number to its digits, folding full-width forms and
// dropping the separators people type. It reports whether the number was
// international ("+" or "00" prefix) and whether anything else was found.
func foldPhone(raw string) (digits string, international, ok bool) {
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte(r))
		case r >= '０' && r <= '９':
			b.WriteByte(byte('0' + r - '０'))
		case r == '+' || r == '＋':
			// Only a leading plus, before any digit.
			if b.Len() > 0 || international {
				return "", false, false
			}
			international = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' ||
			r == '\u3000' || r == '－' || r == '（' || r == '）' || r == '\u00a0':
		default:
			return "", false, false
		}
	}
	digits = b.String()
	if !international && strings.HasPrefix(digits, "00") {
		digits, international = digits[2:], true
	}
	if digits == "" || len(digits) > 17 {
		return "", false, false
	}
	return digits, international, true
}

// validate is the process-wide validator: one instance, nothing registered
// after init, as the library requires for concurrent use.
var validate = validator.New()

func parseEmail(raw string) (Contact, error) {
	s := strings.TrimSpace(raw)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return Contact{}, ErrInvalid
	}
	domain, err := idna.Lookup.ToASCII(s[at+1:])
	if err != nil {
		return Contact{}, ErrInvalid
	}
	addr := strings.ToLower(s[:at]) + "@" + strings.ToLower(domain)
	if len(addr) > maxEmailLength || validate.Var(addr, "required,email") != nil {
		return Contact{}, ErrInvalid
	}
	return Contact{Kind: Email, Value: addr}, nil
}

func maskPhone(e164 string, callingCode int) string {
	// Hide four digits. Of the rest, keep up to four at the end and, at the
	// front, "+" with the calling code and up to three digits of the
	// national number: "+86136****5678". A short number keeps less at each
	// end so that four digits stay hidden: "+6****02" for "+6834002".
	const hidden = 4
	digits := len(e164) - 1
	visible := digits - hidden
	if visible <= 0 {
		return "+****"
	}
	tail := min(4, (visible+1)/2)
	head := min(digitCount(callingCode)+3, visible-tail)
	return e164[:1+head] + "****" + e164[len(e164)-tail:]
}

func maskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "***"
	}
	_, size := utf8.DecodeRuneInString(addr)
	if size == at {
		// Showing the first character would show the whole local part.
		return "***" + addr[at:]
	}
	return addr[:size] + "***" + addr[at:]
}

func digitCount(n int) int {
	c := 1
	for n >= 10 {
		n /= 10
		c++
	}
	return c
}
