package twiliotest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/twilio"
	"github.com/vcodekit/vcode/notify/twilio/twiliotest"
)

// A fake Twilio that accepts a message, then throttles: the test reads
// the code as Twilio received it, and sees the refusal classified.
func Example() {
	fake := twiliotest.Start(twiliotest.WithAPIKey()) // in a test: twiliotest.NewServer(t, ...)
	defer fake.Close()
	sms, _ := twilio.New(twilio.Account(fake.Account()), twilio.WithAPIURL(fake.URL()))
	defer sms.Close()

	m := delivery.Message{Channel: delivery.SMS, To: "+14155550100", Code: "481516", Text: "Your code is 481516."}
	fmt.Println("send:", sms.Notify(context.Background(), m))
	code, _ := fake.LastCode("+14155550100")
	fmt.Println("received:", code, "as", fake.Messages()[0].Username == twiliotest.APIKey)

	fake.SetAnswer(twiliotest.Throttle)
	err := sms.Notify(context.Background(), m)
	fmt.Println("undelivered:", errors.Is(err, delivery.ErrUndelivered))
	fmt.Println("requests:", fake.Requests(), "problems:", len(fake.Problems()))
	// Output:
	// send: <nil>
	// received: 481516 as true
	// undelivered: true
	// requests: 2 problems: 0
}
