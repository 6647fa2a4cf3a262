package contact

import (
	"regexp"
	"slices"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// This file is phonenumbers.GetNumberType and GetRegionCodeForNumber
// (v1.8.1) over the same metadata, which parsePhone asks of every number:
// together most of a phone parse once parseDigits had taken Parse's share.
// phonenumbers builds each description's pattern string anew, looks it up
// in a cache under a lock and matches it twice (isNumberPossibleForDesc,
// then isNumberMatchingDesc) per description tried, and walks a shared
// calling code's regions once for the type and once more for the region.
// Here each pattern is compiled once per plan, from the same string,
// matched once, and the region found once. TestNumberTypeMatchesPhonenumbers
// and FuzzParseDigits hold both answers to phonenumbers'.

// descPattern is a PhoneNumberDesc as isNumberMatchingDesc reads it.
type descPattern struct {
	lengths []int32        // the possible lengths; none means any
	re      *regexp.Regexp // "^(?:" + national number pattern + ")$"
}

func newDescPattern(d *phonenumbers.PhoneNumberDesc) (descPattern, error) {
	if d == nil {
		// isNumberPossibleForDesc would dereference it.
		return descPattern{}, errNoFastPath
	}
	re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
	return descPattern{lengths: d.GetPossibleLength(), re: re}, err
}

// matches is isNumberMatchingDesc.
func (d *descPattern) matches(nsn string) bool {
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(nsn))) {
		return false
	}
	return d.re.MatchString(nsn)
}

// typePatterns are a plan's descriptions, in the order
// getNumberTypeHelper tries them.
type typePatterns struct {
	general  descPattern
	special  [8]descPattern // premium rate ... voicemail, as specialTypes
	fixed    descPattern
	mobile   descPattern
	same     bool           // the same pattern for mobile and fixed-line numbers
	leading  *regexp.Regexp // "^(?:" + leading digits + ")", nil if there are none
	compiled sync.Once
	err      error
}

// specialTypes are the types getNumberTypeHelper tests before fixed-line
// and mobile, in its order.
var specialTypes = [8]phonenumbers.PhoneNumberType{phonenumbers.PREMIUM_RATE, phonenumbers.TOLL_FREE,
	phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
	phonenumbers.UAN, phonenumbers.VOICEMAIL}

func (tp *typePatterns) compile(md *phonenumbers.PhoneMetadata) error {
	descs := [8]*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
		md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()}
	var err error
	if tp.general, err = newDescPattern(md.GetGeneralDesc()); err != nil {
		return err
	}
	for i, d := range descs {
		if tp.special[i], err = newDescPattern(d); err != nil {
			return err
		}
	}
	if tp.fixed, err = newDescPattern(md.GetFixedLine()); err != nil {
		return err
	}
	if tp.mobile, err = newDescPattern(md.GetMobile()); err != nil {
		return err
	}
	tp.same = md.GetSameMobileAndFixedLinePattern()
	if ld := md.GetLeadingDigits(); ld != "" {
		tp.leading, err = regexp.Compile("^(?:" + ld + ")")
	}
	return err
}

// typesOf returns p's description patterns, compiled on first use; nil
// if one does not compile (phonenumbers is asked instead).
func (p *plan) typesOf() *typePatterns {
	tp := &p.types
	tp.compiled.Do(func() { tp.err = tp.compile(p.md) })
	if tp.err != nil {
		return nil
	}
	return tp
}

// numberType is getNumberTypeHelper.
func (tp *typePatterns) numberType(nsn string) phonenumbers.PhoneNumberType {
	if !tp.general.matches(nsn) {
		return phonenumbers.UNKNOWN
	}
	for i := range tp.special {
		if tp.special[i].matches(nsn) {
			return specialTypes[i]
		}
	}
	if tp.fixed.matches(nsn) {
		if tp.same || tp.mobile.matches(nsn) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	}
	if !tp.same && tp.mobile.matches(nsn) {
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

// typeAndRegion returns phonenumbers.GetNumberType(num) and
// GetRegionCodeForNumber(num), computing the region once.
func typeAndRegion(num *phonenumbers.PhoneNumber) (phonenumbers.PhoneNumberType, string) {
	if typ, region, ok := fastTypeAndRegion(num); ok {
		return typ, region
	}
	return phonenumbers.GetNumberType(num), phonenumbers.GetRegionCodeForNumber(num)
}

// fastTypeAndRegion is typeAndRegion on the plans; ok is false when the
// tables are off or a pattern it needs does not compile.
func fastTypeAndRegion(num *phonenumbers.PhoneNumber) (typ phonenumbers.PhoneNumberType, region string, ok bool) {
	t := plans()
	if t == nil {
		return 0, "", false
	}
	cc := int(num.GetCountryCode())
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	if region, ok = t.regionFor(cc, nsn); !ok {
		return 0, "", false
	}
	p := t.forRegionOrCode(cc, region)
	if p == nil {
		return phonenumbers.UNKNOWN, region, true
	}
	tp := p.typesOf()
	if tp == nil {
		return 0, "", false
	}
	return tp.numberType(nsn), region, true
}

// regionFor is GetRegionCodeForNumber with
// getRegionCodeForNumberFromRegionList: the only region of calling code cc,
// or the first of its regions whose leading digits nsn starts with or,
// for one without leading digits, whose plan gives nsn a type.
func (t *planTable) regionFor(cc int, nsn string) (string, bool) {
	regions := t.ccRegions[cc]
	switch len(regions) {
	case 0:
		return "", true
	case 1:
		return regions[0], true
	}
	for _, r := range regions {
		p := t.regions[r]
		if p == nil {
			return "", false // phonenumbers would dereference its nil metadata
		}
		tp := p.typesOf()
		if tp == nil {
			return "", false
		}
		if tp.leading != nil {
			if tp.leading.MatchString(nsn) {
				return r, true
			}
		} else if tp.numberType(nsn) != phonenumbers.UNKNOWN {
			return r, true
		}
	}
	return "", true
}
