package sns_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/notify/sns"
)

// TestNewReportsEverything: New's one error names every problem with the
// options, each on its own line, before loading any AWS configuration.
func TestNewReportsEverything(t *testing.T) {
	_, err := sns.New(sns.WithRegion("us east 1"), sns.WithStaticCredentials("AKIDEXAMPLE", "", ""),
		sns.WithProfile(`"prod"`), sns.WithSenderID("12345"), sns.WithOriginationNumber("+1800FLOWERS"),
		sns.WithEndpoint("http://sns.example.com"), sns.WithTimeout(-time.Second))
	want := []string{
		"notify: sns: WithRegion holds white space inside",
		"notify: sns: WithStaticCredentials: give both the access key ID and the secret access key, or neither",
		"notify: sns: WithProfile is enclosed in quotes: give the profile's name without them",
		`notify: sns: WithSenderID: "12345" is not 1 to 11 letters, digits or hyphens with at least one letter`,
		`notify: sns: WithOriginationNumber: "+1800FLOWERS" is not a phone number or short code (digits, optional leading +)`,
		"notify: sns: WithEndpoint: must be https (http only on a loopback host), got http://",
		"notify: sns: WithTimeout -1s is negative",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("error:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != len(want) {
		t.Errorf("not one error per problem: %#v", err)
	}
}
