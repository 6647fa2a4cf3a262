package notifyhook_test

import (
	"context"
	"fmt"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/internal/notifyhook"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// Wrap, set by package verifier, gives an option that puts a notifier
// around the one verifier.New was given: here one that counts.
func Example() {
	calls := 0
	count := notifyhook.Wrap(func(n delivery.Notifier) delivery.Notifier {
		return delivery.NotifierFunc(func(ctx context.Context, m delivery.Message) error {
			calls++
			return n.Notify(ctx, m)
		})
	}).(verifier.Option)
	outbox := &notify.Recorder{}
	v, _ := verifier.New(outbox, count)
	defer v.Close()
	v.Send(context.Background(), verifier.Request{Contact: "+8613612345678", Subject: "user-42"})
	fmt.Println(calls, outbox.Len())
	// Output: 1 1
}
