// Package contact parses and normalises the destination of a verification
// code: a mobile number or an email address.
//
// Phone numbers are read with github.com/nyaruka/phonenumbers and normalised
// to E.164. The optional country is one of the 169 values of Huawei Cloud
// Meeting's "country" field (see Countries); it gives the region for numbers
// in national format and, for international numbers, must agree with the
// number. Email addresses are checked with go-playground/validator's "email"
// rule, lower-cased, and their domain converted to its ASCII (IDNA) form, so
// that one mailbox has one normalised value.
//
// A Contact's String method returns the masked form, so one that reaches a
// log by accident shows "+86136****5678" or "a***@example.com".
package contact
