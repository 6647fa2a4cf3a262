package smtptest_test

import (
	"fmt"
	"net/smtp"
	"testing"

	"github.com/vcodekit/vcode/internal/smtptest"
)

// A server that takes the message and then hangs up without answering:
// the client cannot tell whether it was accepted.
func Example() {
	t := &testing.T{}
	srv := smtptest.Start(t)
	srv.OnEnd = func(int) smtptest.End { return smtptest.TakeAndDrop }
	err := smtp.SendMail(srv.Addr, nil, "noreply@example.com", []string{"alice@example.com"}, []byte("Subject: hi\r\n\r\n123456\r\n"))
	fmt.Println("client saw an error:", err != nil)
	fmt.Println("server took:", len(srv.Taken()), srv.Taken()[0].To)
	// Output:
	// client saw an error: true
	// server took: 1 alice@example.com
}
