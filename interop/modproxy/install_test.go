package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// TestInstallAsANewUser publishes the tree's modules at the candidate
// version into a file proxy and uses them as someone outside the tree
// would: fresh modules in a temporary directory, no go.work, no replace,
// an empty module cache, our proxy first and the public one after it for
// everything else. It catches what a test with a local replace cannot: a
// nested go.mod that requires a version of the core that exists nowhere,
// or that carries a replace directive (go install refuses it).
//
// The candidate version is VCODE_RELEASE_VERSION, or else the version of
// the core that cmd/vcoded/go.mod requires: the one the tree says it will
// be released as, which must be a release version, not a pseudo-version. The commands and their output are logged (go test -v).
func TestInstallAsANewUser(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	version := os.Getenv("VCODE_RELEASE_VERSION")
	if version == "" {
		version = requiredCore(t, filepath.Join(root, "cmd/vcoded/go.mod"))
	}
	work := t.TempDir()
	proxy := filepath.Join(work, "proxy")
	mods, err := Write(root, version, proxy)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		t.Logf("proxy: %s@%s from %s", m.Path, version, m.Dir)
	}

	env := newUserEnv(t, work, proxy)
	byDir := map[string]string{}
	for _, m := range mods {
		byDir[m.Dir] = m.Path
	}

	cases := []struct {
		name, module, main string
	}{
		{"core", byDir["."], `package main

import (
	"fmt"

	"github.com/vcodekit/vcode/httpmw"
	"github.com/vcodekit/vcode/notify"
	"github.com/vcodekit/vcode/verifier"
)

func main() {
	v, err := verifier.New(notify.Discard)
	if err != nil {
		panic(err)
	}
	defer v.Close()
	auth, _ := httpmw.NewStaticTokens(map[string]string{"t": "s"})
	if _, err := httpmw.New(v, auth); err != nil {
		panic(err)
	}
	fmt.Println("core ok")
}
`},
		{"twilio", byDir["notify/twilio"], providerMain("twilio", "twilio.New(twilio.Account{})")},
		// An invalid option: New fails before loading AWS's configuration.
		{"sns", byDir["notify/sns"], providerMain("sns", `sns.New(sns.WithRegion("us east 1"))`)},
		{"huaweicloud", byDir["notify/huaweicloud"], providerMain("huaweicloud", "huaweicloud.New(huaweicloud.App{})")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.module == "" {
				t.Fatalf("no published module for %s", c.name)
			}
			dir := filepath.Join(work, "user-"+c.name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			goCmd(t, env, dir, "mod", "init", "example.com/newuser/"+c.name)
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(c.main), 0o644); err != nil {
				t.Fatal(err)
			}
			goCmd(t, env, dir, "get", c.module+"@"+version)
			goCmd(t, env, dir, "mod", "tidy")
			goCmd(t, env, dir, "build", "-o", "app", ".")
			if got := strings.TrimSpace(goCmd(t, env, dir, "list", "-m", "-f", "{{.Version}}", c.module)); got != version {
				t.Fatalf("%s resolved at %s, want %s", c.module, got, version)
			}
			if got := strings.TrimSpace(goCmd(t, env, dir, "list", "-m", "-f", "{{.Version}}", byDir["."])); got != version {
				t.Fatalf("the core resolved at %s, want %s", got, version)
			}
			run(t, env, dir, filepath.Join(dir, "app"))
		})
	}

	t.Run("go install vcoded", func(t *testing.T) {
		cmd := byDir["cmd/vcoded"]
		if cmd == "" {
			t.Fatal("no published module for cmd/vcoded")
		}
		goCmd(t, env, work, "install", cmd+"@"+version)
		out := run(t, env, work, filepath.Join(work, "bin", "vcoded"), "-version")
		if !strings.Contains(out, version) {
			t.Fatalf("vcoded -version printed %q, want %s in it", out, version)
		}
	})
}

// providerMain is a program that imports only the provider package pkg,
// and calls its New as call does, with values New refuses.
func providerMain(pkg, call string) string {
	return fmt.Sprintf(`package main

import (
	"fmt"

	"github.com/vcodekit/vcode/notify/%[1]s"
)

func main() {
	_, err := %[2]s
	fmt.Println("%[1]s ok; New refused what it was given:", err != nil)
}
`, pkg, call)
}

// requiredCore is the version of the core that the go.mod at path requires.
func requiredCore(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Require {
		if r.Mod.Path != "github.com/vcodekit/vcode" {
			continue
		}
		// A pseudo-version (v0.0.0-00010101000000-000000000000, the
		// placeholder of a replace) is no release: nobody could get it.
		if v := r.Mod.Version; module.CanonicalVersion(v) != v || module.IsPseudoVersion(v) {
			t.Fatalf("%s requires the core at %s, not a release version", path, v)
		}
		return r.Mod.Version
	}
	t.Fatalf("%s does not require github.com/vcodekit/vcode", path)
	return ""
}

// newUserEnv is the environment of someone outside the tree: the go
// command's settings from this process dropped, then our proxy first, the
// public one after it, no checksum database for vcode's modules (they are
// not published), an empty module cache and no workspace; the build cache
// is this machine's. The module
// cache of this machine serves as a read-only mirror between the two, so
// that the third-party modules it already holds are not fetched again;
// checksums still come from go.sum and the public checksum database.
func newUserEnv(t *testing.T, work, proxy string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GO") && k != "GOROOT" && k != "GOCACHE" {
			continue
		}
		env = append(env, kv)
	}
	goproxy := "file://" + filepath.ToSlash(proxy)
	if mirror := cacheMirror(); mirror != "" {
		goproxy += ",file://" + filepath.ToSlash(mirror)
	}
	goproxy += ",https://proxy.golang.org"
	return append(env,
		"GOPROXY="+goproxy,
		"GONOSUMDB=github.com/vcodekit/*",
		// -trimpath: the sources' paths in a fresh module cache would
		// otherwise defeat the build cache, and every run would compile
		// the providers' SDKs anew. It changes nothing of resolution.
		"GOFLAGS=-mod=mod -modcacherw -trimpath",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
		"GOMODCACHE="+filepath.Join(work, "modcache"),
		"GOPATH="+filepath.Join(work, "gopath"),
		"GOBIN="+filepath.Join(work, "bin"),
	)
}

// cacheMirror is the download cache of this machine's module cache, or ""
// when there is none.
func cacheMirror() string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return ""
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "cache", "download")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// goCmd runs the go command in dir and returns its standard output; it
// fails the test with the whole output when the command fails.
func goCmd(t *testing.T, env []string, dir string, args ...string) string {
	t.Helper()
	return run(t, env, dir, "go", args...)
}

func run(t *testing.T, env []string, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("$ %s %s\n%s%s", filepath.Base(name), strings.Join(args, " "), stdout.String(), stderr.String())
	if err != nil {
		t.Fatalf("%s %s in %s: %v", filepath.Base(name), strings.Join(args, " "), dir, err)
	}
	return stdout.String()
}
