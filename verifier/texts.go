package verifier

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
)

// maxBrand bounds a brand: it leads every SMS, whose length is billed.
const maxBrand = 32

// validBrand: valid UTF-8, printable, no surrounding space, and none of
// the brackets that frame it in the texts (a brand "Acme】【Bank" would
// forge a second signature).
func validBrand(name string) bool {
	return name != "" && utf8.ValidString(name) && utf8.RuneCountInString(name) <= maxBrand &&
		strings.TrimSpace(name) == name &&
		strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) || strings.ContainsRune("【】[]", r) }) < 0
}

// Catalog returns the languages and texts the Verifier speaks, for the
// HTTP layer's negotiation and error messages.
func (v *Verifier) Catalog() *i18n.Catalog { return v.cfg.catalog }

// compose writes msg's language, text and subject from the catalog.
func (v *Verifier) compose(msg *delivery.Message, r Request) {
	cat := v.cfg.catalog
	msg.Language = cat.Match(r.Language)
	d := i18n.Data{Code: msg.Code, Validity: msg.Validity, Brand: v.cfg.brand, Purpose: r.Purpose}
	if msg.Channel == delivery.Email {
		msg.Subject = cat.EmailSubject(msg.Language, d)
		msg.Text = cat.EmailBody(msg.Language, d)
		return
	}
	msg.Text = cat.SMS(msg.Language, d)
	if v.cfg.autofill != nil {
		msg.Text = v.cfg.autofill.appendTo(msg.Text, msg.Code)
	}
}
