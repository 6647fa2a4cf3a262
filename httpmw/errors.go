package httpmw

import (
	"errors"
	"net/http"
	"slices"

	"github.com/vcodekit/vcode/contact"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/verifier"
)

// Error codes of the API, as in the published table. ErrorTable says which
// situation gets which.
const (
	CodeBadRequest      = "USG.201060001"
	CodeInvalidContact  = "USG.201060002"
	CodeInvalidCountry  = "USG.201060003"
	CodeInvalidCode     = "USG.201060004"
	CodeWrongCode       = "USG.201060005"
	CodeTooManyAttempts = "USG.201060006"
	CodeTooFrequent     = "USG.201060007"
	CodeNotAllowed      = "USG.201060008"
	CodeUnauthorized    = "USG.000000004"
	CodeForbidden       = "USG.000000005"
	CodeInternal        = "USG.201060500"
)

// ErrorSpec is one row of the error table.
type ErrorSpec struct {
	// Err is the error this row answers, matched with errors.Is.
	Err error
	// Status is the HTTP status.
	Status int
	// Code is the error_code.
	Code string
	// Message is the catalog key of error_msg.
	Message i18n.Key
}

// errBadRequest marks a body that could not be read: malformed JSON,
// trailing data, too large, invalid UTF-8, or the wrong content type.
var errBadRequest = errors.New("httpmw: unreadable request body")

// errorTable is the API's error table. The rows of httpmw's own errors
// (ownRows of them) come first; then one row per class of
// verifier.Classify, which decides the class of every other error, in the
// order it documents.
var errorTable = []ErrorSpec{
	{errBadRequest, http.StatusBadRequest, CodeBadRequest, i18n.BadRequest},
	{ErrUnauthenticated, http.StatusUnauthorized, CodeUnauthorized, i18n.Unauthorized},
	{ErrForbidden, http.StatusForbidden, CodeForbidden, i18n.Forbidden},
	{ErrCrossOrigin, http.StatusForbidden, CodeForbidden, i18n.CrossOrigin},
	{contact.ErrInvalid, http.StatusBadRequest, CodeInvalidContact, i18n.InvalidContact},
	{contact.ErrUnknownCountry, http.StatusBadRequest, CodeInvalidCountry, i18n.InvalidCountry},
	{contact.ErrCountryMismatch, http.StatusBadRequest, CodeInvalidCountry, i18n.InvalidCountry},
	{verifier.ErrInvalidCode, http.StatusBadRequest, CodeInvalidCode, i18n.InvalidCode},
	{verifier.ErrWrongCode, http.StatusBadRequest, CodeWrongCode, i18n.WrongCode},
	{verifier.ErrTooManyAttempts, http.StatusTooManyRequests, CodeTooManyAttempts, i18n.TooManyAttempts},
	{verifier.ErrTooFrequent, http.StatusTooManyRequests, CodeTooFrequent, i18n.TooFrequent},
	{delivery.ErrNotAllowed, http.StatusForbidden, CodeNotAllowed, i18n.NotAllowed},
}

// ErrorTable returns the API's error table, the one place that maps an
// error to its status, code and message (a copy: changing it changes
// nothing). httpmw's own errors (an unreadable body, a refused token, a
// cross-origin request) are told by errors.Is; every other error by
// verifier.Classify, so that the HTTP answer and the verifier's Observer
// outcome always agree. An error
// matching no row is an internal error: 500, CodeInternal. A provider's
// certain refusal of the number (delivery.ErrInvalidRecipient: Twilio's
// 21211, Huawei Cloud's E200023...) reaches the table as
// contact.ErrInvalid, the user's to fix: 400 CodeInvalidContact,
// with the send's limits given back, not a 500.
func ErrorTable() []ErrorSpec {
	return slices.Clone(errorTable)
}

// ownRows is the number of rows of httpmw's own errors.
const ownRows = 4

var internalSpec = ErrorSpec{nil, http.StatusInternalServerError, CodeInternal, i18n.Internal}

// specFor returns the row for err.
func specFor(err error) ErrorSpec {
	// A verifier's refusal (a RateLimitError of one of its sentinels)
	// wraps none of httpmw's own errors: it skips their errors.Is walk.
	if rl, ok := err.(*verifier.RateLimitError); !ok || (rl.Reason != verifier.ErrTooManyAttempts && rl.Reason != verifier.ErrTooFrequent) {
		for _, s := range errorTable[:ownRows] {
			if errors.Is(err, s.Err) {
				return s
			}
		}
	}
	if class := verifier.Classify(err); class != nil {
		for _, s := range errorTable[ownRows:] {
			if s.Err == class {
				return s
			}
		}
	}
	return internalSpec
}
