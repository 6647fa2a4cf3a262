package vcode_test

import (
	"context"
	"fmt"

	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

// The core library on its own: send a code, then verify what the user typed.
func Example() {
	ctx := context.Background()
	outbox := &notify.Recorder{}
	v, err := verifier.New(outbox)
	if err != nil {
		panic(err)
	}
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42"}
	if _, err := v.Send(ctx, req); err != nil {
		panic(err)
	}
	typed, _ := outbox.LastCode("+8613612345678")
	_, err = v.Verify(ctx, req, typed)
	fmt.Println(err)
	// Output: <nil>
}
