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
	// ErrCountryMismatch means a number does not belong to the region of
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
	// Value is the normalised form: E.164 for phones ("+8613612345678").
	// For emails it is the exact address mail is delivered to, and so what
	// rate limits are keyed by, what a code is bound to and what goes into
	// SMTP RCPT TO: local-part@domain, in lower case, where the local part
	// is a dot-atom of ASCII atext without '%' or '!' (at most 64 octets)
	// and the domain a hostname in its ASCII (IDNA) form. It holds no
	// quote, backslash, space, control character, bracket or second '@',
	// and Parse(Value, "") returns the same Contact.
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
// with a "+" (or "00") is international; one without is national and read
// in the region of country, or of DefaultCountry when country is empty. A
// country, when given, binds the number to its region either way: the
// number must belong to that region (phonenumbers' region for it, or a
// region whose numbering plan it is valid in, where regions share ranges),
// so that "usa" takes no Bahamas or Jamaica number (+1242, +1876),
// "russia" no Kazakhstan one (+77), and no country a non-geographic number
// (+881, +870...: region "001"); otherwise ErrCountryMismatch. Without a
// country an international number is taken as it is: so are numbers of the
// regions Huawei's table does not list (such as Barbados, Iceland or
// Jersey), which no country names. Only numbers that phonenumbers
// considers valid mobile numbers (or, where a plan cannot tell them apart,
// fixed-line-or-mobile) are accepted.
//
// An email address is accepted only in a form that a mail server delivers
// to a mailbox at the domain it shows, and no other. Surrounding white
// space is trimmed; the rest must be local-part "@" domain, where:
//
//   - the local part is an RFC 5322 dot-atom of ASCII letters, digits and
//     #$&'*+-/=?^_`{|}~, with no leading, trailing or doubled dot, at most 64
//     octets. Quoted local parts are rejected: they spell one mailbox many
//     ways ("a"@x, "\a"@x, a@x), can hide an address ("a@evil"@x) and carry
//     spaces and angle brackets that inject ESMTP parameters into RCPT TO.
//     '%' and '!' are rejected although atext, because Postfix routes
//     a%evil@x and evil!a@x to the host evil. Non-ASCII is rejected, as
//     net/smtp does not speak SMTPUTF8;
//   - the domain is a host name, never a literal such as [1.2.3.4] or
//     [IPv6:...]: after IDNA ToASCII (Lookup profile), at least two labels
//     of letters, digits and hyphens, each of 1 to 63 octets, not starting
//     or ending with a hyphen, the last not all digits.
//
// The whole normalised address is at most 254 octets and must also pass
// go-playground/validator's "email" rule. The Value is the address in lower
// case with the ASCII domain; see Contact.Value. Sub-addresses such as
// a+tag@x are accepted and stay distinct values.
//
// The errors are ErrInvalid, ErrUnknownCountry and ErrCountryMismatch. An
// unknown country is reported even for an email address, so that a client
// learns of its mistake whatever the contact.
func Parse(raw, country string) (Contact, error) {
	return ParseIn(raw, country, DefaultCountry)
}

// ParseIn is Parse with another default country than chinaPR: a national
// number (no "+" or "00") given without a country is read in the region of
// defaultCountry, a Huawei country value. An international number without
// a country is still taken as it is, and an explicit country still wins.
// An unknown defaultCountry gives ErrUnknownCountry for such numbers.
func ParseIn(raw, country, defaultCountry string) (Contact, error) {
	return parseIn(raw, country, defaultCountry, fastReader)
}

// numberReader is what parsePhone asks of phonenumbers: fastReader in
// use, and libraryReader, phonenumbers itself, in the tests that hold the
// two to one answer.
type numberReader struct {
	// parse is phonenumbers.Parse.
	parse func(number, region string) (*phonenumbers.PhoneNumber, error)
	// typeAndRegion is phonenumbers.GetNumberType and
	// GetRegionCodeForNumber.
	typeAndRegion func(*phonenumbers.PhoneNumber) (phonenumbers.PhoneNumberType, string)
}

var fastReader = numberReader{parseNumber, typeAndRegion}

// parseIn is ParseIn with the phonenumbers functions to use.
func parseIn(raw, country, defaultCountry string, read numberReader) (Contact, error) {
	// A country longer than the published 255 characters is not in the
	// table either, so one lookup answers both rules.
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
	return parsePhone(raw, ctry, defaultCountry, read)
}

func parsePhone(raw string, ctry *Country, defaultCountry string, read numberReader) (Contact, error) {
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
			var ok bool
			if c, ok = countryByName[defaultCountry]; !ok {
				return Contact{}, ErrUnknownCountry
			}
		}
		region = c.Region
	}
	num, err := read.parse(digits, region)
	if err != nil {
		return Contact{}, ErrInvalid
	}
	typ, numRegion := read.typeAndRegion(num)
	switch typ {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return Contact{}, ErrInvalid
	}
	c := Contact{
		Kind:        Phone,
		Value:       phonenumbers.Format(num, phonenumbers.E164),
		Region:      numRegion,
		CallingCode: int(num.GetCountryCode()),
	}
	// A country names a region, and binds the number to it, whether the
	// number came international or national: "usa" is not the rest of
	// +1, nor "russia" Kazakhstan's +7. The number belongs to the region
	// phonenumbers gives it or, where regions share ranges (Saint Martin's
	// mobiles are Guadeloupe's too), to one whose plan it is valid in.
	if ctry != nil && c.Region != ctry.Region && !phonenumbers.IsValidNumberForRegion(num, ctry.Region) {
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
		case isSeparator(r):
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

// isSeparator reports whether r is one of the separators people type in
// a phone number, which foldPhone drops.
func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', '.', '(', ')', '\u3000', '－', '（', '）', '\u00a0':
		return true
	}
	return false
}

// validate is the process-wide validator: one instance, nothing registered
// after init, as the library requires for concurrent use.
var validate = validator.New()

// maxLocalLength is the longest local part SMTP must carry (RFC 5321
// section 4.5.3.1.1), and maxLabelLength the longest DNS label.
const (
	maxLocalLength = 64
	maxLabelLength = 63
)

// parseEmail reads an address as Parse documents it. Its own checks are
// the authority: the local part must be a dot-atom without '%' or '!', and
// the domain, once in its ASCII form, a hostname. The validator's "email"
// rule is asked too, on the normalised address, and can only reject more.
func parseEmail(raw string) (Contact, error) {
	s := strings.TrimSpace(raw)
	at := strings.IndexByte(s, '@')
	if at < 0 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return Contact{}, ErrInvalid
	}
	local, domain := s[:at], s[at+1:]
	if !isDotAtom(local) || domain == "" || domain[0] == '[' {
		return Contact{}, ErrInvalid
	}
	domain, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return Contact{}, ErrInvalid
	}
	domain = strings.ToLower(domain)
	if !isHostname(domain) {
		return Contact{}, ErrInvalid
	}
	addr := strings.ToLower(local) + "@" + domain
	if len(addr) > maxEmailLength || validate.Var(addr, "required,email") != nil {
		return Contact{}, ErrInvalid
	}
	return Contact{Kind: Email, Value: addr}, nil
}

// isDotAtom reports whether local is a dot-atom of RFC 5322 atext other
// than '%' and '!', at most maxLocalLength octets: ASCII letters, digits
// and #$&'*+-/=?^_`{|}~ with single dots between runs of them. Quotes,
// backslashes, spaces, control characters, non-ASCII and all other
// specials are not atext.
func isDotAtom(local string) bool {
	if local == "" || len(local) > maxLocalLength {
		return false
	}
	dot := true // the previous byte was a dot, or there was none
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c == '.' {
			if dot {
				return false
			}
			dot = true
			continue
		}
		if !isAtext(c) {
			return false
		}
		dot = false
	}
	return !dot
}

// isAtext reports whether c is RFC 5322 atext other than '%' and '!',
// which Postfix (allow_percent_hack, swap_bangpath) reads as routing to
// another host.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("#$&'*+-/=?^_`{|}~", c) >= 0
}

// isHostname reports whether domain, in its lower-case ASCII form, is a
// host name of at least two labels, each of 1 to maxLabelLength letters,
// digits and hyphens, neither starting nor ending with a hyphen, and the
// last not all digits (so that no address names an IPv4 host).
func isHostname(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelLength || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return strings.Trim(labels[len(labels)-1], "0123456789") != ""
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
