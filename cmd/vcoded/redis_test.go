package main

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/redistest"
)

// envSentinel names Redis Sentinels (comma-separated host:port) that
// monitor a master named sentinelMaster; .ci/redis.sh starts one. Without
// it the sentinel test against a real server is skipped.
const (
	envSentinel    = "VCODE_TEST_REDIS_SENTINEL"
	sentinelMaster = "vcode-test"
)

// TestRedisURLForms: each form of -redis gives go-redis the topology, the
// addresses, the credentials and the database it says.
func TestRedisURLForms(t *testing.T) {
	tests := []struct {
		url                  string
		kind                 string
		addrs                []string // the node, the seeds or the sentinels
		user, pass           string   // the nodes' or the master's
		db                   int
		master               string
		sentinelUser, sentPw string
		tls                  bool
	}{
		{url: "redis://127.0.0.1:6379/2", kind: "redis", addrs: []string{"127.0.0.1:6379"}, db: 2},
		{url: "rediss://u:p%40ss@cache.example.com:6380", kind: "redis", addrs: []string{"cache.example.com:6380"}, user: "u", pass: "p@ss", tls: true},
		{url: "redis://localhost", kind: "redis", addrs: []string{"localhost:6379"}},
		{url: "redis+cluster://127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003", kind: "redis-cluster", addrs: []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}},
		{url: "redis+cluster://:secret@10.0.0.1:7001/?dial_timeout=2s", kind: "redis-cluster", addrs: []string{"10.0.0.1:7001"}, pass: "secret"},
		{url: "rediss+cluster://app:pw@[::1]:7001,[::1]:7002/", kind: "redis-cluster", addrs: []string{"[::1]:7001", "[::1]:7002"}, user: "app", pass: "pw", tls: true},
		{url: "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster", kind: "redis-sentinel", addrs: []string{"10.0.0.1:26379", "10.0.0.2:26379"}, master: "mymaster"},
		{url: "redis+sentinel://app:pw@10.0.0.1:26379/mymaster/3?sentinel_password=sp", kind: "redis-sentinel", addrs: []string{"10.0.0.1:26379"},
			user: "app", pass: "pw", db: 3, master: "mymaster", sentPw: "sp"},
		{url: "rediss+sentinel://s.example.com:26379/main?sentinel_username=su&sentinel_password=sp&pool_size=5", kind: "redis-sentinel", addrs: []string{"s.example.com:26379"},
			master: "main", sentinelUser: "su", sentPw: "sp", tls: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			cfg, err := parseRedisURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.kind != tt.kind {
				t.Fatalf("kind %q, want %q", cfg.kind, tt.kind)
			}
			var addrs []string
			var user, pass, master, sentUser, sentPw string
			var db int
			var tls, timeouts bool
			switch {
			case cfg.single != nil:
				o := cfg.single
				addrs, user, pass, db, tls, timeouts = []string{o.Addr}, o.Username, o.Password, o.DB, o.TLSConfig != nil, o.ContextTimeoutEnabled
			case cfg.cluster != nil:
				o := cfg.cluster
				addrs, user, pass, tls, timeouts = o.Addrs, o.Username, o.Password, o.TLSConfig != nil, o.ContextTimeoutEnabled
			case cfg.failover != nil:
				o := cfg.failover
				addrs, user, pass, db, tls, timeouts = o.SentinelAddrs, o.Username, o.Password, o.DB, o.TLSConfig != nil, o.ContextTimeoutEnabled
				master, sentUser, sentPw = o.MasterName, o.SentinelUsername, o.SentinelPassword
			default:
				t.Fatal("no options")
			}
			if strings.Join(addrs, ",") != strings.Join(tt.addrs, ",") {
				t.Errorf("addresses %q, want %q", addrs, tt.addrs)
			}
			if user != tt.user || pass != tt.pass || db != tt.db || tls != tt.tls {
				t.Errorf("user %q password %q db %d tls %v, want %q %q %d %v", user, pass, db, tls, tt.user, tt.pass, tt.db, tt.tls)
			}
			if master != tt.master || sentUser != tt.sentinelUser || sentPw != tt.sentPw {
				t.Errorf("master %q sentinel user %q password %q, want %q %q %q", master, sentUser, sentPw, tt.master, tt.sentinelUser, tt.sentPw)
			}
			if !timeouts {
				t.Error("context timeouts not enabled: a hung server would not be bounded")
			}
		})
	}
}

// TestRedisURLErrors: a URL of no form, or wrong for its form, is refused
// with a message that says what is wrong and quotes nothing of the URL.
func TestRedisURLErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"http://127.0.0.1:6379", "not valid"},
		{"redis+replica://127.0.0.1:6379", "unknown scheme"},
		{"redis://127.0.0.1:6379,127.0.0.1:6380", "names one node"},
		{"redis+cluster://127.0.0.1:7001/0", "names no database"},
		{"redis+cluster://127.0.0.1,127.0.0.1:7002", "each host is host:port"},
		{"redis+cluster://127.0.0.1:7001?pool_size=many", "not valid: redis+cluster://"},
		{"redis+sentinel://127.0.0.1:26379", "names the master"},
		{"redis+sentinel://127.0.0.1:26379/", "names the master"},
		{"redis+sentinel://127.0.0.1:26379/m/0/1", "names the master"},
		{"redis+sentinel://127.0.0.1:26379/m/zero", "not valid: redis+sentinel://"},
		{"redis+sentinel://127.0.0.1:26379/m?master_name=other", "given by the URL itself"},
		{"redis+sentinel://127.0.0.1:26379/m?password=x", "given by the URL itself"},
		{"redis+sentinel://:26379/m", "each host is host:port"},
		{"rediss+sentinel://" + leakUser + ":" + leakPass + "%zz@127.0.0.1:26379/m", "malformed"},
		{"redis+cluster://" + leakUser + ":" + leakPass + "/x@127.0.0.1:7001", "malformed"},
		{"redis+cluster://127.0.0.1:7001,127.0.0.1:port", "each host is host:port"},
		{"redis+cluster://" + leakUser + ":" + leakPass + "@127.0.0.1:7001?dial_timeout=" + leakPass, "not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := parseRedisURL(tt.url)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "-redis: ") {
				t.Errorf("error %q, want it to start with -redis: and say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), leakPass) || strings.Contains(err.Error(), leakUser) {
				t.Errorf("the error quotes the URL's credentials: %v", err)
			}
		})
	}
}

// TestRedisCluster runs vcoded on the real Redis Cluster: codes sent
// through one instance verify through another, /readyz pings the cluster,
// and the keys are on the cluster's nodes under the prefix.
func TestRedisCluster(t *testing.T) {
	cluster := redistest.ClusterClient(t) // skips without VCODE_TEST_REDIS_CLUSTER
	prefix := redistest.Prefix(t)
	env := map[string]string{
		"VCODE_TOKENS": "tok", "VCODE_SECRET": "an HMAC secret of 16+ bytes",
		"VCODE_REDIS_URL":    "redis+cluster://" + os.Getenv(redistest.EnvCluster),
		"VCODE_REDIS_PREFIX": prefix,
	}
	a, b := start(t, nil, env), start(t, nil, env)
	if !strings.Contains(a.stderr.String(), "backend=redis-cluster") {
		t.Fatalf("the start line does not name the cluster:\n%s", a.stderr)
	}
	if status, body := get(t, a.url+"/readyz"); status != 200 {
		t.Fatalf("/readyz: %d %s", status, body)
	}
	sendThroughVerifyThrough(t, a, b)
	keys := countKeys(t, cluster, prefix)
	if keys == 0 {
		t.Fatalf("no key under %q on the cluster's masters", prefix)
	}
}

// countKeys counts the keys under prefix on every master of the cluster.
func countKeys(t *testing.T, c *redis.ClusterClient, prefix string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n atomic.Int64
	err := c.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		iter := node.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for i := 0; i < 10000 && iter.Next(ctx); i++ {
			n.Add(1)
		}
		return iter.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return int(n.Load())
}

// TestRedisSentinel runs vcoded on a master found through the real
// Sentinels in VCODE_TEST_REDIS_SENTINEL (skipped without it): codes sent
// through one instance verify through another, and /readyz answers.
func TestRedisSentinel(t *testing.T) {
	sentinels := os.Getenv(envSentinel)
	if sentinels == "" {
		t.Skipf("%s not set: no Redis Sentinel to test against", envSentinel)
	}
	env := map[string]string{
		"VCODE_TOKENS": "tok", "VCODE_SECRET": "an HMAC secret of 16+ bytes",
		"VCODE_REDIS_URL":    "redis+sentinel://" + sentinels + "/" + sentinelMaster,
		"VCODE_REDIS_PREFIX": redistest.Prefix(t),
	}
	a, b := start(t, nil, env), start(t, nil, env)
	if !strings.Contains(a.stderr.String(), "backend=redis-sentinel") {
		t.Fatalf("the start line does not name the sentinel:\n%s", a.stderr)
	}
	if strings.Contains(a.stderr.String(), "redis does not answer") {
		t.Fatalf("the master was not reached through the sentinels:\n%s", a.stderr)
	}
	if status, body := get(t, a.url+"/readyz"); status != 200 {
		t.Fatalf("/readyz: %d %s", status, body)
	}
	sendThroughVerifyThrough(t, a, b)

	// A master name the sentinels do not know: vcoded starts (Redis may
	// come later) but is not ready, and says so.
	env["VCODE_REDIS_URL"] = "redis+sentinel://" + sentinels + "/no-such-master"
	c := start(t, nil, env)
	if !strings.Contains(c.stderr.String(), "redis does not answer") {
		t.Fatalf("no warning for an unknown master:\n%s", c.stderr)
	}
	if status, _ := get(t, c.url+"/readyz"); status != 503 {
		t.Fatalf("/readyz with an unknown master: %d, want 503", status)
	}
}

// TestRedisURLSecretWarning: a -redis URL holding a password, the nodes'
// or the sentinels', is warned about when given as a flag.
func TestRedisURLSecretWarning(t *testing.T) {
	for url, want := range map[string]bool{
		"redis+cluster://h1:7001,h2:7002":                  false,
		"redis+cluster://:pw@h1:7001,h2:7002":              true,
		"redis+sentinel://h1:26379,h2:26379/m":             false,
		"redis+sentinel://app:pw@h1:26379/m":               true,
		"redis+sentinel://h1:26379/m?sentinel_password=sp": true,
	} {
		if got := warnSecretFlag("redis", url); got != want {
			t.Errorf("warnSecretFlag(-redis %s) = %v, want %v", url, got, want)
		}
	}
}
