package verifier

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
)

// errOutOfChannels refuses a contact of a channel Request.Channels leaves
// out: delivery.ErrNotAllowed (403 USG.201060008 over HTTP).
var errOutOfChannels = fmt.Errorf("verifier: contact of a channel the request does not accept: %w", delivery.ErrNotAllowed)

// outOfChannels refuses r, before anything else is done with it, when its
// contact is of a channel r.Channels leaves out; it returns a zero
// Contact and nil for any other request, which Send and Verify then
// serve as usual.
//
// The channel is told by the rule contact.Parse documents (a raw value
// with "@" is an email address, anything else a phone number), so that
// an accepted contact is parsed once, by Send or Verify. A refused one is
// parsed here, in Send's order (the subject, the client IP, the
// contact), so that a contact that is not one gets its own error (400
// before 403) and the refusal carries the parsed contact, for the masked
// log line.
func (v *Verifier) outOfChannels(r Request) (contact.Contact, error) {
	if len(r.Channels) == 0 {
		return contact.Contact{}, nil
	}
	ch := delivery.SMS
	if strings.IndexByte(r.Contact, '@') >= 0 {
		ch = delivery.Email
	}
	if slices.Contains(r.Channels, ch) {
		return contact.Contact{}, nil
	}
	c, err := v.parseRequest(r)
	if err != nil {
		return contact.Contact{}, err
	}
	return c, errOutOfChannels
}

// Parse returns r's contact as Send takes it, without sending anything,
// taking a limit or writing to the store: read with the Verifier's
// default country (WithDefaultCountry), and refused with
// delivery.ErrNotAllowed when r.Channels, WithChannels,
// WithAllowedRegions or the notifier's channels leave it out. A host
// that decides about a contact before a code goes to it (is this address
// another account's?) calls it first; httpmw's WithBeforeSend hook gets
// its result. It does not consult the pumping guard or the limits, which
// Send still applies.
//
// Errors: ErrNoSubject, ErrInvalidClientIP, contact.ErrInvalid,
// contact.ErrUnknownCountry, contact.ErrCountryMismatch,
// delivery.ErrNotAllowed. The Contact is set whenever the contact parsed.
func (v *Verifier) Parse(r Request) (contact.Contact, error) {
	if c, err := v.outOfChannels(r); err != nil {
		return c, err
	}
	c, err := v.parseRequest(r)
	if err != nil {
		return contact.Contact{}, err
	}
	if !v.allowed(channelOf(c), c) {
		return c, delivery.ErrNotAllowed
	}
	return c, nil
}

// parseRequest is what Parse and outOfChannels check before the contact's
// destination: a subject, a client IP, and the contact, read through the
// subject's parsed-contact cache.
func (v *Verifier) parseRequest(r Request) (contact.Contact, error) {
	if r.Subject == "" {
		return contact.Contact{}, ErrNoSubject
	}
	if _, err := clientIPKey(r.ClientIP); err != nil {
		return contact.Contact{}, err
	}
	return v.contacts.parse(r.Subject, r.Contact, r.Country, v.cfg.defaultCountry)
}
