package contact

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse: Parse never panics, fails only with its documented errors, and
// what it accepts is normalised: parsing the normalised value again gives
// the same contact, and the masked form hides at least four digits of a
// number and at least one character of an email's local part.
func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"+8613612345678", ""}, {"13612345678", "chinaPR"}, {"(415) 555-2671", "usa"},
		{"＋８６１３６１２３４５６７８", ""}, {"008613612345678", ""}, {"Alice@Example.COM", ""},
		{"user@bücher.example", ""}, {"+1 876 210 1234", "jamaica"}, {"", ""}, {"@", ""},
		{"+86136\x0012345678", ""}, {"\xff\xfe", "chinaPR"}, {"+8613612345678", "CHINAPR"},
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
		if err := checkMasked(c); err != nil {
			t.Fatal(err)
		}
	})
}
