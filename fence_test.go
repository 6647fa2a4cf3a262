package vcode_test

import (
	"os/exec"
	"strings"
	"testing"
)

// corePackages are the packages every host imports; they must not drag in a
// backend's client library.
var corePackages = []string{
	"github.com/vcodekit/vcode/verifier",
	"github.com/vcodekit/vcode/contact",
	"github.com/vcodekit/vcode/store",
	"github.com/vcodekit/vcode/limiter",
	"github.com/vcodekit/vcode/httpmw",
	"github.com/vcodekit/vcode/i18n",
	"github.com/vcodekit/vcode/notify",
}

// forbidden are module paths the core may not depend on, even indirectly.
var forbidden = []string{
	"github.com/redis/go-redis", "github.com/alicebob/miniredis",
	"github.com/prometheus/", "github.com/emersion/go-smtp",
}

// TestCoreDependencyFence fails if a core package imports a Redis client,
// Prometheus or a test-only library, directly or through another package.
func TestCoreDependencyFence(t *testing.T) {
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, corePackages...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("a core package depends on %s", dep)
			}
		}
	}
	// The fence itself must see the core: a renamed package would make it
	// pass vacuously.
	for _, p := range corePackages {
		if !strings.Contains(string(out), p+"\n") {
			t.Errorf("go list did not report %s", p)
		}
	}
}
