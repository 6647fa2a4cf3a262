package notify_test

import (
	"context"
	"os"
	"time"

	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func ExampleWriter() {
	w := notify.NewWriter(os.Stdout)
	_ = w.Notify(context.Background(), verifier.Message{
		Channel:   verifier.SMS,
		To:        "+8613612345678",
		Code:      "753927",
		Language:  i18n.EnUS,
		ExpiresAt: time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC),
		Text:      i18n.Default().SMS(i18n.EnUS, i18n.Data{Code: "753927", Validity: time.Minute}),
	})
	// Output:
	// {"channel":"sms","to":"+8613612345678","code":"753927","language":"en-US","expires_at":"2026-11-25T10:01:00Z","text":"Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone."}
}
