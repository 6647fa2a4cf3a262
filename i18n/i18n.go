// Package i18n holds vcode's zh-CN and en-US texts: the error messages of the
// HTTP API and the texts of the SMS and email that carry a code.
//
// The texts live in a catalog.Builder of this package's own (never the
// x/text global catalog, which a host application may use for itself), and
// one message.Printer per language is built once at start, not per request.
// Language negotiation uses a language.Matcher over the two supported tags and
// takes the supported tag by index, as the x/text documentation advises.
package i18n

import (
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Language is one of the languages vcode speaks. The zero value is ZhCN,
// the default of the published API.
type Language uint8

// The supported languages, in order of preference when nothing matches.
const (
	ZhCN Language = iota
	EnUS
	numLanguages
)

var tags = [numLanguages]language.Tag{
	ZhCN: language.MustParse("zh-CN"),
	EnUS: language.MustParse("en-US"),
}

var names = [numLanguages]string{ZhCN: "zh-CN", EnUS: "en-US"}

// String returns the BCP 47 form used in Content-Language: "zh-CN" or
// "en-US".
func (l Language) String() string {
	if l >= numLanguages {
		return names[ZhCN]
	}
	return names[l]
}

// Tag returns the language tag.
func (l Language) Tag() language.Tag {
	if l >= numLanguages {
		return tags[ZhCN]
	}
	return tags[l]
}

// Languages returns the supported languages.
func Languages() []Language { return []Language{ZhCN, EnUS} }

var matcher = language.NewMatcher(tags[:])

// maxAcceptLanguage bounds the part of an Accept-Language header that is
// parsed; a real browser sends well under this, and the rest only costs CPU.
const maxAcceptLanguage = 256

// Negotiate picks the language for an Accept-Language header value: "en",
// "en-GB" or "en-US;q=0.8" give EnUS; an empty, unparsable or unmatched value
// gives ZhCN.
func Negotiate(acceptLanguage string) Language {
	switch acceptLanguage {
	case "", "zh-CN", "zh":
		return ZhCN
	case "en-US", "en":
		return EnUS
	}
	if len(acceptLanguage) > maxAcceptLanguage {
		cut := strings.LastIndexByte(acceptLanguage[:maxAcceptLanguage], ',')
		if cut <= 0 {
			return ZhCN
		}
		acceptLanguage = acceptLanguage[:cut]
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return ZhCN
	}
	_, index, conf := matcher.Match(prefs...)
	if conf == language.No {
		return ZhCN
	}
	return Language(index)
}

// Key names a text of the catalog.
type Key string

// The error messages, one per row of the API's error table.
const (
	BadRequest      Key = "bad_request"
	InvalidContact  Key = "invalid_contact"
	InvalidCountry  Key = "invalid_country"
	InvalidCode     Key = "invalid_code"
	WrongCode       Key = "wrong_code"
	TooManyAttempts Key = "too_many_attempts"
	TooFrequent     Key = "too_frequent"
	NotAllowed      Key = "not_allowed"
	Unauthorized    Key = "unauthorized"
	Forbidden       Key = "forbidden"
	Internal        Key = "internal"
	smsText         Key = "sms_text"
	emailSubject    Key = "email_subject"
	emailBody       Key = "email_body"
)

// Keys returns every error-message key, for tests and for hosts that want to
// list the texts.
func Keys() []Key {
	return []Key{BadRequest, InvalidContact, InvalidCountry, InvalidCode, WrongCode,
		TooManyAttempts, TooFrequent, NotAllowed, Unauthorized, Forbidden, Internal}
}

var (
	printers [numLanguages]*message.Printer
	// messages holds every error message, formatted once: they take no
	// arguments, and an attack is answered with error after error.
	messages [numLanguages]map[Key]string
)

func init() {
	b := catalog.NewBuilder(catalog.Fallback(tags[ZhCN]))
	for l, texts := range catalogTexts {
		for key, msg := range texts {
			if err := b.Set(tags[l], string(key), msg...); err != nil {
				panic("i18n: " + err.Error())
			}
		}
	}
	for l := range printers {
		printers[l] = message.NewPrinter(tags[l], message.Catalog(b))
		messages[l] = map[Key]string{}
		for _, k := range Keys() {
			messages[l][k] = printers[l].Sprintf(string(k))
		}
	}
}

// Message returns the text for key in language l.
func (l Language) Message(key Key) string {
	if l >= numLanguages {
		l = ZhCN
	}
	if m, ok := messages[l][key]; ok {
		return m
	}
	return l.printer().Sprintf(string(key))
}

func (l Language) printer() *message.Printer {
	if l >= numLanguages {
		return printers[ZhCN]
	}
	return printers[l]
}

// SMS returns the text message that carries code, valid for validity.
func (l Language) SMS(code string, validity time.Duration) string {
	return l.printer().Sprintf(string(smsText), code, minutes(validity))
}

// EmailSubject returns the subject of the email that carries a code.
func (l Language) EmailSubject() string {
	return l.printer().Sprintf(string(emailSubject))
}

// EmailBody returns the plain-text body of the email that carries code, valid
// for validity.
func (l Language) EmailBody(code string, validity time.Duration) string {
	return l.printer().Sprintf(string(emailBody), code, minutes(validity))
}

// minutes rounds a validity down to whole minutes, at least one: telling a
// user "2 minutes" for a code that dies after 90 s would break a promise.
func minutes(d time.Duration) int {
	m := int(d / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

// plural selects on the validity, the second argument of the code texts.
func pluralMinutes(one, other string) catalog.Message {
	return plural.Selectf(2, "%d", "one", one, "other", other)
}
