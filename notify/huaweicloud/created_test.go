package huaweicloud

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
)

// Created is the current time in UTC, whatever the local zone: a clock an
// hour off (or local time sent as UTC) is refused, 401 E000110, certain.
func TestCreated(t *testing.T) {
	for _, tc := range []struct {
		name  string
		now   func() time.Time
		wrong bool
	}{
		{"UTC+8 zone", func() time.Time { return time.Now().In(time.FixedZone("CST", 8*3600)) }, false},
		{"an hour behind", func() time.Time { return time.Now().Add(-time.Hour) }, true},
		{"local time as UTC", func() time.Time {
			now := time.Now().In(time.FixedZone("CST", 8*3600))
			return time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.UTC)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := huaweicloudtest.NewServer(t)
			n, err := New(App{URL: srv.URL(), AppKey: srv.AppKey, AppSecret: srv.AppSecret, Sender: srv.Sender, TemplateID: srv.TemplateID},
				WithTemplates(srv.TemplateIDs))
			if err != nil {
				t.Fatal(err)
			}
			n.now = tc.now
			err = n.Notify(context.Background(), delivery.Message{Channel: delivery.SMS, To: "+8613612345678", Code: "123456", Validity: time.Minute})
			if !tc.wrong {
				if err != nil || len(srv.Problems()) > 0 {
					t.Fatalf("err = %v, problems %q", err, srv.Problems())
				}
				return
			}
			if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), "E000110") {
				t.Errorf("err = %v", err)
			}
			if p := srv.Problems(); len(p) != 1 || !strings.Contains(p[0], "Created") {
				t.Errorf("problems %q", p)
			}
		})
	}
}
