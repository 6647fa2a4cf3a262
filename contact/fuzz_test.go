package contact

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// FuzzParse: Parse never panics, fails only with its documented errors, and
// what it accepts is normalised: parsing the normalised value again gives
// the same contact, and the masked form hides at least four digits of a
// number and at least one character of an email's local part. An accepted
// email is a dot-atom at a hostname: its Value has no quote, '%', '!',
// backslash, space or '[', and no second '@'. A number accepted with a
// country belongs to that country's region.
func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"+8613612345678", ""}, {"13612345678", "chinaPR"}, {"(415) 555-2671", "usa"},
		{"＋８６１３６１２３４５６７８", ""}, {"008613612345678", ""}, {"Alice@Example.COM", ""},
		{"user@bücher.example", ""}, {"+1 876 210 1234", "jamaica"}, {"", ""}, {"@", ""},
		{"+86136\x0012345678", ""}, {"\xff\xfe", "chinaPR"}, {"+8613612345678", "CHINAPR"},
		// Forms an MTA may route elsewhere than the domain shown; all rejected.
		{`"attacker@evil.example"@victim.example`, ""}, {"attacker%evil.example@victim.example", ""},
		{"evil.example!attacker@victim.example", ""}, {`"a> NOTIFY=SUCCESS"@x.com`, ""},
		{`"\a"@x.com`, ""}, {"user@[1.2.3.4]", ""}, {"user@[IPv6:2001:db8::1]", ""},
		{"a..b@x.com", ""}, {"first.last+tag@example.com", ""}, {"user@例え.jp", ""},
		// Numbers of another region than their country's.
		{"+12423571234", "usa"}, {"+77011234567", "russia"}, {"+881631234567", "usa"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		c, err := Parse(raw, country)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnknownCountry) && !errors.Is(err, ErrCountryMismatch) {
				t.Fatalf("Parse(%q, %q): undocumented error %v", raw, country, err)
			}
			return
		}
		if c.Value == "" || !utf8.ValidString(c.Value) || c.Kind == 0 {
			t.Fatalf("Parse(%q, %q) = %#v", raw, country, c)
		}
		again, err := Parse(c.Value, "")
		if err != nil || again != c {
			t.Fatalf("normalised %q does not parse to itself: %#v, %v", c.Value, again, err)
		}
		if c.Kind == Phone && country != "" {
			// The country binds the number to its region.
			want := countryByName[country].Region
			num, _ := phonenumbers.Parse(c.Value, "")
			if c.Region != want && !phonenumbers.IsValidNumberForRegion(num, want) {
				t.Fatalf("Parse(%q, %q) = a number of region %s", raw, country, c.Region)
			}
		}
		if err := checkMasked(c); err != nil {
			t.Fatal(err)
		}
		if c.Kind == Email {
			if strings.ContainsAny(c.Value, "\"%!\\ [") || !isDotAtom(c.Value[:strings.IndexByte(c.Value, '@')]) {
				t.Fatalf("Parse(%q, %q) accepted a routing or quoted form: %q", raw, country, c.Value)
			}
			if strings.IndexFunc(c.Value, func(r rune) bool { return r <= ' ' || r >= 0x7f }) >= 0 ||
				c.Value != strings.ToLower(c.Value) || strings.Count(c.Value, "@") != 1 {
				t.Fatalf("Parse(%q, %q) = %q, not one printable ASCII lower-case mailbox", raw, country, c.Value)
			}
		}
	})
}
