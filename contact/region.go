package contact

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// LookupRegion returns code upper-cased ("cn" gives "CN"), and whether it
// is an ISO 3166-1 alpha-2 region that phone numbers belong to: one that
// Contact.Region can hold (245 regions, "XK" included; not groupings such
// as "EU", nor the non-geographic "001"). Huawei country values ("usa",
// "chinaPR") are not region codes: LookupCountry maps them.
func LookupRegion(code string) (string, bool) {
	if len(code) != 2 {
		return "", false
	}
	code = strings.ToUpper(code)
	return code, phonenumbers.GetSupportedRegions()[code]
}
