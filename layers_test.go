package vcode_test

import (
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const mod = "github.com/vcodekit/vcode"

// layers places every package of the workspace (go.work: the core module
// and the nested ones) on a level: a package may import only packages of
// lower levels, so that contracts sit at the leaves and every arrow runs
// down the data path, request -> httpmw -> verifier -> (contact, limiter,
// store, delivery). A package missing here fails the test, so that a new
// one is placed on purpose.
var layers = map[string]int{
	// Leaves: no other vcode package. The delivery contract, the manual
	// clock below the conformance suites, contacts, texts, helpers, and
	// the providers' fakes.
	"delivery":                           0,
	"contact":                            0,
	"i18n":                               0,
	"internal/asynclog":                  0,
	"internal/clock":                     0,
	"internal/clientip":                  0,
	"internal/leakcheck":                 0,
	"internal/memcache":                  0,
	"internal/rediskey":                  0,
	"internal/redistest":                 0,
	"internal/smtptest":                  0,
	"notify/huaweicloud/huaweicloudtest": 0,
	"notify/sns/snstest":                 0,
	"notify/twilio/twiliotest":           0,
	// The interfaces of the backends with their in-memory implementations,
	// and the notifiers, on the delivery contract alone.
	"store":              1,
	"limiter":            1,
	"notify":             1,
	"notify/huaweicloud": 1,
	"notify/sns":         1,
	"notify/twilio":      1,
	// The observation contract, on the delivery contract alone, so that a
	// metrics adapter needs it and not the verifier.
	"observe": 1,

	// The browser element's files, on the country table alone: a page
	// talks to httpmw over HTTP, not through imports.
	"widget": 1,

	// vcodetest.WithNotifier's way into verifier.New.
	"internal/notifyhook": 1,

	// What implements or checks the backends' interfaces.
	"store/storetest":      2,
	"store/redisstore":     2,
	"limiter/limitertest":  2,
	"limiter/redislimiter": 2,
	"verifier":             3,
	"httpmw":               4,
	"vcodetest":            4,
	"prommetrics":          5,
	"":                     6, // the module's doc package
	"cmd/vcoded":           6,
	"cmd/vcodeload":        6,
	"cmd/vcodesim":         6,
}

type pkgInfo struct {
	standard bool
	imports  []string
}

// importGraph returns what go list -deps says of every package the
// workspace's packages need, standard library included.
func importGraph(t *testing.T) map[string]pkgInfo {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{join .Imports \",\"}}", mod+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	g := map[string]pkgInfo{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("go list printed %q", line)
		}
		var imports []string
		if len(f) > 2 {
			imports = strings.Split(f[2], ",")
		}
		g[f[0]] = pkgInfo{standard: f[1] == "true", imports: imports}
	}
	return g
}

// rel returns p relative to the module ("" for the module's own package)
// and whether it is one of the workspace's.
func rel(p string) (string, bool) {
	if p == mod {
		return "", true
	}
	r, ok := strings.CutPrefix(p, mod+"/")
	return r, ok
}

// deps returns p and everything it imports, directly or not.
func deps(g map[string]pkgInfo, p string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		for _, q := range g[p].imports {
			walk(q)
		}
	}
	walk(p)
	return seen
}

// TestLayering fails if an import runs sideways or back up the layers, or
// if a package of the workspace has no layer.
func TestLayering(t *testing.T) {
	g := importGraph(t)
	for _, p := range slices.Sorted(maps.Keys(g)) {
		info := g[p]
		from, ok := rel(p)
		if !ok {
			continue
		}
		level, placed := layers[from]
		if !placed {
			t.Errorf("%s has no layer in layers_test.go", p)
			continue
		}
		for _, q := range info.imports {
			to, ok := rel(q)
			if ok && layers[to] >= level {
				t.Errorf("%s (layer %d) imports %s (layer %d): the arrow must point down", p, level, q, layers[to])
			}
		}
	}
	// Every layer's package must be there: a renamed package would make
	// the test pass vacuously.
	for _, p := range slices.Sorted(maps.Keys(layers)) {
		if _, ok := g[strings.TrimSuffix(mod+"/"+p, "/")]; !ok {
			t.Errorf("go list did not report %s/%s (a nested module left out of go.work?)", mod, p)
		}
	}
}

// TestContractsAtTheLeaves: a provider module needs the delivery contract
// of vcode and nothing else (contact at most), and a conformance suite
// needs what the interface it checks needs, the manual clock and the
// standard library.
func TestContractsAtTheLeaves(t *testing.T) {
	g := importGraph(t)
	for _, provider := range []string{"notify/twilio", "notify/sns", "notify/huaweicloud"} {
		for _, d := range slices.Sorted(maps.Keys(deps(g, mod+"/"+provider))) {
			if r, ok := rel(d); ok && r != provider && r != "delivery" && r != "contact" {
				t.Errorf("%s depends on %s", provider, d)
			}
		}
	}
	for _, s := range [][2]string{{"store/storetest", "store"}, {"limiter/limitertest", "limiter"}} {
		suite, iface := s[0], s[1]
		allowed := deps(g, mod+"/"+iface)
		allowed[mod+"/"+suite], allowed[mod+"/internal/clock"] = true, true
		var extra []string
		for d := range deps(g, mod+"/"+suite) {
			if !allowed[d] && !g[d].standard && d != "C" { // C: cgo's pseudo-package
				extra = append(extra, d)
			}
		}
		slices.Sort(extra)
		if extra != nil {
			t.Errorf("%s depends on more than %s: %v", suite, iface, extra)
		}
	}
	for _, leaf := range []string{"delivery", "internal/clock"} {
		for _, d := range slices.Sorted(maps.Keys(deps(g, mod+"/"+leaf))) {
			if r, ok := rel(d); ok && r != leaf {
				t.Errorf("%s depends on %s", leaf, d)
			}
		}
	}
}
