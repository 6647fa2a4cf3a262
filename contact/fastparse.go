package contact

import (
	"errors"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// This file is phonenumbers.Parse (v1.8.1, parseHelper and the helpers it
// calls) for the only input parsePhone gives it: ASCII digits, after at most
// one leading '+'. On such input most of what Parse does cannot change its
// answer, yet costs most of its time: the search for an RFC 3966
// phone-context, the trimming of leading and trailing junk, the viability
// regular expression and, above all, the extension regular expression
// (maybeStripExtension), which every alternative of requires a character
// that is neither a digit nor a plus. What remains, and what is kept here
// step for step, is region-specific: the international dialling prefix, the
// country calling code, the region's own calling code typed without '+',
// the national prefix and the possible lengths. It reads the same metadata
// (phonenumbers.MetadataCollection) through the same regular expressions,
// built from the same pattern strings.
//
// TestParseDigitsMatchesPhonenumbers and FuzzParseDigits hold it to
// phonenumbers.Parse: the same PhoneNumber, or the same error, for every
// number and region they try. No answer depends on an earlier request:
// the tables hold metadata only, and each plan's regular expressions,
// compiled on its first use (the tables are some 0.4 ms to build, a
// plan's patterns some 0.2 ms to compile).

// errNoFastPath tells parseNumber to ask phonenumbers.Parse: the input is
// not digits after an optional '+', or the metadata tables could not be
// built (a pattern Go's regexp rejects, a plan without possible lengths).
var errNoFastPath = errors.New("contact: no fast path")

// parseNumber is phonenumbers.Parse(number, region), through parseDigits
// when it can answer.
func parseNumber(number, region string) (*phonenumbers.PhoneNumber, error) {
	num, err := parseDigits(number, region)
	if err == errNoFastPath {
		return phonenumbers.Parse(number, region)
	}
	return num, err
}

// plan is one region's (or non-geographic calling code's) metadata with
// the regular expressions phonenumbers compiles from it.
type plan struct {
	md          *phonenumbers.PhoneMetadata
	callingCode int
	ccPrefix    string         // the calling code in decimal
	idd         *regexp.Regexp // the international prefix, unanchored, as parsePrefixAsIdd searches it
	general     *regexp.Regexp // "^(?:" + general national number pattern + ")$"
	natPrefix   *regexp.Regexp // "^(?:" + national prefix for parsing + ")", nil if there is none
	transform   string         // the national prefix transform rule
	lengths     []int32        // the general description's possible lengths
	localOnly   []int32        // and its local-only lengths
	compiled    sync.Once      // idd, general and natPrefix, by ready
	compileErr  error
	types       typePatterns // for the number's type, compiled on first use
}

// planTable is phonenumbers' metadata container as parseHelper reads it.
type planTable struct {
	// regions holds every supported region; the value is nil where
	// phonenumbers has no metadata for it (getMetadataForRegion's nil).
	regions map[string]*plan
	// nonGeo holds the metadata of non-geographic calling codes ("001").
	nonGeo map[int]*plan
	// callingCodes is the set of calling codes phonenumbers knows, and
	// ccRegions their regions (the main one first).
	callingCodes map[int]bool
	ccRegions    map[int][]string
	// nonMatch is what phonenumbers searches for an international prefix
	// when there is no region: "NonMatch".
	nonMatch *regexp.Regexp
}

// copiedFrom is the phonenumbers release this file repeats. A program
// linked with any other (a host's go.mod may select a newer one) parses
// through phonenumbers.Parse itself: a change upstream would not be here.
const copiedFrom = "v1.8.1"

// linkedPhonenumbers is the version of phonenumbers the running program
// was built with, from its build information: "(replaced)" for a
// replacement by a directory, and "" when the program lists no
// dependencies (a go test binary lists only its main module; a build
// without module information none), which plans takes as this module's
// own go.mod's version (TestPhonenumbersVersion holds that to copiedFrom).
func linkedPhonenumbers() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, m := range info.Deps {
		if m.Path != "github.com/nyaruka/phonenumbers" {
			continue
		}
		if m.Replace != nil {
			if m.Replace.Version == "" {
				return "(replaced)"
			}
			return m.Replace.Version
		}
		return m.Version
	}
	return ""
}

// plans builds the tables on first use; nil means the fast path is off:
// the program is not linked with the phonenumbers it was copied from, or
// the metadata could not be read.
var plans = sync.OnceValue(func() *planTable {
	return plansFor(linkedPhonenumbers())
})

// plansFor is plans for a program linked with phonenumbers at version.
func plansFor(version string) *planTable {
	if version != copiedFrom && version != "" {
		return nil
	}
	t, err := buildPlans()
	if err != nil {
		return nil
	}
	return t
}

func buildPlans() (*planTable, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, err
	}
	t := &planTable{
		regions:      make(map[string]*plan),
		nonGeo:       make(map[int]*plan),
		callingCodes: make(map[int]bool),
		ccRegions:    make(map[int][]string),
		nonMatch:     regexp.MustCompile("NonMatch"),
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		t.callingCodes[cc] = true
		t.ccRegions[cc] = phonenumbers.GetRegionCodesForCountryCode(cc)
	}
	for r := range phonenumbers.GetSupportedRegions() {
		t.regions[r] = nil
	}
	// As phonenumbers' newMetadataContainer: a later entry for the same id
	// replaces an earlier one.
	for _, md := range coll.GetMetadata() {
		p, err := newPlan(md)
		if err != nil {
			return nil, err
		}
		if md.GetId() == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			t.nonGeo[p.callingCode] = p
		} else if _, ok := t.regions[md.GetId()]; ok {
			t.regions[md.GetId()] = p
		}
	}
	return t, nil
}

// newPlan reads md; its regular expressions are compiled on first use
// (ready), so that the first number parsed pays for its own regions only.
func newPlan(md *phonenumbers.PhoneMetadata) (*plan, error) {
	general := md.GetGeneralDesc()
	if general == nil || len(general.GetPossibleLength()) == 0 {
		// testNumberLength would index an empty slice.
		return nil, errNoFastPath
	}
	p := &plan{
		md:          md,
		callingCode: int(md.GetCountryCode()),
		transform:   md.GetNationalPrefixTransformRule(),
		lengths:     general.GetPossibleLength(),
		localOnly:   general.GetPossibleLengthLocalOnly(),
	}
	p.ccPrefix = strconv.Itoa(p.callingCode)
	return p, nil
}

// ready compiles p's parsing patterns on first use and reports whether
// they compiled; if not, phonenumbers.Parse is asked instead.
func (p *plan) ready() bool {
	p.compiled.Do(func() { p.compileErr = p.compile() })
	return p.compileErr == nil
}

func (p *plan) compile() error {
	var err error
	if p.idd, err = regexp.Compile(p.md.GetInternationalPrefix()); err != nil {
		return err
	}
	if p.general, err = regexp.Compile("^(?:" + p.md.GetGeneralDesc().GetNationalNumberPattern() + ")$"); err != nil {
		return err
	}
	if npfp := p.md.GetNationalPrefixForParsing(); npfp != "" {
		p.natPrefix, err = regexp.Compile("^(?:" + npfp + ")")
	}
	return err
}

// usable reports whether phonenumbers' metadata p (nil for none) can be
// read here.
func usable(p *plan) bool { return p == nil || p.ready() }

// forRegionOrCode is getMetadataForRegionOrCallingCode.
func (t *planTable) forRegionOrCode(cc int, region string) *plan {
	if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		if !t.callingCodes[cc] {
			return nil
		}
		return t.nonGeo[cc]
	}
	return t.regions[region]
}

// isDigits reports whether number is one or more ASCII digits after at
// most one leading '+': the shape foldPhone gives and parseDigits takes.
func isDigits(number string) bool {
	number = strings.TrimPrefix(number, "+")
	if number == "" {
		return false
	}
	for i := 0; i < len(number); i++ {
		if number[i] < '0' || number[i] > '9' {
			return false
		}
	}
	return true
}

// parseDigits is phonenumbers.Parse(number, region) for a number isDigits
// accepts; it returns errNoFastPath for any other, or when the tables are
// off. The errors are phonenumbers' own.
func parseDigits(number, region string) (*phonenumbers.PhoneNumber, error) {
	t := plans()
	if t == nil || !isDigits(number) {
		return nil, errNoFastPath
	}
	if len(number) > phonenumbers.MAX_INPUT_STRING_LENGTH {
		return nil, phonenumbers.ErrNumTooLong
	}
	plus := number[0] == '+'
	// isViablePhoneNumber: two digits alone, or a plus and three digits.
	if n := len(number); n < phonenumbers.MIN_LENGTH_FOR_NSN || plus && n < 4 {
		return nil, phonenumbers.ErrNotANumber
	}
	// checkRegionForParsing, then getMetadataForRegion. An extension
	// needs a character other than a digit: there is none to strip.
	md, known := t.regions[region]
	if !known && !plus {
		return nil, phonenumbers.ErrInvalidCountryCode
	}
	if !usable(md) {
		return nil, errNoFastPath
	}
	cc, nsn, err := t.extractCountryCode(number, md)
	if err == phonenumbers.ErrInvalidCountryCode && plus {
		// Strip the plus-char, and try again.
		if cc, nsn, err = t.extractCountryCode(number[1:], md); err == nil && cc == 0 {
			err = phonenumbers.ErrInvalidCountryCode
		}
	}
	if err != nil {
		return nil, err
	}
	return t.afterCountryCode(number, region, cc, nsn, md)
}

// afterCountryCode is parseHelper after maybeExtractCountryCode: with a
// calling code, the metadata becomes that code's main region's; without
// one, the national number is the input's digits and the calling code the
// region's (0 for phonenumbers' nil metadata).
func (t *planTable) afterCountryCode(number, region string, cc int, nsn string, md *plan) (*phonenumbers.PhoneNumber, error) {
	if cc != 0 {
		if r := phonenumbers.GetRegionCodeForCountryCode(cc); r != region {
			if md = t.forRegionOrCode(cc, r); !usable(md) {
				return nil, errNoFastPath
			}
		}
	} else {
		nsn = strings.TrimPrefix(number, "+")
		if region != "" && md != nil {
			cc = md.callingCode
		}
	}
	return finishNumber(cc, nsn, md)
}

// extractCountryCode is maybeExtractCountryCode: the calling code after a
// plus or the region's international prefix, or the region's own calling
// code typed without either where the rest then fits the region better.
// It returns 0 and no error when there is no calling code.
func (t *planTable) extractCountryCode(number string, md *plan) (int, string, error) {
	full, fromDefault := t.stripInternationalPrefix(number, md)
	if !fromDefault {
		if len(full) <= phonenumbers.MIN_LENGTH_FOR_NSN {
			return 0, "", phonenumbers.ErrTooShortAfterIDD
		}
		if cc, rest := t.leadingCallingCode(full); cc != 0 {
			return cc, rest, nil
		}
		return 0, "", phonenumbers.ErrInvalidCountryCode
	}
	if md != nil && strings.HasPrefix(full, md.ccPrefix) {
		national := md.stripNationalPrefix(full[len(md.ccPrefix):])
		fullValid := md.general.MatchString(full)
		nationalValid := md.general.MatchString(national)
		if !fullValid && nationalValid || md.testLength(full) == phonenumbers.TOO_LONG {
			return md.callingCode, national, nil
		}
	}
	return 0, "", nil
}

// stripInternationalPrefix is maybeStripInternationalPrefixAndNormalize
// with parsePrefixAsIdd: it strips a leading plus, or else a leading
// international prefix of md's region not followed by a 0, and reports
// whether neither was there (the number is from the default region).
func (t *planTable) stripInternationalPrefix(number string, md *plan) (string, bool) {
	if number[0] == '+' {
		return number[1:], false
	}
	idd := t.nonMatch
	if md != nil {
		idd = md.idd
	}
	loc := idd.FindStringIndex(number)
	if loc == nil || loc[0] != 0 {
		return number, true
	}
	// A calling code does not start with 0.
	if loc[1] < len(number) && number[loc[1]] == '0' {
		return number, true
	}
	return number[loc[1]:], false
}

// leadingCallingCode is extractCountryCode: the known calling code of one
// to three digits that full starts with, and the digits after it.
func (t *planTable) leadingCallingCode(full string) (int, string) {
	if full == "" || full[0] == '0' {
		return 0, ""
	}
	for i := 1; i <= phonenumbers.MAX_LENGTH_COUNTRY_CODE && i <= len(full); i++ {
		cc, _ := strconv.Atoi(full[:i])
		if t.callingCodes[cc] {
			return cc, full[i:]
		}
	}
	return 0, ""
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode without
// the carrier code, which Parse drops: number without the region's
// national prefix, or transformed by its rule, unless that turns a number
// that fits the region's general pattern into one that does not.
func (p *plan) stripNationalPrefix(number string) string {
	if number == "" || p.natPrefix == nil {
		return number
	}
	groups := p.natPrefix.FindStringSubmatchIndex(number)
	if groups == nil {
		return number
	}
	viable := p.general.MatchString(number)
	last := len(groups)/2 - 1
	if p.transform == "" || groups[last*2] < 0 {
		if viable && !p.general.MatchString(number[groups[1]:]) {
			return number
		}
		return number[groups[1]:]
	}
	transformed := p.natPrefix.ReplaceAllString(number, p.transform)
	if viable && !p.general.MatchString(transformed) {
		return number
	}
	return transformed
}

// testLength is testNumberLength for the type UNKNOWN: number's length
// against the general description's possible lengths.
func (p *plan) testLength(number string) phonenumbers.ValidationResult {
	if p.lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	n := int32(len(number))
	for _, l := range p.localOnly {
		if l == n {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case p.lengths[0] == n:
		return phonenumbers.IS_POSSIBLE
	case p.lengths[0] > n:
		return phonenumbers.TOO_SHORT
	case p.lengths[len(p.lengths)-1] < n:
		return phonenumbers.TOO_LONG
	}
	for _, l := range p.lengths[1:] {
		if l == n {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// finishNumber is the end of parseHelper: the national prefix goes where
// what is left still has a possible length, the national number's length
// is checked, and the PhoneNumber is filled in as Parse fills it.
func finishNumber(cc int, nsn string, md *plan) (*phonenumbers.PhoneNumber, error) {
	if len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return nil, phonenumbers.ErrTooShortNSN
	}
	if md != nil {
		stripped := md.stripNationalPrefix(nsn)
		switch md.testLength(stripped) {
		case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
		default:
			nsn = stripped
		}
	}
	if len(nsn) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return nil, phonenumbers.ErrTooShortNSN
	}
	if len(nsn) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return nil, phonenumbers.ErrNumTooLong
	}
	national, _ := strconv.ParseUint(nsn, 10, 64)
	code := int32(cc)
	num := &phonenumbers.PhoneNumber{CountryCode: &code, NationalNumber: &national}
	// setItalianLeadingZerosForPhoneNumber: of an all-zero number, the
	// last zero is not a leading one.
	if len(nsn) >= 2 && nsn[0] == '0' {
		yes := true
		num.ItalianLeadingZero = &yes
		zeros := 1
		for zeros < len(nsn)-1 && nsn[zeros] == '0' {
			zeros++
		}
		if zeros != 1 {
			z := int32(zeros)
			num.NumberOfLeadingZeros = &z
		}
	}
	return num, nil
}
