package sns

import (
	"testing"

	"github.com/aws/smithy-go"
)

// TestInvalidNumber: only SNS's InvalidParameter on the PhoneNumber is
// the user's invalid number; the same code on another parameter, and
// every other code, are not.
func TestInvalidNumber(t *testing.T) {
	for _, tt := range []struct {
		code, message string
		want          bool
	}{
		{"InvalidParameter", "Invalid parameter: PhoneNumber Reason: +1555 is not valid to publish to", true},
		{"InvalidParameter", "Invalid parameter: Message too long", false},
		{"InvalidParameter", "Invalid parameter: MessageAttributes", false},
		{"InvalidParameterValue", "Invalid parameter: PhoneNumber Reason: +1555 is not valid to publish to", false},
		{"OptedOut", "Phone number is opted out", false},
		{"AuthorizationError", "Invalid parameter: PhoneNumber", false},
	} {
		err := &smithy.GenericAPIError{Code: tt.code, Message: tt.message, Fault: smithy.FaultClient}
		if got := invalidNumber(err); got != tt.want {
			t.Errorf("invalidNumber(%s: %s) = %v, want %v", tt.code, tt.message, got, tt.want)
		}
	}
	if invalidNumber(nil) {
		t.Error("invalidNumber(nil) is true")
	}
}
