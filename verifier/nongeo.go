package verifier

import (
	"github.com/vcodekit/vcode/contact"
)

// nonGeographic is the region phonenumbers gives a number of no country:
// the global network calling codes, among them satellite phones (+881
// Iridium, +870 Inmarsat), international networks (+882, +883) and
// freephone and shared-cost numbers (+800, +808).
const nonGeographic = "001"

// regionAllowed applies the region allow-list, and the refusal of the
// non-geographic numbers not allowed, to an SMS's number.
func (v *Verifier) regionAllowed(c contact.Contact) bool {
	if c.Region == nonGeographic {
		return v.cfg.nonGeographic[c.CallingCode]
	}
	return v.cfg.regions == nil || v.cfg.regions[c.Region]
}
