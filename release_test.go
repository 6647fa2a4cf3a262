package vcode_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryModuleHasTheLicence: every directory with a go.mod carries a
// LICENSE identical to the root's. A module's zip holds only its own
// directory, so a nested module without its own copy is published, and
// shown by pkg.go.dev, as unlicensed.
func TestEveryModuleHasTheLicence(t *testing.T) {
	root, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatalf("no LICENSE at the root: %v", err)
	}
	if !bytes.Contains(root, []byte("Apache License")) || !bytes.Contains(root, []byte("Version 2.0, January 2004")) {
		t.Fatal("the root LICENSE is not the Apache License 2.0 that openapi.yaml names")
	}
	modules := 0
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "go.mod" {
			return nil
		}
		modules++
		dir := filepath.Dir(path)
		got, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
		if err != nil {
			t.Errorf("module %s has no LICENSE: %v", dir, err)
		} else if !bytes.Equal(got, root) {
			t.Errorf("%s differs from the root LICENSE", filepath.Join(dir, "LICENSE"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if modules < 5 {
		t.Fatalf("found %d modules, want the core, cmd/vcoded and the three providers at least", modules)
	}
}
