package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/i18n"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func ExampleWriter() {
	w := notify.NewWriter(os.Stdout)
	_ = w.Notify(context.Background(), delivery.Message{
		Channel:   delivery.SMS,
		To:        "+8613612345678",
		Code:      "753927",
		Language:  i18n.EnUS,
		ExpiresAt: time.Date(2026, 11, 25, 10, 1, 0, 0, time.UTC),
		Text:      i18n.Default().SMS(i18n.EnUS, i18n.Data{Code: "753927", Validity: time.Minute}),
	})
	// Output:
	// {"channel":"sms","to":"+8613612345678","code":"753927","language":"en-US","expires_at":"2026-11-25T10:01:00Z","text":"Your verification code is 753927. It is valid for 1 minute. Do not share it with anyone."}
}

// SMS to a gateway of the host's own through the signed webhook, email
// elsewhere; and the receiving side, which checks the signature before it
// sends anything, and deduplicates on message_id.
func ExampleVerifySignature() {
	secret := []byte("shared with the gateway, 16+ bytes") // from the environment in real life
	seen := map[string]bool{}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err := notify.VerifySignature(secret, r.Header.Get(notify.SignatureHeader), body, 0, time.Now()); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized) // 4xx: vcode gives the limits back
			return
		}
		var m struct {
			MessageID string `json:"message_id"`
			To        string `json:"to"`
		}
		json.Unmarshal(body, &m)
		if !seen[m.MessageID] { // a retry of a message already sent
			seen[m.MessageID] = true
			fmt.Println("gateway sends an SMS to", m.To)
		}
	}))
	defer gateway.Close()

	hook, _ := notify.NewWebhook(notify.WebhookConfig{URL: gateway.URL, Secret: secret})
	v, _ := verifier.New(notify.NewRouter(map[delivery.Channel]delivery.Notifier{delivery.SMS: hook}))
	defer v.Close()
	_, err := v.Send(context.Background(), verifier.Request{Contact: "+8613612345678", Subject: "user-42"})
	fmt.Println("send:", err)
	_, err = v.Send(context.Background(), verifier.Request{Contact: "alice@example.com", Subject: "user-42"})
	fmt.Println("email, which has no route:", errors.Is(err, delivery.ErrNotAllowed))
	// Output:
	// gateway sends an SMS to +8613612345678
	// send: <nil>
	// email, which has no route: true
}
