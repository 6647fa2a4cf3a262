package huaweicloud_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/notify/huaweicloud"
	"github.com/vcodekit/vcode/notify/huaweicloud/huaweicloudtest"
)

// Close closes the connections of the Notifier's own transport: none of
// its goroutines (nor the server's for that connection) outlives it. A
// later Notify is refused without a request.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	srv := huaweicloudtest.NewServer(t)
	before := goleak.IgnoreCurrent()
	n := notifier(t, srv, nil)
	if err := n.Notify(context.Background(), message("zh-CN")); err != nil {
		t.Fatal(err)
	}
	// The kept-alive connection has goroutines of its own: the check
	// below sees them.
	if goleak.Find(before) == nil {
		t.Fatal("no goroutine after a send: the test would prove nothing")
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, before)

	requests := srv.Requests()
	err := n.Notify(context.Background(), message("zh-CN"))
	if !errors.Is(err, delivery.ErrUndelivered) || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Notify after Close: %v", err)
	}
	if srv.Requests() != requests {
		t.Error("Notify after Close made a request")
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	goleak.VerifyNone(t, before)
}

// A send in flight when Close is called completes, and its connection is
// closed when it ends.
func TestCloseDuringSend(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		w.Write([]byte(`{"code":"000000","description":"Success","result":[{"originTo":"+8613612345678","status":"000000"}]}`))
	}))
	defer srv.Close()
	before := goleak.IgnoreCurrent()
	n, err := config{App: huaweicloud.App{URL: srv.URL, AppKey: "k", AppSecret: "s", Sender: "x", TemplateID: "t"}}.new()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- n.Notify(context.Background(), message("zh-CN")) }()
	<-arrived
	n.Close()
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the send in flight: %v", err)
	}
	goleak.VerifyNone(t, before)
}

// A Client given in Config stays the caller's: Close leaves its idle
// connection, which the caller's next request reuses.
func TestCloseLeavesCallersClient(t *testing.T) {
	srv := huaweicloudtest.NewServer(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	n := notifier(t, srv, func(c *config) { c.Client = client })
	if err := n.Notify(context.Background(), message("zh-CN")); err != nil {
		t.Fatal(err)
	}
	n.Close()
	var reused bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL()+"/", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !reused {
		t.Error("Close closed the connections of the caller's client")
	}
	if err := n.Notify(context.Background(), message("zh-CN")); !errors.Is(err, delivery.ErrUndelivered) {
		t.Errorf("Notify after Close: %v", err)
	}
}
