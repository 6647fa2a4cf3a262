package huaweicloud

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
)

// Close called after Notify checked it and before the connection was
// taken (here, while the request is built) would leave that connection
// idle, as the transport's next request undoes CloseIdleConnections:
// Notify closes it once done.
func TestCloseBeforeDial(t *testing.T) {
	srv := huaweicloudtest.NewServer(t)
	before := goleak.IgnoreCurrent()
	n, err := New(App{URL: srv.URL(), AppKey: srv.AppKey, AppSecret: srv.AppSecret, Sender: srv.Sender, TemplateID: srv.TemplateID})
	if err != nil {
		t.Fatal(err)
	}
	n.now = func() time.Time {
		n.Close()
		return time.Now()
	}
	err = n.Notify(context.Background(), delivery.Message{Channel: delivery.SMS, To: "+8613612345678", Code: "123456", Validity: time.Minute})
	if err != nil || len(srv.Problems()) > 0 {
		t.Fatalf("err = %v, problems %q", err, srv.Problems())
	}
	goleak.VerifyNone(t, before)
}
