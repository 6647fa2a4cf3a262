package verifier

import "github.com/vcodekit/vcode/contact"

// Two bounds of a send beyond the contact's cooldown and hourly cap, taken
// with them in one call: no subject takes more than its share of a
// contact's cap, and the calls to the notifier are bounded whatever their
// outcome (see Limits.Send and Limits.Deliveries).

// shareRule appends the rule that counts r's subject's sends to c: at
// most half of the contact's hourly cap, so that one subject cannot spend
// the cap of a contact that is not its own.
func (v *Verifier) shareRule(dst []namedRule, r Request, c contact.Contact) []namedRule {
	var fieldBuf [128]byte
	key := v.limitKeyOf("share", appendField(appendField(fieldBuf[:0], c.Value), r.Subject))
	return append(dst, namedRule{"share", limitContact, "", key, v.rules.share})
}

// deliveryRules appends the rules that count a call to the notifier for
// c, for r's subject and for its IP. A send takes them with its other
// limits, so that a send refused before the call counts on none; once the
// notifier is called they stay counted whatever its answer (see
// keepDeliveries).
func (v *Verifier) deliveryRules(dst []namedRule, r Request, c contact.Contact) []namedRule {
	dst = append(dst, namedRule{"dcon", limitContact, c.Value, "", v.rules.deliveries})
	if v.rules.subjectDeliveries != nil {
		dst = append(dst, namedRule{"dsub", limitSubject, r.Subject, "", v.rules.subjectDeliveries})
	}
	if v.rules.ipDeliveries != nil && r.ClientIP != "" {
		dst = append(dst, namedRule{"dip", limitIP, r.ClientIP, "", v.rules.ipDeliveries})
	}
	return dst
}

// keepDeliveries returns holds without holds[from:to], the deliveries', in
// place: from the notifier's call on, they are not given back.
func keepDeliveries(holds []hold, from, to int) []hold {
	return append(holds[:from], holds[to:]...)
}
