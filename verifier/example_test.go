package verifier_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func Example() {
	ctx := context.Background()
	outbox := &notify.Recorder{} // in production: an SMS or email notifier
	v, err := verifier.New(outbox)
	if err != nil {
		panic(err)
	}

	req := verifier.Request{Contact: "+86 136 1234 5678", Subject: "user-42", Language: i18n.EnUS}
	sent, err := v.Send(ctx, req)
	if err != nil {
		panic(err)
	}
	fmt.Println("sent to", sent.Contact)

	code, _ := outbox.LastCode(sent.Contact.Value) // what the user types in
	_, err = v.Verify(ctx, req, code)
	fmt.Println("first verify:", err)
	_, err = v.Verify(ctx, req, code)
	fmt.Println("second verify:", errors.Is(err, verifier.ErrWrongCode))
	// Output:
	// sent to +86136****5678
	// first verify: <nil>
	// second verify: true
}
