package httpmw

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
)

// Errors an Authenticator returns. Any other error is treated as a failure
// of the authenticator itself: 500, never a pass.
var (
	// ErrUnauthenticated: the token is missing, unknown or expired (401).
	ErrUnauthenticated = errors.New("httpmw: token missing, invalid or expired")
	// ErrForbidden: the token is valid but lacks the permission (403).
	ErrForbidden = errors.New("httpmw: permission missing")
)

// Authenticator checks the X-Access-Token of a request and returns the
// subject it stands for; codes are bound to that subject. It returns
// ErrUnauthenticated or ErrForbidden (possibly wrapped) to refuse. It is
// never called with an empty token.
type Authenticator interface {
	Authenticate(r *http.Request, token string) (subject string, err error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request, token string) (string, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *http.Request, token string) (string, error) {
	return f(r, token)
}

// StaticTokens is an Authenticator over a fixed set of tokens, each standing
// for a subject. The presented token is compared with every configured one
// in constant time, so neither which token matched nor how much of one did
// shows in the timing.
type StaticTokens struct {
	entries []staticToken
}

type staticToken struct {
	digest  [sha256.Size]byte
	subject string
}

var _ Authenticator = (*StaticTokens)(nil)

// NewStaticTokens returns an Authenticator for tokens, a map from token to
// subject. Empty tokens are refused.
func NewStaticTokens(tokens map[string]string) (*StaticTokens, error) {
	s := &StaticTokens{}
	for token, subject := range tokens {
		if token == "" {
			return nil, errors.New("httpmw: empty static token")
		}
		s.entries = append(s.entries, staticToken{sha256.Sum256([]byte(token)), subject})
	}
	return s, nil
}

// Authenticate implements Authenticator.
func (s *StaticTokens) Authenticate(_ *http.Request, token string) (string, error) {
	// Hashing first gives equal-length inputs to the comparison, whatever
	// the lengths of the tokens.
	presented := sha256.Sum256([]byte(token))
	found, subject := 0, ""
	for i := range s.entries {
		if subtle.ConstantTimeCompare(presented[:], s.entries[i].digest[:]) == 1 {
			found, subject = 1, s.entries[i].subject
		}
	}
	if found == 0 {
		return "", ErrUnauthenticated
	}
	return subject, nil
}
