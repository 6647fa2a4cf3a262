package verifier

import (
	"errors"
	"fmt"

	"github.com/nyaruka/phonenumbers"

	"github.com/vcodekit/vcode/contact"
)

// nonGeographic is the region phonenumbers gives a number of no country:
// the global network calling codes, among them satellite phones (+881
// Iridium, +870 Inmarsat), international networks (+882, +883) and
// freephone and shared-cost numbers (+800, +808).
const nonGeographic = "001"

// WithNonGeographicNumbers lets SMS go to non-geographic numbers (region
// "001") of the given country calling codes, such as 881 (Iridium) or 870
// (Inmarsat). Without it they are refused (delivery.ErrNotAllowed, 403
// USG.201060008): premium satellite and network ranges are classic SMS
// pumping destinations, and no request's country can name them.
//
// Each code must be one of phonenumbers' global network calling codes
// (800, 808, 870, 878, 881, 882, 883, 888, 979), and one at least is
// needed: New fails otherwise. WithAllowedRegions names geographic
// regions and does not apply to these numbers; this option alone decides
// for them. The other limits (quotas, the daily cap of region "001", the
// pumping guard) hold as for any number.
func WithNonGeographicNumbers(callingCodes ...int) Option {
	return func(c *config) {
		if len(callingCodes) == 0 {
			c.errs = append(c.errs, errors.New("verifier: WithNonGeographicNumbers needs at least one calling code, such as 881 (Iridium)"))
		}
		global := phonenumbers.GetSupportedGlobalNetworkCallingCodes()
		c.nonGeographic = make(map[int]bool, len(callingCodes))
		for _, cc := range callingCodes {
			if !global[cc] {
				c.errs = append(c.errs, fmt.Errorf("verifier: WithNonGeographicNumbers: %d is not a non-geographic calling code (800, 808, 870, 878, 881, 882, 883, 888 or 979)", cc))
			}
			c.nonGeographic[cc] = true
		}
	}
}

// regionAllowed applies the region allow-list, and the refusal of the
// non-geographic numbers not allowed, to an SMS's number.
func (v *Verifier) regionAllowed(c contact.Contact) bool {
	if c.Region == nonGeographic {
		return v.cfg.nonGeographic[c.CallingCode]
	}
	return v.cfg.regions == nil || v.cfg.regions[c.Region]
}
