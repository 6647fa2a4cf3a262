// Command modproxy writes a file-based Go module proxy holding vcode's
// published modules at one candidate version, built from the working tree
// as the release would tag it, so that they can be resolved as a new user
// resolves them: with no replace directive and no go.work.
//
//	go run . -root ../.. -version v1.0.0 -o /tmp/proxy
//	GOPROXY=file:///tmp/proxy,https://proxy.golang.org GONOSUMDB=github.com/vcodekit/* ...
//
// For each module it writes <dir>/<module path>/@v/{list, V.info, V.mod,
// V.zip}, as the GOPROXY protocol lays them out. The published modules are
// every directory of the tree with a go.mod, those under interop/ aside
// (they are test-only, never tagged). A module's zip is made with
// golang.org/x/mod/zip, as the go command makes it: nested modules and
// vendor directories left out. The files are those git tracks or would
// track (git ls-files --cached --others --exclude-standard), so that a
// build output that .gitignore hides is not shipped, and an edit not yet
// committed is, as the release commits it before tagging.
//
// The info's time is the commit time of HEAD.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

func main() {
	root := flag.String("root", "../..", "the repository's root `directory`")
	version := flag.String("version", "", "the candidate `version` (v1.0.0)")
	out := flag.String("o", "", "the proxy `directory` to write (created if missing)")
	flag.Parse()
	if *version == "" || *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	mods, err := Write(*root, *version, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "modproxy:", err)
		os.Exit(1)
	}
	for _, m := range mods {
		fmt.Printf("%s %s (%s)\n", m.Path, *version, m.Dir)
	}
}

// Module is one published module of the tree.
type Module struct {
	Path string // module path, from its go.mod
	Dir  string // its directory, relative to the root, "." for the core
}

// Modules lists the tree's published modules: every go.mod outside
// interop/, testdata and hidden directories.
func Modules(root string) ([]Module, error) {
	var mods []Module
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "interop") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		path := modfile.ModulePath(data)
		if path == "" {
			return fmt.Errorf("%s: no module line", p)
		}
		mods = append(mods, Module{Path: path, Dir: filepath.ToSlash(filepath.Dir(rel))})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("no go.mod under %s", root)
	}
	return mods, nil
}

// Write writes the proxy for every published module at version into out,
// and returns the modules.
func Write(root, version, out string) ([]Module, error) {
	if module.CanonicalVersion(version) != version {
		return nil, fmt.Errorf("version %q is not a canonical semantic version (v1.2.3)", version)
	}
	mods, err := Modules(root)
	if err != nil {
		return nil, err
	}
	when, err := commitTime(root)
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		if err := writeModule(root, m, version, when, out); err != nil {
			return nil, fmt.Errorf("%s: %w", m.Path, err)
		}
	}
	return mods, nil
}

func writeModule(root string, m Module, version string, when time.Time, out string) error {
	mv := module.Version{Path: m.Path, Version: version}
	if err := module.Check(m.Path, version); err != nil {
		return err
	}
	escPath, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	escVersion, err := module.EscapeVersion(version)
	if err != nil {
		return err
	}
	dir := filepath.Join(out, filepath.FromSlash(escPath), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	modDir := filepath.Join(root, filepath.FromSlash(m.Dir))
	gomod, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, escVersion+".mod"), gomod, 0o644); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, when.UTC()})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, escVersion+".info"), info, 0o644); err != nil {
		return err
	}
	files, err := trackedFiles(modDir)
	if err != nil {
		return err
	}
	var zip bytes.Buffer
	if err := modzip.Create(&zip, mv, files); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, escVersion+".zip"), zip.Bytes(), 0o644); err != nil {
		return err
	}
	return addToList(filepath.Join(dir, "list"), version)
}

// addToList adds version to a proxy's list file, once.
func addToList(list, version string) error {
	old, err := os.ReadFile(list)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, v := range strings.Fields(string(old)) {
		if v == version {
			return nil
		}
	}
	return os.WriteFile(list, append(old, version+"\n"...), 0o644)
}

// trackedFiles lists the files of dir that git tracks or would track, each
// present on disk. Nested modules' files are listed too: modzip.Create
// leaves them out by their go.mod.
func trackedFiles(dir string) ([]modzip.File, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	listed, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %v: %s", dir, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var files []modzip.File
	seen := map[string]bool{}
	for _, p := range strings.Split(string(listed), "\x00") {
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		full := filepath.Join(dir, filepath.FromSlash(p))
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted, not yet committed
		}
		if err != nil {
			return nil, err
		}
		files = append(files, file{path: p, full: full, info: info})
	}
	return files, nil
}

// file is a modzip.File on disk.
type file struct {
	path, full string
	info       fs.FileInfo
}

func (f file) Path() string                 { return f.path }
func (f file) Lstat() (fs.FileInfo, error)  { return f.info, nil }
func (f file) Open() (io.ReadCloser, error) { return os.Open(f.full) }

// commitTime is the commit time of HEAD in root.
func commitTime(root string) (time.Time, error) {
	cmd := exec.Command("git", "log", "-1", "--format=%cI")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return time.Time{}, fmt.Errorf("git log in %s: %v", root, err)
	}
	return time.Parse(time.RFC3339, strings.TrimSpace(string(out)))
}
