// Package contact parses and normalises the destination of a verification
// code: a mobile number or an email address.
//
// Phone numbers are read with github.com/nyaruka/phonenumbers and normalised
// to E.164. The optional country is one of the 169 values of Huawei Cloud
// Meeting's "country" field (see Countries). It names a region, and the
// number must belong to it, in national or international format ("usa"
// takes no Bahamas number, "russia" no Kazakhstan one); for a number in
// national format it also gives the region to read it in. Email addresses must be a dot-atom local part (ASCII atext without
// '%' or '!') at a host name: quoted local parts, routing forms and domain
// literals, which a mail server may deliver elsewhere than the domain they
// show, are rejected. Accepted addresses are also checked with
// go-playground/validator's "email" rule, lower-cased, and their domain
// converted to its ASCII (IDNA) form, so that the normalised value is the
// one address mail is delivered to.
//
// A Contact's String method returns the masked form, so one that reaches a
// log by accident shows "+86136****5678" or "a***@example.com".
package contact
