// Command vcodeload measures vcode's HTTP throughput against a bare net/http
// handler, side by side in one run, with Debian's wrk as the load generator:
//
//	go run ./cmd/vcodeload
//
// It starts, on loopback ports, (a) a bare handler that reads the body and
// answers 200, (a') the ceiling: a plain net/http handler that reads the
// body and writes exactly the bytes vcode writes on the attack path (see
// sameBytes), and (b) vcode's handler on the in-memory backends with limits
// high enough to measure the pipeline and a discarding notifier, with
// -contacts contacts holding pending codes. wrk then drives, one after the
// other for -duration each: the bare handler; vcode's verify endpoint with a
// mix of right and wrong codes over all the contacts; vcode's send endpoint;
// an attack run, one contact hammered with wrong codes under the default
// limits, so that nearly every request takes the 429 path; and a flood of
// verifies for distinct contacts never sent a code (a phone parse each).
// Each round runs every scenario once, interleaved. It prints throughput,
// p50 and p99 latency (medians over the rounds), and each run's ratio to
// bare and to the ceiling of the same round (median and range).
//
// With -redis URL, the three vcode runs are repeated on the Redis backends
// (redisstore and redislimiter on that server, under a key prefix of the
// run's own), so the table compares memory, Redis and bare side by side.
// With -vcoded, it also builds cmd/vcoded and attacks it as shipped (its
// request log on, written to a file), the 429 path again; each
// -compare-vcoded BIN attacks another build beside it (before and after a
// change, in one run). Every run reports its server's CPU per request
// (this process's for the in-process servers, which run one at a time;
// cmd/vcoded's own), steadier than throughput on a shared machine, and
// the ceiling's over it; Redis runs also report the Redis server's own CPU
// per request (INFO cpu). -only REGEXP keeps the vcode rows it matches.
//
// -cpuprofile FILE profiles the process (the in-process servers, and the
// preloading) for go tool pprof; wrk runs apart and is not in it.
//
// With -memory N it instead sends codes to N distinct contacts on the
// in-memory backends with the default per-contact limits and prints the
// heap bytes per pending code, store and limiter state included (after GC).
// The verifier's clock stands still during the sends, as if they all came
// within a moment: nothing expires before the heap is read (by real time,
// the one-minute deliveries counts of a slow run would be swept as it
// goes, and the figure would depend on how long the sends took).
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

	"github.com/redis/go-redis/v9"
	"github.com/vcodekit/vcode/delivery"
	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/limiter/redislimiter"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/store/redisstore"
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
	redisURL := flag.String("redis", "", "also run vcode on the Redis backends at this redis:// `URL`")
	shipped := flag.Bool("vcoded", false, "also attack cmd/vcoded as shipped (request log on)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the in-process servers during the load runs to this `file`")
	var compare []string
	flag.Func("compare-vcoded", "also attack this cmd/vcoded `binary` (another build, for before and after in one run); repeatable", func(s string) error {
		compare = append(compare, s)
		return nil
	})
	onlyFlag := flag.String("only", "", "run only the vcode rows whose name matches this `regexp` (the two references always run)")
	flag.Parse()
	var only *regexp.Regexp
	if *onlyFlag != "" {
		var err error
		if only, err = regexp.Compile(*onlyFlag); err != nil {
			fmt.Fprintln(os.Stderr, "vcodeload: -only:", err)
			os.Exit(2)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "vcodeload:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	var err error
	if *memory > 0 {
		err = measureMemory(*memory, *memProfile)
	} else {
		err = loadRuns(*duration, *rounds, *conns, *threads, *contacts, *redisURL, *shipped, compare, only)
	}
	if err != nil {
		pprof.StopCPUProfile()
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

func (c *capture) Notify(_ context.Context, m delivery.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.codes[m.To] = m.Code
	}
	return nil
}

// backend is where a run's verifier keeps codes and limits.
type backend struct {
	name string
	opts func() ([]verifier.Option, error) // fresh backends for each verifier
}

func newVerifier(n delivery.Notifier, high bool, b backend) (*verifier.Verifier, error) {
	opts, err := b.opts()
	if err != nil {
		return nil, err
	}
	if high {
		// The pipeline, not the refusal paths: no limit reached, and the
		// pumping guard off (thousands of unverified codes to one prefix
		// are a burst it rightly blocks). BenchmarkSend in verifier
		// measures the guard's own cost.
		opts = append(opts, verifier.WithLimits(vcodetest.Unlimited()), verifier.WithGuard(verifier.Guard{}))
	}
	return verifier.New(n, opts...)
}

// redisBackend keeps codes and limits on the Redis at url, under a prefix
// of this run's own.
func redisBackend(url string) (backend, *redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return backend{}, nil, errors.New("-redis: not a valid redis:// URL")
	}
	opts.ContextTimeoutEnabled = true
	opts.PoolSize = 128
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return backend{}, nil, fmt.Errorf("-redis: %w", err)
	}
	prefix := fmt.Sprintf("vcodeload:%d:", time.Now().UnixNano())
	n := 0
	secret := []byte("vcodeload secret, shared by the run")
	return backend{"Redis", func() ([]verifier.Option, error) {
		n++
		p := fmt.Sprintf("%s%d:", prefix, n)
		st, err := redisstore.New(client, p+"code:")
		if err != nil {
			return nil, err
		}
		lim, err := redislimiter.New(client, p+"limit:")
		if err != nil {
			return nil, err
		}
		return []verifier.Option{verifier.WithSecrets(secret), verifier.WithStore(st), verifier.WithLimiter(lim)}, nil
	}}, client, nil
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
	redisUS       float64 // Redis's CPU per request, µs
	serverUS      float64 // the server process's CPU per request, µs
}

// target is one vcode under load: a verifier with pending codes behind
// the handler, and the attack target with default limits.
type target struct {
	b                   backend
	v                   *verifier.Verifier
	cap                 *capture
	vURL, aURL          string
	verifyBodies, sends []string
}

func loadRuns(d time.Duration, rounds, conns, threads, contacts int, redisURL string, shipped bool, compare []string, only *regexp.Regexp) error {
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
	ceilingURL, stopCeiling, err := serve(sameBytes{})
	if err != nil {
		return err
	}
	defer stopCeiling()

	backends := []backend{{"memory", func() ([]verifier.Option, error) { return nil, nil }}}
	var rclient *redis.Client
	if redisURL != "" {
		rb, c, err := redisBackend(redisURL)
		if err != nil {
			return err
		}
		defer c.Close()
		rclient = c
		backends = append(backends, rb)
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var targets []*target
	for bi, b := range backends {
		t := &target{b: b, cap: &capture{codes: map[string]string{}}}
		var err error
		if t.v, err = newVerifier(t.cap, true, b); err != nil {
			return err
		}
		fmt.Printf("preloading %d contacts with pending codes (%s)...\n", contacts, b.name)
		if t.verifyBodies, err = t.preload(ctx, contacts, rng); err != nil {
			return err
		}
		h, err := newHandler(t.v)
		if err != nil {
			return err
		}
		var stop func()
		if t.vURL, stop, err = serve(h); err != nil {
			return err
		}
		defer stop()
		// The attack target: default limits, one contact with a pending
		// code.
		av, err := newVerifier(notify.Discard, false, b)
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
		if t.aURL, stop, err = serve(ah); err != nil {
			return err
		}
		defer stop()
		for i := range contacts {
			t.sends = append(t.sends, `{"contact":"`+phone((2+bi)*contacts+i)+`","country":"chinaPR"}`)
		}
		targets = append(targets, t)
	}
	attackBodies := []string{`{"contact":"` + phone(0) + `","country":"chinaPR","verificationCode":"000000"}`}

	// The flood: every request names a contact never sent a code (a
	// number apart from the preloaded and the sent ones), so each costs a
	// parse; the answer is a 400, wrong code.
	var floodBodies []string
	for i := range contacts {
		floodBodies = append(floodBodies, `{"contact":"`+phone((2+len(targets))*contacts+i)+`","country":"chinaPR","verificationCode":"000000"}`)
	}

	type run struct {
		name, url string
		bodies    []string
		verify    *target // fresh codes each round
		redis     bool    // Redis's own CPU is measured
		pid       int     // the server's process, 0 for this one
	}
	runs := []run{
		{"bare net/http (read body, 200)", bareURL + "/", targets[0].verifyBodies, nil, false, 0},
		{"ceiling: net/http writing the attack path's bytes (429, 6 headers, JSON)", ceilingURL + "/", attackBodies, nil, false, 0},
	}
	for _, t := range targets {
		r := t.b.name == "Redis"
		runs = append(runs,
			run{"vcode verify, " + t.b.name + " (right and wrong codes)", t.vURL + httpmw.VerifyPath, nil, t, r, 0},
			run{"vcode send, " + t.b.name + " (discarding notifier)", t.vURL + httpmw.SendPath, t.sends, nil, r, 0},
			run{"vcode verify under attack, " + t.b.name + " (429 path)", t.aURL + httpmw.VerifyPath, attackBodies, nil, r, 0})
		if !r {
			runs = append(runs, run{"vcode verify, " + t.b.name + ", a flood of distinct contacts never sent a code", t.vURL + httpmw.VerifyPath, floodBodies, nil, r, 0})
		}
	}
	if shipped {
		url, pid, stop, err := startVcoded(dir, "")
		if err != nil {
			return err
		}
		defer stop()
		runs = append(runs, run{"cmd/vcoded as shipped, under attack (429 path, request log on)", url + httpmw.VerifyPath, attackBodies, nil, false, pid})
	}
	for _, bin := range compare {
		url, pid, stop, err := startVcoded(dir, bin)
		if err != nil {
			return err
		}
		defer stop()
		runs = append(runs, run{"cmd/vcoded built at " + bin + ", under attack (429 path, request log on)", url + httpmw.VerifyPath, attackBodies, nil, false, pid})
	}
	if only != nil {
		kept := runs[:2] // the references always run
		for _, r := range runs[2:] {
			if only.MatchString(r.name) {
				kept = append(kept, r)
			}
		}
		runs = kept
	}
	// Interleave the scenarios round by round, so that each sees the same
	// mix of the machine's moods, and report medians.
	samples := make([][]result, len(runs))
	for round := range rounds {
		for i := range runs {
			if t := runs[i].verify; t != nil {
				if round > 0 {
					// Round 1 used up the right codes: issue new ones.
					if t.verifyBodies, err = t.preload(ctx, contacts, rng); err != nil {
						return err
					}
				}
				runs[i].bodies = t.verifyBodies
			}
		}
		for i, r := range runs {
			script := filepath.Join(dir, fmt.Sprintf("run%d.lua", i))
			if err := os.WriteFile(script, luaScript(r.bodies), 0o600); err != nil {
				return err
			}
			fmt.Printf("round %d/%d: %s for %v...\n", round+1, rounds, r.name, d)
			var cpu0 float64
			if r.redis {
				cpu0 = redisCPU(rclient)
			}
			proc0 := processCPU(r.pid)
			out, err := exec.Command(wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
				"-d", d.String(), "--latency", "-s", script, r.url).CombinedOutput()
			if err != nil {
				return fmt.Errorf("wrk: %v\n%s", err, out)
			}
			res, err := parseWrk(r.name, out)
			if err != nil {
				return err
			}
			if proc := processCPU(r.pid) - proc0; proc > 0 && res.total > 0 {
				res.serverUS = 1e6 * proc / float64(res.total)
			}
			if r.redis {
				// Redis's own CPU, user and system, per request.
				if cpu := redisCPU(rclient) - cpu0; cpu > 0 && cpu0 > 0 && res.total > 0 {
					res.redisUS = 1e6 * cpu / float64(res.total)
				}
			}
			samples[i] = append(samples[i], res)
		}
	}
	// Each round's ratios are to that round's references, which ran
	// beside it: the table gives their median and range over the rounds.
	fmt.Printf("\n%d contacts with pending codes; wrk -t%d -c%d -d%v, %d interleaved rounds (medians; ratios to the same round's references, median and range), on %d CPUs shared with the servers\n\n",
		contacts, threads, conns, d, rounds, runtime.NumCPU())
	if redisURL != "" {
		fmt.Printf("Redis: %s, one connection pool shared by the Redis runs; Redis CPU is the server's own (INFO cpu), per request\n\n", redactRedis(redisURL))
	}
	fmt.Println("| run | requests/s | p50 | p99 | non-2xx | vs bare | vs ceiling | server CPU/request | vs ceiling's | Redis CPU/request |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, s := range samples {
		var toBare, toCeiling, cpu, cpuToCeiling []float64
		for round, res := range s {
			toBare = append(toBare, res.rps/samples[0][round].rps)
			toCeiling = append(toCeiling, res.rps/samples[1][round].rps)
			cpu = append(cpu, res.serverUS)
			if c := samples[1][round].serverUS; c > 0 {
				// The ceiling's CPU per request over this one's: 1 is
				// the ceiling, as for throughput.
				cpuToCeiling = append(cpuToCeiling, c/res.serverUS)
			}
		}
		sorted := slices.Clone(s)
		slices.SortFunc(sorted, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
		r := sorted[len(sorted)/2]
		redisCol := ""
		if runs[i].redis {
			var us []float64
			for _, res := range s {
				us = append(us, res.redisUS)
			}
			slices.Sort(us)
			redisCol = fmt.Sprintf("%.1f µs", us[len(us)/2])
		}
		cpuCol, cpuRatio := "", ""
		if slices.Min(cpu) > 0 {
			slices.Sort(cpu)
			cpuCol = fmt.Sprintf("%.1f µs", cpu[len(cpu)/2])
		}
		if len(cpuToCeiling) == len(s) {
			cpuRatio = ratio(cpuToCeiling)
		}
		fmt.Printf("| %s | %.0f | %s | %s | %d of %d | %s | %s | %s | %s | %s |\n", r.name, r.rps, r.p50, r.p99, r.non2xx, r.total, ratio(toBare), ratio(toCeiling), cpuCol, cpuRatio, redisCol)
	}
	return nil
}

// ratio is the median of rs and, over more than one round, their range.
func ratio(rs []float64) string {
	rs = slices.Clone(rs)
	slices.Sort(rs)
	m := rs[len(rs)/2]
	if len(rs) == 1 {
		return fmt.Sprintf("%.2f", m)
	}
	return fmt.Sprintf("%.2f (%.2f-%.2f)", m, rs[0], rs[len(rs)-1])
}

// redisCPU is the Redis server's CPU seconds so far, user and system, from
// INFO cpu; 0 if it cannot tell.
func redisCPU(c *redis.Client) float64 {
	if c == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	info, err := c.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_user" || k == "used_cpu_sys") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return total
}

// preload (re-)issues a pending code to every contact, as the verify
// requests will name them (same contact, same country), and returns the
// verify bodies: each contact's right code and a wrong one, shuffled.
func (t *target) preload(ctx context.Context, contacts int, rng *rand.Rand) ([]string, error) {
	t.cap.mu.Lock()
	t.cap.on = true
	t.cap.mu.Unlock()
	for i := range contacts {
		if _, err := t.v.Send(ctx, verifier.Request{Contact: phone(i), Country: "chinaPR", Subject: "load"}); err != nil {
			return nil, err
		}
	}
	t.cap.mu.Lock()
	t.cap.on = false
	t.cap.mu.Unlock()
	var bodies []string
	for i := range contacts {
		code := t.cap.codes[phone(i)]
		wrongCode := fmt.Sprintf("%06d", (mustAtoi(code)+1+rng.IntN(999998))%1000000)
		bodies = append(bodies,
			`{"contact":"`+phone(i)+`","country":"chinaPR","verificationCode":"`+code+`"}`,
			`{"contact":"`+phone(i)+`","country":"chinaPR","verificationCode":"`+wrongCode+`"}`)
	}
	rng.Shuffle(len(bodies), func(i, j int) { bodies[i], bodies[j] = bodies[j], bodies[i] })
	return bodies, nil
}

// startVcoded builds cmd/vcoded into dir (or runs the binary bin, if
// given) and starts it on a free loopback port as shipped (in-memory
// backends, request log at info), its standard error to a file, as a
// service manager would collect it. It sends one code to the attack
// contact before returning.
func startVcoded(dir, bin string) (string, int, func(), error) {
	if bin == "" {
		bin = filepath.Join(dir, "vcoded")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/vcodekit/vcode/cmd/vcoded").CombinedOutput(); err != nil {
			return "", 0, nil, fmt.Errorf("building cmd/vcoded: %v\n%s", err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.CreateTemp(dir, "vcoded*.log")
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(bin, "-addr", addr)
	cmd.Env = append(os.Environ(), "VCODE_TOKENS="+token)
	cmd.Stdout, cmd.Stderr = io.Discard, logFile
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop := func() { cmd.Process.Signal(os.Interrupt); cmd.Wait(); logFile.Close() }
	url := "http://" + addr
	for i := 0; ; i++ {
		req, _ := http.NewRequest("POST", url+httpmw.SendPath, strings.NewReader(`{"contact":"`+phone(0)+`","country":"chinaPR"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Access-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return url, cmd.Process.Pid, stop, nil
		}
		if i == 100 {
			stop()
			return "", 0, nil, fmt.Errorf("cmd/vcoded did not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // waiting for a process to listen
	}
}

func redactRedis(u string) string {
	if i := strings.LastIndexByte(u, '@'); i >= 0 {
		return "redis://redacted@" + u[i+1:]
	}
	return u
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
	grown, elapsed, err := pendingCodesHeap(n, profile, nil)
	if err != nil {
		return err
	}
	fmt.Printf("%d pending codes (store + the contact's cooldown, hourly cap, share and deliveries): heap +%.1f MiB, %.0f bytes per pending code (sent in %v)\n",
		n, grown/(1<<20), grown/float64(n), elapsed.Round(time.Millisecond))
	return nil
}

// pendingCodesHeap sends codes to n contacts with the default per-contact
// limits, on the in-memory backends, under a clock that stands still,
// and returns the heap's growth (after a GC, the verifier alive) and the
// time the sends took; with a profile
// file, it writes a heap profile there. opts are the verifier's options
// beyond these.
func pendingCodesHeap(n int, profile string, opts []verifier.Option) (grown float64, elapsed time.Duration, err error) {
	l := verifier.DefaultLimits()
	l.Subject, l.IP = verifier.ClientLimits{}, verifier.ClientLimits{}
	// The guard off: n unverified codes to one prefix at once are a burst
	// it blocks; its counters hold at most 1800 events a prefix a day.
	// A clock that stands still: no entry expires, or is swept, however
	// long the sends take.
	frozen := time.Now()
	opts = append([]verifier.Option{verifier.WithLimits(l), verifier.WithGuard(verifier.Guard{}),
		verifier.WithClock(func() time.Time { return frozen })}, opts...)
	v, err := verifier.New(notify.Discard, opts...)
	if err != nil {
		return 0, 0, err
	}
	defer v.Close()
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := range n {
		if _, err := v.Send(ctx, verifier.Request{Contact: phone(i), Subject: "load"}); err != nil {
			return 0, 0, err
		}
	}
	elapsed = time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if profile != "" {
		if err := writeHeapProfile(profile); err != nil {
			return 0, 0, err
		}
	}
	runtime.KeepAlive(v)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc), elapsed, nil
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
