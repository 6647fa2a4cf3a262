package vcodetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// A test of a login flow: send, read the code from the outbox, let it
// expire by moving the clock.
func Example() {
	t := &testing.T{} // in a real test, the test's own t
	v, outbox, clock := vcodetest.New(t)
	ctx := context.Background()
	req := verifier.Request{Contact: "+86 136 1234 5678", Subject: "user-42"}

	v.Send(ctx, req)
	code, _ := outbox.LastCode(req.Contact) // as typed, or normalised
	clock.Advance(2 * time.Minute)          // past the one-minute validity
	_, err := v.Verify(ctx, req, code)
	fmt.Println(errors.Is(err, verifier.ErrWrongCode))
	// Output: true
}
