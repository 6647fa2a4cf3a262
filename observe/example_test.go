package observe_test

import (
	"context"
	"fmt"

	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/observe"
	"github.com/vcodekit/vcode/verifier"
)

// outcomes prints what each call ended with.
type outcomes struct{}

func (outcomes) Observe(_ context.Context, e observe.Event) {
	fmt.Println(e.Op, e.Channel, e.Region, e.Outcome)
}

// An Observer sees one Event per Send and Verify: here a send, and a
// verify by another subject, for whom no code was sent.
func Example() {
	v, err := verifier.New(notify.Discard, verifier.WithObserver(outcomes{}))
	if err != nil {
		panic(err)
	}
	defer v.Close()
	ctx := context.Background()
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}
	v.Send(ctx, req)
	req.Subject = "user-43"
	v.Verify(ctx, req, "000000")
	// Output:
	// send sms CN sent
	// verify sms CN wrong_code
}
