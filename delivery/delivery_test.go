package delivery_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vcodekit/vcode/delivery"
)

// TestUndelivered: a wrapped error matches ErrUndelivered and itself, says
// what it wraps, and nil stays nil; a plain error is not undelivered.
func TestUndelivered(t *testing.T) {
	if delivery.Undelivered(nil) != nil {
		t.Fatal("Undelivered(nil) is not nil")
	}
	refused := errors.New("gateway: 400")
	tests := []struct {
		name            string
		err             error
		undelivered, is bool
	}{
		{"wrapped", delivery.Undelivered(refused), true, true},
		{"wrapped again", fmt.Errorf("sms: %w", delivery.Undelivered(refused)), true, true},
		{"plain", fmt.Errorf("sms: %w", refused), false, true},
		{"not allowed", fmt.Errorf("no route: %w", delivery.ErrNotAllowed), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, delivery.ErrUndelivered); got != tt.undelivered {
				t.Errorf("errors.Is(%v, ErrUndelivered) = %v", tt.err, got)
			}
			if got := errors.Is(tt.err, refused); got != tt.is {
				t.Errorf("errors.Is(%v, refused) = %v", tt.err, got)
			}
		})
	}
	if got := delivery.Undelivered(refused).Error(); got != "gateway: 400" {
		t.Errorf("Error() = %q, want the wrapped error's text", got)
	}
}

// TestInvalidRecipient: a wrapped error matches ErrInvalidRecipient,
// ErrUndelivered (it is certain) and itself, keeps its text, and nil
// stays nil; Undelivered alone is not an invalid recipient.
func TestInvalidRecipient(t *testing.T) {
	if delivery.InvalidRecipient(nil) != nil {
		t.Fatal("InvalidRecipient(nil) is not nil")
	}
	refused := errors.New("gateway: 400 not a number")
	for _, tt := range []struct {
		name                 string
		err                  error
		invalid, undelivered bool
	}{
		{"wrapped", delivery.InvalidRecipient(refused), true, true},
		{"wrapped again", fmt.Errorf("sms: %w", delivery.InvalidRecipient(refused)), true, true},
		{"inside Undelivered", delivery.Undelivered(delivery.InvalidRecipient(refused)), true, true},
		{"undelivered", delivery.Undelivered(refused), false, true},
		{"plain", refused, false, false},
	} {
		if got := errors.Is(tt.err, delivery.ErrInvalidRecipient); got != tt.invalid {
			t.Errorf("%s: errors.Is(ErrInvalidRecipient) = %v", tt.name, got)
		}
		if got := errors.Is(tt.err, delivery.ErrUndelivered); got != tt.undelivered {
			t.Errorf("%s: errors.Is(ErrUndelivered) = %v", tt.name, got)
		}
		if !errors.Is(tt.err, refused) {
			t.Errorf("%s: the provider's error is lost", tt.name)
		}
	}
	if got := delivery.InvalidRecipient(refused).Error(); got != refused.Error() {
		t.Errorf("Error() = %q, want the wrapped error's text", got)
	}
}

// TestRedactURL: user info and query are replaced, the fragment dropped,
// and a URL that does not parse is replaced whole.
func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://u:p@h.example/p?k=v#f", "https://redacted@h.example/p?redacted"},
		{"https://h.example/send?apikey=SECRET", "https://h.example/send?redacted"},
		{"https://h.example/send?", "https://h.example/send?redacted"},
		{"https://user@h.example/", "https://redacted@h.example/"},
		{"https://h.example/plain", "https://h.example/plain"},
		{"https://h.example:99999/%zz", "redacted-url"},
	} {
		if got := delivery.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
