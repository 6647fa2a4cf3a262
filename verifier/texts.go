package verifier

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vcodekit/vcode/i18n"
)

// maxBrand bounds a brand: it leads every SMS, whose length is billed.
const maxBrand = 32

// WithBrand puts the host's brand or app name in every message, in each
// language's convention: the SMS signature that mainland China requires
// ("【Acme】您的验证码为…"), "[Acme] Your verification code is …" in
// English, and the email subject and body. Templates of the host's own
// (WithCatalog) see it as {{.Brand}}. A brand is 1 to 32 printable
// characters.
func WithBrand(name string) Option {
	return func(c *config) {
		if !validBrand(name) {
			c.errs = append(c.errs, fmt.Errorf("verifier: brand %q is not 1 to %d printable characters without brackets or surrounding spaces", name, maxBrand))
		}
		c.brand = name
	}
}

// validBrand: valid UTF-8, printable, no surrounding space, and none of
// the brackets that frame it in the texts (a brand "Acme】【Bank" would
// forge a second signature).
func validBrand(name string) bool {
	return name != "" && utf8.ValidString(name) && utf8.RuneCountInString(name) <= maxBrand &&
		strings.TrimSpace(name) == name &&
		strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) || strings.ContainsRune("【】[]", r) }) < 0
}

// WithCatalog sets the languages and texts of the messages: the built-in
// i18n.Default() (zh-CN, the default, and en-US) unless given. Start from
// it to change a text, add a language or choose another default:
//
//	cat, err := i18n.Default().WithDefault(i18n.EnUS)
//	...
//	v, err := verifier.New(n, verifier.WithCatalog(cat))
//
// The catalog checked every template when it was built: each renders the
// code. httpmw negotiates Accept-Language over the same catalog and
// answers errors in its languages.
func WithCatalog(c *i18n.Catalog) Option {
	return func(cfg *config) {
		if c == nil || len(c.Languages()) == 0 {
			cfg.errs = append(cfg.errs, fmt.Errorf("verifier: WithCatalog needs a catalog with at least one language"))
		}
		cfg.catalog = c
	}
}

// Catalog returns the languages and texts the Verifier speaks, for the
// HTTP layer's negotiation and error messages.
func (v *Verifier) Catalog() *i18n.Catalog { return v.cfg.catalog }

// compose writes msg's language, text and subject from the catalog.
func (v *Verifier) compose(msg *Message, r Request) {
	cat := v.cfg.catalog
	msg.Language = cat.Match(r.Language)
	d := i18n.Data{Code: msg.Code, Validity: msg.Validity, Brand: v.cfg.brand, Purpose: r.Purpose}
	if msg.Channel == Email {
		msg.Subject = cat.EmailSubject(msg.Language, d)
		msg.Text = cat.EmailBody(msg.Language, d)
		return
	}
	msg.Text = cat.SMS(msg.Language, d)
	if v.cfg.autofill != nil {
		msg.Text = v.cfg.autofill.appendTo(msg.Text, msg.Code)
	}
}
