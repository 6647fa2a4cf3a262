package contact

import (
	"errors"
	"testing"
)

// TestCountryBindsNumber: a country names a region, and the number must
// belong to it, international or national: the region phonenumbers gives
// the number, or one whose plan the number is valid in (Saint Martin's
// mobiles share their ranges with Guadeloupe's). Without a country an
// international number is taken as it is.
func TestCountryBindsNumber(t *testing.T) {
	for _, tt := range []struct {
		raw, country string
		region       string // "" for ErrCountryMismatch
	}{
		// The NANP: +1 is the USA's, Canada's and the Caribbean's.
		{"+12423571234", "usa", ""},
		{"+12423571234", "bahamas", "BS"},
		{"+12423571234", "", "BS"},
		{"2423571234", "usa", ""}, // national, read in the US: still the Bahamas
		{"+18765550123", "usa", ""},
		{"+18765550123", "jamaica", "JM"},
		{"+15062345678", "usa", ""},
		{"+15062345678", "canada", "CA"},
		{"+12015550123", "usa", "US"},
		{"+12015550123", "canada", ""},
		{"(201) 555-0123", "usa", "US"},
		// +7 is Russia's and Kazakhstan's.
		{"+77011234567", "russia", ""},
		{"7011234567", "russia", ""},
		{"+77011234567", "kazakhstan", "KZ"},
		{"+79123456789", "russia", "RU"},
		{"+79123456789", "kazakhstan", ""},
		// +44: Jersey is a region of its own, not the UK.
		{"+447797712345", "UK", ""},
		{"+447400123456", "UK", "GB"},
		// Ranges shared between regions: valid in the named one.
		{"+590690001234", "saintMartin", "GP"},
		// Non-geographic numbers belong to no country.
		{"+881631234567", "usa", ""},
		{"+870773111632", "chinaPR", ""},
		{"+881631234567", "", "001"},
		// Plainly elsewhere.
		{"+8613612345678", "usa", ""},
		{"+8613612345678", "chinaPR", "CN"},
		{"13612345678", "", "CN"},
	} {
		c, err := Parse(tt.raw, tt.country)
		switch {
		case tt.region == "" && !errors.Is(err, ErrCountryMismatch):
			t.Errorf("Parse(%q, %q) = %+v, %v; want ErrCountryMismatch", tt.raw, tt.country, c, err)
		case tt.region != "" && (err != nil || c.Region != tt.region):
			t.Errorf("Parse(%q, %q) = %+v, %v; want region %s", tt.raw, tt.country, c, err, tt.region)
		}
	}
}
