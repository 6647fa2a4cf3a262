package vcode_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// maxVerifierSurface bounds the verifier's exported top-level identifiers
// (issue 21: at most 47, a third fewer than the 70 it had).
const maxVerifierSurface = 47

// exportedTopLevel returns the exported top-level identifiers of the
// package in dir, its non-test files only: functions without a receiver,
// types, and every name of a const or var declaration, a group counting
// each of its members. Methods and fields are not counted.
func exportedTopLevel(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					names = append(names, "func "+d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							names = append(names, "type "+s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								names = append(names, d.Tok.String()+" "+n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}

// TestVerifierSurface fails if the verifier exports more than
// maxVerifierSurface top-level identifiers; -v lists them.
func TestVerifierSurface(t *testing.T) {
	names := exportedTopLevel(t, "verifier")
	t.Logf("verifier exports %d top-level identifiers:\n%s", len(names), strings.Join(names, "\n"))
	if len(names) > maxVerifierSurface {
		t.Errorf("verifier exports %d top-level identifiers, more than %d: merge options that belong together, or move a contract to its own package", len(names), maxVerifierSurface)
	}
	if len(names) < 20 {
		t.Errorf("verifier exports %d top-level identifiers: the counter lost its way", len(names))
	}
}
