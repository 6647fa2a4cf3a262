package contact

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// show renders an optional protobuf field, telling unset from zero.
func show[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// describe renders every field of a parsed number, or the error, so that
// two parses compare as one string.
func describe(n *phonenumbers.PhoneNumber, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("cc=%s nn=%s ext=%s italian=%s zeros=%s raw=%s source=%s carrier=%s",
		show(n.CountryCode), show(n.NationalNumber), show(n.Extension), show(n.ItalianLeadingZero),
		show(n.NumberOfLeadingZeros), show(n.RawInput), show(n.CountryCodeSource),
		show(n.PreferredDomesticCarrierCode))
}

// libraryReader is phonenumbers itself, as parsePhone asked it before
// parseDigits and typeAndRegion.
var libraryReader = numberReader{phonenumbers.Parse, libraryTypeAndRegion}

func libraryTypeAndRegion(num *phonenumbers.PhoneNumber) (phonenumbers.PhoneNumberType, string) {
	return phonenumbers.GetNumberType(num), phonenumbers.GetRegionCodeForNumber(num)
}

// checkType fails t unless typeAndRegion answers num as phonenumbers
// does, through the plans.
func checkType(t testing.TB, num *phonenumbers.PhoneNumber) {
	t.Helper()
	typ, region, ok := fastTypeAndRegion(num)
	if !ok {
		t.Fatalf("fastTypeAndRegion(%s) took no fast path", describe(num, nil))
	}
	if wantTyp, wantRegion := libraryTypeAndRegion(num); typ != wantTyp || region != wantRegion {
		t.Fatalf("typeAndRegion(%s) = %v, %q; phonenumbers: %v, %q", describe(num, nil), typ, region, wantTyp, wantRegion)
	}
}

// checkDigits fails t unless parseDigits answers number in region as
// phonenumbers.Parse does, through the fast path.
func checkDigits(t testing.TB, number, region string) {
	t.Helper()
	fast, fastErr := parseDigits(number, region)
	if fastErr == errNoFastPath {
		t.Fatalf("parseDigits(%q, %q) took no fast path", number, region)
	}
	full, fullErr := phonenumbers.Parse(number, region)
	if got, want := describe(fast, fastErr), describe(full, fullErr); got != want {
		t.Fatalf("parseDigits(%q, %q) = %s; phonenumbers.Parse = %s", number, region, got, want)
	}
	if fastErr == nil {
		checkType(t, full)
	}
}

// TestNumberTypeMatchesPhonenumbers holds typeAndRegion to phonenumbers
// on the example number of every type of every region and non-geographic
// calling code, on each with its last digit changed, and on numbers of
// every calling code (the shared ones' regions told apart by leading
// digits or by type).
func TestNumberTypeMatchesPhonenumbers(t *testing.T) {
	var nums []*phonenumbers.PhoneNumber
	for r := range phonenumbers.GetSupportedRegions() {
		for typ := phonenumbers.FIXED_LINE; typ <= phonenumbers.VOICEMAIL; typ++ {
			nums = append(nums, phonenumbers.GetExampleNumberForType(r, typ))
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		nums = append(nums, phonenumbers.GetExampleNumberForNonGeoEntity(cc))
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		for _, nn := range []uint64{2015550123, 7400123456, 612345678, 5, 0} {
			code := int32(cc)
			nums = append(nums, &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &nn})
		}
	}
	code, unknown := int32(999), uint64(12345678)
	nums = append(nums, &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &unknown})
	checked := 0
	for _, n := range nums {
		if n == nil {
			continue
		}
		checkType(t, n)
		cc, nn := n.GetCountryCode(), n.GetNationalNumber()/10*10+(n.GetNationalNumber()+1)%10
		checkType(t, &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn,
			ItalianLeadingZero: n.ItalianLeadingZero, NumberOfLeadingZeros: n.NumberOfLeadingZeros})
		checked++
	}
	if checked < 1000 {
		t.Fatalf("only %d example numbers", checked)
	}
}

// exampleNationals returns, per region and non-geographic calling code,
// the calling code and the national significant numbers of phonenumbers'
// example numbers of the given types.
func exampleNationals(types ...phonenumbers.PhoneNumberType) map[string][]string {
	out := map[string][]string{}
	add := func(key string, n *phonenumbers.PhoneNumber) {
		if n != nil {
			out[key] = append(out[key], strconv.Itoa(int(n.GetCountryCode())), phonenumbers.GetNationalSignificantNumber(n))
		}
	}
	for r := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			add(r, phonenumbers.GetExampleNumberForType(r, typ))
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		add("001/"+strconv.Itoa(cc), phonenumbers.GetExampleNumberForNonGeoEntity(cc))
	}
	return out
}

// digitForms are the digit strings parsePhone can hand the parser for a
// number of calling code cc, national significant number nsn and national
// prefix ndd: with and without the calling code, national prefix and
// international prefixes, too short, too long, with a leading zero, and
// every truncation of the international form.
func digitForms(cc, nsn, ndd string) []string {
	bodies := []string{nsn, ndd + nsn, cc + nsn, cc + ndd + nsn, "0" + nsn, "00" + nsn,
		nsn[:len(nsn)-1], nsn + "0", nsn + "123", cc + nsn + "9", cc + "0" + nsn}
	var out []string
	for _, b := range bodies {
		out = append(out, b, "+"+b, "00"+b, "011"+b, "810"+b, "0011"+b)
	}
	for i := 1; i <= len(cc+nsn); i++ {
		out = append(out, (cc + nsn)[:i], "+"+(cc + nsn)[:i])
	}
	return out
}

// raceStride: under the race detector, the differential tests try one
// case in raceStride, as each phonenumbers.Parse is many times slower.
const raceStride = 10

// sampled reports whether case i is tried: all are without the race
// detector.
func sampled(i int) bool { return !raceEnabled || i%raceStride == 0 }

// otherRegions are regions tried beside a number's own and none: ones
// with unusual international or national prefixes, and invalid ones.
var otherRegions = []string{"US", "CN", "GB", "RU", "IT", "AR", "BR", "MX", "KZ", "AU", "DE", "JP", "001", "ZZ", "xx"}

// TestParseDigitsMatchesPhonenumbers holds the fast path to
// phonenumbers.Parse on the example numbers of every region and
// non-geographic calling code, in every digit form parsePhone can give,
// read in the number's own region, in none, and in another.
func TestParseDigitsMatchesPhonenumbers(t *testing.T) {
	if plans() == nil {
		t.Fatal("the metadata tables could not be built: the fast path is off")
	}
	examples := exampleNationals(phonenumbers.MOBILE, phonenumbers.FIXED_LINE)
	keys := make([]string, 0, len(examples))
	for k := range examples {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[[2]string]bool{}
	i := 0
	for _, key := range keys {
		region, _, _ := strings.Cut(key, "/")
		nums := examples[key]
		for j := 0; j+1 < len(nums); j += 2 {
			for _, number := range digitForms(nums[j], nums[j+1], phonenumbers.GetNddPrefixForRegion(region, true)) {
				i++
				for _, r := range []string{"", region, otherRegions[i%len(otherRegions)]} {
					if p := [2]string{number, r}; !seen[p] {
						seen[p] = true
						if sampled(len(seen)) {
							checkDigits(t, number, r)
						}
					}
				}
			}
		}
	}
	t.Logf("%d cases", len(seen))
	if len(seen) < 10000 {
		t.Fatalf("only %d cases", len(seen))
	}
}

// TestParseDigitsEdges covers inputs no example number gives: the
// shortest, the longest, all zeros, Italian leading zeros, and numbers
// longer than phonenumbers takes.
func TestParseDigitsEdges(t *testing.T) {
	numbers := []string{"0", "1", "12", "123", "+1", "+12", "+123", "+1234", "00", "000", "0000000",
		"+000", "+0123456789", "0039061234567", "+390612345678", "+39000000000", "+3900", "+39001",
		"+800123456789", "+8001234", "+979123456789", "+882123456789", "+999123456789",
		"+21234567890", "+12345678901234567", "+123456789012345678901",
		strings.Repeat("1", 250), strings.Repeat("1", 251), "+" + strings.Repeat("1", 250)}
	for _, number := range numbers {
		for _, r := range append([]string{"", "IT", "SM", "VA"}, otherRegions...) {
			checkDigits(t, number, r)
		}
	}
	// Not digits: parseNumber leaves it to phonenumbers.
	for _, number := range []string{"", "+", "++1234", "1+234", "123 456", "１２３４", "123x4"} {
		if _, err := parseDigits(number, "CN"); err != errNoFastPath {
			t.Errorf("parseDigits(%q) = %v, want errNoFastPath", number, err)
		}
		num, err := parseNumber(number, "CN")
		full, fullErr := phonenumbers.Parse(number, "CN")
		if got, want := describe(num, err), describe(full, fullErr); got != want {
			t.Errorf("parseNumber(%q) = %s, phonenumbers.Parse = %s", number, got, want)
		}
	}
}

// checkContact fails t unless ParseIn answers as it does with
// phonenumbers itself, the code before parseDigits and typeAndRegion.
func checkContact(t testing.TB, raw, country, defaultCountry string) {
	t.Helper()
	got, gotErr := parseIn(raw, country, defaultCountry, fastReader)
	want, wantErr := parseIn(raw, country, defaultCountry, libraryReader)
	if got != want || gotErr != wantErr {
		t.Fatalf("ParseIn(%q, %q, %q) = %#v, %v; with phonenumbers itself %#v, %v",
			raw, country, defaultCountry, got, gotErr, want, wantErr)
	}
}

// fullWidth writes the ASCII digits and plus of s in their full-width
// forms.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return '０' + r - '0'
		case r == '+':
			return '＋'
		}
		return r
	}, s)
}

// rawForms are what people type for a mobile number of calling code cc,
// national significant number nsn and national prefix ndd: valid, too
// short, too long, with the trunk prefix, with "00", separated, in
// full-width digits, and with extensions (which parsePhone refuses).
func rawForms(cc, nsn, ndd string) []string {
	spaced := nsn[:len(nsn)/2] + " " + nsn[len(nsn)/2:]
	return []string{
		"+" + cc + nsn, nsn, ndd + nsn, "00" + cc + nsn, "+" + cc + ndd + nsn, cc + nsn,
		"+" + cc + nsn[:len(nsn)-1], "+" + cc + nsn + "1", nsn[:len(nsn)-1], nsn + "12",
		"+" + cc + " " + spaced, "(" + ndd + nsn[:2] + ") " + nsn[2:], "+" + cc + "-" + strings.ReplaceAll(spaced, " ", "-"),
		"+" + cc + "." + spaced, fullWidth("+" + cc + nsn), fullWidth(nsn), "００" + fullWidth(cc+nsn),
		"+" + cc + nsn + " x123", "+" + cc + nsn + " ext. 12", "+" + cc + nsn + "#", "+" + cc + nsn + ";ext=1",
		"+" + cc + nsn + ",,12", "+" + cc + nsn + ",1", "+" + cc + nsn + " extension 7", "tel:+" + cc + nsn,
		"+" + cc + strings.ToUpper("abc") + nsn, "0" + nsn, "+0" + cc + nsn,
	}
}

// TestParseMatchesFullParse holds Parse to what it answered with
// phonenumbers.Parse, for every Huawei country: its mobile and fixed-line
// example numbers in every form rawForms gives, with the country, without
// one, with another (the wrong region) and with the country as default.
func TestParseMatchesFullParse(t *testing.T) {
	countries := Countries()
	if len(countries) != 169 {
		t.Fatalf("%d countries, want 169", len(countries))
	}
	for i, c := range countries {
		other := countries[(i+1)%len(countries)].Name
		cc := strings.TrimPrefix(c.DialingCode, "+")
		var nsns []string
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE} {
			if n := phonenumbers.GetExampleNumberForType(c.Region, typ); n != nil {
				nsns = append(nsns, phonenumbers.GetNationalSignificantNumber(n))
			}
		}
		if len(nsns) == 0 {
			t.Fatalf("%s: no example numbers", c.Name)
		}
		for _, nsn := range nsns {
			// A NANP territory's dialing code holds its area code.
			if full := strconv.Itoa(phonenumbers.GetCountryCodeForRegion(c.Region)) + nsn; strings.HasPrefix(full, cc) {
				nsn = full[len(cc):]
			}
			for k, raw := range rawForms(cc, nsn, phonenumbers.GetNddPrefixForRegion(c.Region, true)) {
				if !sampled(i + k) {
					continue
				}
				checkContact(t, raw, c.Name, DefaultCountry)
				checkContact(t, raw, "", DefaultCountry)
				checkContact(t, raw, other, DefaultCountry)
				checkContact(t, raw, "", c.Name)
			}
		}
	}
}

// FuzzParseDigits holds the fast path to phonenumbers.Parse on arbitrary
// input: raw's ASCII digits, with and without a plus, read in region
// (which may be any string, or a Huawei country's region), must parse to
// the same number or the same error; and ParseIn must answer raw as it
// does with phonenumbers.Parse, with region as the country and as the
// default country.
func FuzzParseDigits(f *testing.F) {
	for _, seed := range [][2]string{
		{"8613612345678", "CN"}, {"13612345678", "chinaPR"}, {"4155552671", "US"}, {"011447400123456", "US"},
		{"0039061234567", "IT"}, {"3906123456", ""}, {"80012345678", "RU"}, {"8800123456", "KZ"},
		{"01112345678", "AR"}, {"0215199999999", "BR"}, {"0447400123456", "GB"}, {"80012345678", "001"},
		{"+44 7400 123456 x12", "UK"}, {"(415) 555-2671", "usa"}, {"１３６１２３４５６７８", ""}, {"0", "ZZ"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		var b strings.Builder
		for i := 0; i < len(raw) && b.Len() < 20; i++ {
			if c := raw[i]; c >= '0' && c <= '9' {
				b.WriteByte(c)
			}
		}
		if d := b.String(); d != "" {
			regions := []string{region}
			if c, ok := countryByName[region]; ok {
				regions = append(regions, c.Region)
			}
			for _, r := range regions {
				checkDigits(t, d, r)
				checkDigits(t, "+"+d, r)
			}
		}
		checkContact(t, raw, region, DefaultCountry)
		checkContact(t, raw, "", region)
	})
}

// TestPlanFallsBack: metadata whose patterns Go's regexp rejects, or
// whose descriptions are missing, turns the fast path off for that plan
// (parseNumber then asks phonenumbers) rather than answering otherwise.
func TestPlanFallsBack(t *testing.T) {
	bad, good := "(", `\d{4,9}`
	md := &phonenumbers.PhoneMetadata{InternationalPrefix: &bad,
		GeneralDesc: &phonenumbers.PhoneNumberDesc{NationalNumberPattern: &good, PossibleLength: []int32{4, 9}}}
	p, err := newPlan(md)
	if err != nil {
		t.Fatal(err)
	}
	if p.ready() || usable(p) {
		t.Error("a plan with an international prefix of \"(\" is ready")
	}
	if p.typesOf() != nil {
		t.Error("a plan without its type descriptions has type patterns")
	}
	if !usable(nil) {
		t.Error("no metadata is not usable, as phonenumbers reads it")
	}
	if _, err := newPlan(&phonenumbers.PhoneMetadata{GeneralDesc: &phonenumbers.PhoneNumberDesc{}}); err == nil {
		t.Error("a plan without possible lengths was built")
	}
}

// TestPhonenumbersVersion: parseDigits and typeAndRegion are
// phonenumbers v1.8.1's parseHelper, GetNumberType and
// GetRegionCodeForNumber step for step. Another version may parse
// otherwise in ways the differential tests do not reach: re-read those
// functions against fastparse.go and numbertype.go, then update this.
func TestPhonenumbersVersion(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/nyaruka/phonenumbers" {
			if f[1] != "v1.8.1" {
				t.Fatalf("phonenumbers %s: re-read parseHelper, GetNumberType and GetRegionCodeForNumber against contact's copies", f[1])
			}
			return
		}
	}
	t.Fatal("go.mod requires no phonenumbers")
}

// TestFastPathOnlyWithItsPhonenumbers: the copied steps run only in a
// program linked with the release they were copied from. A host whose
// go.mod selects another phonenumbers (or replaces it by a directory)
// parses through phonenumbers.Parse, whatever upstream changed.
func TestFastPathOnlyWithItsPhonenumbers(t *testing.T) {
	// A test binary lists no dependencies: go.mod's version stands for
	// it, which TestPhonenumbersVersion checks.
	if got := linkedPhonenumbers(); got != copiedFrom && got != "" {
		t.Fatalf("this test binary is linked with phonenumbers %q, want %s", got, copiedFrom)
	}
	for _, version := range []string{"v1.8.0", "v1.8.2", "v1.9.0", "v2.0.0", "(devel)", "(replaced)"} {
		if plansFor(version) != nil {
			t.Errorf("phonenumbers %q: the fast path is on", version)
		}
	}
	for _, version := range []string{copiedFrom, ""} {
		if plansFor(version) == nil {
			t.Errorf("phonenumbers %q: the fast path is off", version)
		}
	}
}
