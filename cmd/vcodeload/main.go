// Command vcodeload measures vcode's HTTP throughput against a bare net/http
// handler, side by side in one run, with Debian's wrk as the load generator:
//
//	go run ./cmd/vcodeload
//
// It starts, on loopback ports, (a) a bare handler that reads the body and
// answers 200, and (b) vcode's handler on the in-memory backends with limits
// high enough to measure the pipeline and a discarding notifier, with
// -contacts contacts holding pending codes. wrk then drives, one after the
// other for -duration each: the bare handler; vcode's verify endpoint with a
// mix of right and wrong codes over all the contacts; vcode's send endpoint;
// and an attack run, one contact hammered with wrong codes under the
// default limits, so that nearly every request takes the 429 path. It prints
// throughput, p50 and p99 latency, and each run's ratio to bare.
//
// With -memory N it instead sends codes to N distinct contacts on the
// in-memory backends with the default per-contact limits and prints the
// heap bytes per pending code, store and limiter state included (after GC).
//
// wrk comes from Debian: apt-get install wrk.
package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/vcodetest"
	"github.com/vcodekit/vcode/verifier"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "length of each wrk run")
	rounds := flag.Int("rounds", 3, "rounds; each round runs every scenario once, and the table shows medians")
	conns := flag.Int("connections", 64, "wrk connections")
	threads := flag.Int("threads", 2, "wrk threads")
	contacts := flag.Int("contacts", 10000, "contacts with pending codes for the verify run")
	memory := flag.Int("memory", 0, "instead of the load runs, measure heap bytes per pending code at this many contacts")
	memProfile := flag.String("memprofile", "", "with -memory, write a heap profile to this file")
	flag.Parse()
	var err error
	if *memory > 0 {
		err = measureMemory(*memory, *memProfile)
	} else {
		err = loadRuns(*duration, *rounds, *conns, *threads, *contacts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vcodeload:", err)
		os.Exit(1)
	}
}

const token = "load-token"

func phone(i int) string { return fmt.Sprintf("+86136%08d", i) }

// capture records codes while the contacts are preloaded, then discards.
type capture struct {
	mu    sync.Mutex
	on    bool
	codes map[string]string
}

func (c *capture) Notify(_ context.Context, m verifier.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.codes[m.To] = m.Code
	}
	return nil
}

func newVerifier(n verifier.Notifier, high bool) (*verifier.Verifier, error) {
	if !high {
		return verifier.New(n)
	}
	return verifier.New(n,
		verifier.WithLimits(vcodetest.Unlimited()))
}

func newHandler(v *verifier.Verifier) (http.Handler, error) {
	auth, err := httpmw.NewStaticTokens(map[string]string{token: "load"})
	if err != nil {
		return nil, err
	}
	return httpmw.New(v, auth)
}

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

type result struct {
	name          string
	rps           float64
	p50, p99      string
	non2xx, total int
}

func loadRuns(d time.Duration, rounds, conns, threads, contacts int) error {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return errors.New("wrk not found: apt-get install wrk")
	}
	dir, err := os.MkdirTemp("", "vcodeload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	bareURL, stopBare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	if err != nil {
		return err
	}
	defer stopBare()

	// vcode with high limits, preloaded.
	cap := &capture{on: true, codes: map[string]string{}}
	v, err := newVerifier(cap, true)
	if err != nil {
		return err
	}
	ctx := context.Background()
	// preload (re-)issues a pending code to every contact, as the verify
	// requests will name them (same contact, same country), and returns the
	// verify bodies: each contact's right code and a wrong one, shuffled.
	rng := rand.New(rand.NewPCG(1, 2))
	preload := func() ([]string, error) {
		cap.mu.Lock()
		cap.on = true
		cap.mu.Unlock()
		for i := range contacts {
			if _, err := v.Send(ctx, verifier.Request{Contact: phone(i), Country: "chinaPR", Subject: "load"}); err != nil {
				return nil, err
			}
		}
		cap.mu.Lock()
		cap.on = false
		cap.mu.Unlock()
		var bodies []string
		for i := range contacts {
			code := cap.codes[phone(i)]
			wrongCode := fmt.Sprintf("%06d", (mustAtoi(code)+1+rng.IntN(999998))%1000000)
			bodies = append(bodies,
				`{"contact":"`+phone(i)+`","country":"chinaPR","verificationCode":"`+code+`"}`,
				`{"contact":"`+phone(i)+`","country":"chinaPR","verificationCode":"`+wrongCode+`"}`)
		}
		rng.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
		return bodies, nil
	}
	fmt.Printf("preloading %d contacts with pending codes...\n", contacts)
	verifyBodies, err := preload()
	if err != nil {
		return err
	}
	h, err := newHandler(v)
	if err != nil {
		return err
	}
	vURL, stopV, err := serve(h)
	if err != nil {
		return err
	}
	defer stopV()

	// The attack target: default limits, one contact with a pending code.
	av, err := newVerifier(notify.Discard, false)
	if err != nil {
		return err
	}
	if _, err := av.Send(ctx, verifier.Request{Contact: phone(0), Country: "chinaPR", Subject: "load"}); err != nil {
		return err
	}
	ah, err := newHandler(av)
	if err != nil {
		return err
	}
	aURL, stopA, err := serve(ah)
	if err != nil {
		return err
	}
	defer stopA()

	var sendBodies []string
	for i := range contacts {
		sendBodies = append(sendBodies, `{"contact":"`+phone(contacts+i)+`","country":"chinaPR"}`)
	}
	attackBodies := []string{`{"contact":"` + phone(0) + `","country":"chinaPR","verificationCode":"000000"}`}

	runs := []struct {
		name, url string
		bodies    []string
	}{
		{"bare net/http (read body, 200)", bareURL + "/", verifyBodies},
		{"vcode verify (right and wrong codes)", vURL + httpmw.VerifyPath, nil}, // fresh codes each round
		{"vcode send (discarding notifier)", vURL + httpmw.SendPath, sendBodies},
		{"vcode verify under attack (429 path)", aURL + httpmw.VerifyPath, attackBodies},
	}
	// Interleave the scenarios round by round, so that each sees the same
	// mix of the machine's moods, and report medians.
	samples := make([][]result, len(runs))
	for round := range rounds {
		if round > 0 {
			// Round 1 used up the right codes: issue new ones.
			if verifyBodies, err = preload(); err != nil {
				return err
			}
		}
		runs[1].bodies = verifyBodies
		for i, r := range runs {
			script := filepath.Join(dir, fmt.Sprintf("run%d.lua", i))
			if err := os.WriteFile(script, luaScript(r.bodies), 0o600); err != nil {
				return err
			}
			fmt.Printf("round %d/%d: %s for %v...\n", round+1, rounds, r.name, d)
			out, err := exec.Command(wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
				"-d", d.String(), "--latency", "-s", script, r.url).CombinedOutput()
			if err != nil {
				return fmt.Errorf("wrk: %v\n%s", err, out)
			}
			res, err := parseWrk(r.name, out)
			if err != nil {
				return err
			}
			samples[i] = append(samples[i], res)
		}
	}
	results := make([]result, len(runs))
	for i, s := range samples {
		slices.SortFunc(s, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
		results[i] = s[len(s)/2]
	}

	bare := results[0].rps
	fmt.Printf("\n%d contacts with pending codes; wrk -t%d -c%d -d%v, %d interleaved rounds (medians), on %d CPUs shared with the servers\n\n",
		contacts, threads, conns, d, rounds, runtime.NumCPU())
	fmt.Println("| run | requests/s | p50 | p99 | non-2xx | vs bare |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Printf("| %s | %.0f | %s | %s | %d of %d | %.0f%% |\n", r.name, r.rps, r.p50, r.p99, r.non2xx, r.total, 100*r.rps/bare)
	}
	return nil
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// luaScript makes wrk POST the bodies in turn, each thread from a random
// starting point.
func luaScript(bodies []string) []byte {
	var b bytes.Buffer
	b.WriteString("local bodies = {\n")
	for _, body := range bodies {
		fmt.Fprintf(&b, "%q,\n", body)
	}
	b.WriteString(`}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Access-Token"] = "` + token + `"
init = function(args) i = math.random(#bodies) end
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
`)
	return b.Bytes()
}

var (
	reRPS     = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	reP50     = regexp.MustCompile(`\n\s+50%\s+(\S+)`)
	reP99     = regexp.MustCompile(`\n\s+99%\s+(\S+)`)
	reNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reTotal   = regexp.MustCompile(`(\d+) requests in`)
	reSockErr = regexp.MustCompile(`Socket errors: .*`)
)

func parseWrk(name string, out []byte) (result, error) {
	m := reRPS.FindSubmatch(out)
	if m == nil {
		return result{}, fmt.Errorf("%s: no throughput in wrk's output:\n%s", name, out)
	}
	r := result{name: name}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := reP50.FindSubmatch(out); m != nil {
		r.p50 = string(m[1])
	}
	if m := reP99.FindSubmatch(out); m != nil {
		r.p99 = string(m[1])
	}
	if m := reNon2xx.FindSubmatch(out); m != nil {
		r.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	if m := reTotal.FindSubmatch(out); m != nil {
		r.total, _ = strconv.Atoi(string(m[1]))
	}
	if e := reSockErr.Find(out); e != nil {
		fmt.Printf("  %s: %s\n", name, strings.TrimSpace(string(e)))
	}
	return r, nil
}

// measureMemory sends codes to n contacts with the default per-contact
// limits and reports the heap growth per pending code.
func measureMemory(n int, profile string) error {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	v, err := verifier.New(notify.Discard, verifier.WithLimits(l))
	if err != nil {
		return err
	}
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := range n {
		if _, err := v.Send(ctx, verifier.Request{Contact: phone(i), Subject: "load"}); err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			return err
		}
		f.Close()
	}
	runtime.KeepAlive(v)
	grown := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	fmt.Printf("%d pending codes (store + per-contact cooldown and hourly limits): heap +%.1f MiB, %.0f bytes per pending code (sent in %v)\n",
		n, grown/(1<<20), grown/float64(n), elapsed.Round(time.Millisecond))
	return nil
}
