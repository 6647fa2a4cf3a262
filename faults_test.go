package vcode_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

// sendCode sends a code to phone and returns the verify body with the right
// code.
func (in *instance) sendCode(t *testing.T, phone string) string {
	t.Helper()
	if st, ec := in.post(t, httpmw.SendPath, `{"contact":"`+phone+`"}`); st != 200 {
		t.Fatalf("send to %s: %d %s", phone, st, ec)
	}
	code, _ := in.rec.LastCode(phone)
	return `{"contact":"` + phone + `","verificationCode":"` + code + `"}`
}

// verifiesOnce checks that the right code verifies, and only once.
func (in *instance) verifiesOnce(t *testing.T, right, when string) {
	t.Helper()
	if st, ec := in.post(t, httpmw.VerifyPath, right); st != 200 {
		t.Fatalf("the right code %s: %d %s", when, st, ec)
	}
	// Right after an outage a pooled connection may still be a dead one
	// (a 500, never a 200): the second try is repeated past such
	// transient failures, a few times at most, and must then be refused.
	st, ec := in.post(t, httpmw.VerifyPath, right)
	for try := 0; st == 500 && try < 5; try++ {
		t.Logf("the right code a second time %s: %d %s, tried again", when, st, ec)
		st, ec = in.post(t, httpmw.VerifyPath, right)
	}
	if st != 400 || ec != httpmw.CodeWrongCode {
		t.Fatalf("the right code a second time %s: %d %s", when, st, ec)
	}
}

// TestRedisKilledUnderLoad: while clients hammer send and verify, the
// Redis server is killed (SIGKILL, a redis-server process of the test's own
// in CI) and started again. While it is down every answer is a 500 (never a
// 200, even for the right code); once it is back, service resumes with the
// same clients and no restart of vcode, and the code that could not be
// verified during the outage still verifies, once (the server keeps an
// append-only file, as a production Redis with persistence does).
func TestRedisKilledUnderLoad(t *testing.T) {
	server := redistest.StartServer(t)
	client := redistest.NewClient(t, server.Addr())
	in := newInstance(t, client, redistest.Prefix(t),
		verifier.WithLimits(vcodetest.Unlimited()))
	right := in.sendCode(t, "+8613600000001")

	// Background load on another contact, before, during and after.
	var outage atomic.Bool
	var during, after atomic.Int32
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				down := outage.Load()
				var st int
				if i%2 == 0 {
					st, _ = in.post(t, httpmw.SendPath, `{"contact":"+8613600000002"}`)
				} else {
					st, _ = in.post(t, httpmw.VerifyPath, `{"contact":"+8613600000002","verificationCode":"000000"}`)
				}
				if down && outage.Load() { // the whole request ran during the outage
					during.Add(1)
					if st != 500 {
						t.Errorf("status %d while Redis was down", st)
					}
				} else if !down && st != 500 {
					after.Add(1)
				}
			}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	server.Kill() // returns once the process is gone
	outage.Store(true)
	// The right code, tried only while Redis is away: never a success.
	for range 20 {
		if st, ec := in.post(t, httpmw.VerifyPath, right); st != 500 || ec != httpmw.CodeInternal {
			t.Fatalf("the right code while Redis is down: %d %s", st, ec)
		}
	}
	time.Sleep(200 * time.Millisecond)
	outage.Store(false) // before the restart: a request that saw the outage begin must not see it end
	server.Restart()
	// Recovery: the background clients get real answers again, with no
	// restart of anything but Redis.
	after.Store(0)
	deadline := time.Now().Add(10 * time.Second)
	for after.Load() < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("service did not resume within 10 s of Redis coming back (%d answers)", after.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if during.Load() == 0 {
		t.Fatal("no background request ran during the outage: the test exercised nothing")
	}
	in.verifiesOnce(t, right, "after the outage")
	t.Logf("%d background requests and 20 right-code verifies during the outage, all 500", during.Load())
}

// TestRedisFrozenTimesOut: a Redis process that stops answering (SIGSTOP)
// cannot hold requests: each fails closed with a 500 within the backends'
// operation timeout (500 ms here), and when it runs again the code sent
// before still verifies, once, with the same clients.
func TestRedisFrozenTimesOut(t *testing.T) {
	server := redistest.StartServer(t)
	client := redistest.NewClient(t, server.Addr())
	in := newInstance(t, client, redistest.Prefix(t))
	right := in.sendCode(t, "+8613600000003")

	server.Freeze()
	for _, c := range []struct{ path, body string }{
		{httpmw.VerifyPath, right},
		{httpmw.SendPath, `{"contact":"+8613600000004"}`},
	} {
		start := time.Now()
		st, ec := in.post(t, c.path, c.body)
		elapsed := time.Since(start)
		if st != 500 || ec != httpmw.CodeInternal {
			server.Thaw()
			t.Fatalf("%s with Redis frozen: %d %s, want 500 %s", c.path, st, ec, httpmw.CodeInternal)
		}
		// One timed-out operation fails the request; the clean-up that
		// follows has a budget of its own. Far below this bound either way.
		if elapsed > 5*time.Second {
			server.Thaw()
			t.Fatalf("%s with Redis frozen took %v, with 500 ms operation timeouts", c.path, elapsed)
		}
	}
	server.Thaw()
	in.verifiesOnce(t, right, "after Redis thawed")
}
