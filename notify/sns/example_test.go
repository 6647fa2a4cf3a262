package sns_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify/sns"
	"github.com/vcodekit/vcode/notify/sns/snstest"
	"github.com/vcodekit/vcode/verifier"
)

// A verifier sending its SMS through Amazon SNS, here a fake one; the code
// is read back from what SNS received and verified.
func Example() {
	fake := snstest.Start() // in a test: snstest.NewServer(t)
	defer fake.Close()

	// In production sns.New(sns.WithSenderID("Acme")) will do: the region
	// and the credentials come from AWS's configuration.
	n, err := sns.New(
		sns.WithRegion(snstest.Region),
		sns.WithStaticCredentials(snstest.AccessKeyID, snstest.SecretAccessKey, ""),
		sns.WithEndpoint(fake.URL()),
		sns.WithSenderID("Acme"),
	)
	if err != nil {
		panic(err)
	}
	defer n.Close()
	v, err := verifier.New(n)
	if err != nil {
		panic(err)
	}
	defer v.Close()

	ctx := context.Background()
	req := verifier.Request{Contact: "+8613612345678", Subject: "user-42", Language: i18n.EnUS}
	_, err = v.Send(ctx, req)
	fmt.Println("send:", err)

	m := fake.Messages()[0]
	fmt.Println("SNS received for", m.To, "as", m.SMSType, "from", m.SenderID)
	fmt.Println(strings.Replace(m.Text, m.Code, "123456", 1))
	_, err = v.Verify(ctx, req, m.Code)
	fmt.Println("verify:", err)
	// Output:
	// send: <nil>
	// SNS received for +8613612345678 as Transactional from Acme
	// Your verification code is 123456. It is valid for 1 minute. Do not share it with anyone.
	// verify: <nil>
}
