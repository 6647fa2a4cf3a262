package httpmw

import (
	"errors"
	"fmt"

	"golang.org/x/text/language"

	"github.com/vcodekit/vcode/i18n"
)

// HostError is an answer of the host's own, which the hooks of
// WithBeforeSend and WithVerified return to refuse a request the way the
// host wants it answered:
//
//	return &httpmw.HostError{
//		Status: http.StatusConflict,
//		Code:   "APP.EMAIL_TAKEN",
//		Message: map[language.Tag]string{
//			i18n.EnUS: "This email address belongs to another account.",
//			i18n.ZhCN: "该邮箱地址已被其他账号使用。",
//		},
//	}
//
// The Handler answers it as its own errors: Status, and the JSON body
// {"error_code": Code, "error_msg": ..., "request_id": ...} with the
// message in the negotiated language. A hook may wrap it (fmt.Errorf with
// %w); errors.As finds it. Any other error from a hook is a 500
// USG.201060500, as before.
//
// A HostError the Handler cannot answer as asked is a host bug, answered
// as an internal error (500 USG.201060500) and logged with the reason: a
// Status that is not 4xx or 5xx, an empty Code, or no Message in the
// negotiated language nor in the catalog's default language.
type HostError struct {
	// Status is the HTTP status, 400 to 599.
	Status int
	// Code is the error_code, such as "APP.EMAIL_TAKEN": the host's own
	// codes are best kept apart from vcode's USG ones.
	Code string
	// Message holds error_msg by language. The negotiated language (one
	// of the catalog's: i18n.ZhCN, i18n.EnUS, or those the host added) is
	// looked up as it is and then by its base language (language.English
	// serves en-US); then the catalog's default language the same way.
	Message map[language.Tag]string
	// Err is the cause, for the log line; it is never shown to the
	// client. Optional.
	Err error
}

// Error implements error.
func (e *HostError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("httpmw: host error %d %s: %v", e.Status, e.Code, e.Err)
	}
	return fmt.Sprintf("httpmw: host error %d %s", e.Status, e.Code)
}

// Unwrap returns Err.
func (e *HostError) Unwrap() error { return e.Err }

// message returns the error_msg for lang, falling back to def; "" when
// Message has neither.
func (e *HostError) message(lang, def language.Tag) string {
	for _, t := range []language.Tag{lang, def} {
		if m, ok := e.Message[t]; ok && m != "" {
			return m
		}
		base, _ := t.Base()
		if m, ok := e.Message[language.Make(base.String())]; ok && m != "" {
			return m
		}
	}
	return ""
}

// hookError is an error returned by one of the host's hooks: the hook's
// name, for the log line, and what it returned.
type hookError struct {
	hook string
	err  error
}

func (e *hookError) Error() string { return "httpmw: " + e.hook + ": " + e.err.Error() }
func (e *hookError) Unwrap() error { return e.err }

// hostAnswer returns the answer of a hook's HostError in err, or ok false
// when err is no hook's or holds no HostError. A HostError that cannot be
// answered as asked gives an error that says why, answered as internal.
func hostAnswer(err error, cat *i18n.Catalog, lang language.Tag) (status int, code, msg string, bad error, ok bool) {
	var he *hookError
	var h *HostError
	if !errors.As(err, &he) || !errors.As(he.err, &h) {
		return 0, "", "", nil, false
	}
	switch {
	case h.Status < 400 || h.Status > 599:
		return 0, "", "", fmt.Errorf("httpmw: %s returned a HostError with status %d, not 4xx or 5xx: %w", he.hook, h.Status, err), true
	case h.Code == "":
		return 0, "", "", fmt.Errorf("httpmw: %s returned a HostError without a Code: %w", he.hook, err), true
	}
	var def language.Tag
	if langs := cat.Languages(); len(langs) > 0 {
		def = langs[0]
	}
	if msg = h.message(lang, def); msg == "" {
		return 0, "", "", fmt.Errorf("httpmw: %s returned a HostError %s without a Message in %v or %v: %w", he.hook, h.Code, lang, def, err), true
	}
	return h.Status, h.Code, msg, nil, true
}
