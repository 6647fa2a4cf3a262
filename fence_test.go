package vcode_test

import (
	"os"
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
	"github.com/twilio/", "github.com/aws/",
}

// providerSDKs are the SMS providers' SDKs: they live in nested modules
// (notify/twilio, notify/sns) and cmd/vcoded's, never in the core's go.mod.
var providerSDKs = []string{"github.com/twilio/", "github.com/aws/", "github.com/huaweicloud/"}

// TestCoreModuleHasNoProviderSDK fails if the core module requires a
// provider SDK, directly or indirectly: its go.mod and go.sum, read with
// the workspace off, as an adopter's build reads them.
func TestCoreModuleHasNoProviderSDK(t *testing.T) {
	cmd := exec.Command("go", "list", "-m", "all")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -m all: %v\n%s", err, out)
	}
	mods := strings.Fields(string(out))
	if len(mods) == 0 || mods[0] != "github.com/vcodekit/vcode" {
		t.Fatalf("go list -m all did not start with the core module: %.200s", out)
	}
	for _, m := range mods {
		for _, sdk := range providerSDKs {
			if strings.HasPrefix(m, sdk) {
				t.Errorf("the core module's build list holds %s", m)
			}
		}
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sdk := range providerSDKs {
			if strings.Contains(string(b), sdk) {
				t.Errorf("%s mentions %s", f, sdk)
			}
		}
	}
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
