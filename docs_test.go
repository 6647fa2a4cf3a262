package vcode_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestEveryExportedNameDocumented walks the module's packages (nested
// modules and testdata aside): every exported declaration has a doc comment,
// every package a package comment and a runnable Example with output.
func TestEveryExportedNameDocumented(t *testing.T) {
	dirs := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != "." {
				return filepath.SkipDir // a nested module
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range dirs {
		checkPackage(t, dir)
	}
}

func checkPackage(t *testing.T, dir string) {
	fset := token.NewFileSet()
	files, err := parseDir(fset, dir)
	if err != nil {
		t.Fatal(err)
	}
	hasPkgDoc, hasExample, isMain := false, false, false
	{
		for path, f := range files {
			isMain = isMain || f.Name.Name == "main"
			if f.Doc != nil && !strings.HasSuffix(path, "_test.go") {
				hasPkgDoc = true
			}
			if strings.HasSuffix(path, "_test.go") {
				for _, d := range f.Decls {
					if fd, ok := d.(*ast.FuncDecl); ok && strings.HasPrefix(fd.Name.Name, "Example") && hasOutput(f, fd) {
						hasExample = true
					}
				}
				continue
			}
			checkFile(t, fset, f)
		}
	}
	if !hasPkgDoc {
		t.Errorf("%s: no package comment", dir)
	}
	// A test helper whose every function takes a *testing.T cannot have a
	// runnable Example; its users are the tests.
	testHelper := dir == filepath.Join("internal", "redistest")
	if !hasExample && !isMain && !testHelper {
		t.Errorf("%s: no runnable Example (an Example function with an Output comment)", dir)
	}
}

// parseDir parses the .go files of dir, test files included, with their
// comments (go/parser.ParseDir, deprecated, did the same).
func parseDir(fset *token.FileSet, dir string) (map[string]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string]*ast.File{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files[path] = f
	}
	return files, nil
}

func hasOutput(f *ast.File, fd *ast.FuncDecl) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > fd.Body.Lbrace && cg.End() <= fd.Body.Rbrace && strings.Contains(cg.Text(), "Output:") {
			return true
		}
	}
	return false
}

func checkFile(t *testing.T, fset *token.FileSet, f *ast.File) {
	missing := func(pos token.Pos, name string) {
		t.Errorf("%s: exported %s has no doc comment", fset.Position(pos), name)
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || receiverExported(d.Recv)) {
				missing(d.Pos(), d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
						missing(s.Pos(), s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && s.Doc == nil && d.Doc == nil && s.Comment == nil {
							missing(n.Pos(), n.Name)
						}
					}
				}
			}
		}
	}
}

func receiverExported(fl *ast.FieldList) bool {
	e := fl.List[0].Type
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if ix, ok := e.(*ast.IndexExpr); ok {
		e = ix.X
	}
	id, ok := e.(*ast.Ident)
	return ok && id.IsExported()
}

// TestSecurityNamesRealTests: every test and fuzz target SECURITY.md cites
// as evidence exists, so that the document cannot go on naming a test that
// was renamed or removed.
func TestSecurityNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range regexp.MustCompile(`(?m)^func ((?:Test|Fuzz)\w+)\(`).FindAllSubmatch(src, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cited := regexp.MustCompile("`((?:Test|Fuzz)[A-Z]\\w*)`").FindAllSubmatch(doc, -1)
	if len(cited) < 30 {
		t.Fatalf("SECURITY.md cites only %d tests", len(cited))
	}
	for _, m := range cited {
		if !defined[string(m[1])] {
			t.Errorf("SECURITY.md cites %s, which no test file defines", m[1])
		}
	}
}

// TestReadmeLinks: every relative link of README.md and docs/*.md names a
// file of the repository, and every #fragment a heading of its page, so
// that moving a section between the README and docs/ cannot leave a link
// pointing at nothing.
func TestReadmeLinks(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	if len(pages) < 2 {
		t.Fatal("no docs/*.md pages")
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	checked := 0
	for _, page := range pages {
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(stripCode(string(src)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, fragment, _ := strings.Cut(target, "#")
			file := page
			if path != "" {
				file = filepath.Join(filepath.Dir(page), path)
				if _, err := os.Stat(file); err != nil {
					t.Errorf("%s links to %s, which does not exist", page, target)
					continue
				}
			}
			checked++
			if fragment == "" || !strings.HasSuffix(file, ".md") {
				continue
			}
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !headingAnchors(string(body))[fragment] {
				t.Errorf("%s links to %s: %s has no heading #%s", page, target, file, fragment)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d relative links checked: is the pattern still right?", checked)
	}
}

// TestReadmeTestCommand: the test command the README gives is the one CI
// runs (.ci/run), word for word.
func TestReadmeTestCommand(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	const command = "go vet github.com/vcodekit/vcode/... && go test -race github.com/vcodekit/vcode/..."
	if !strings.Contains(string(readme), "```\n"+command+"\n```") {
		t.Errorf("README.md does not give the test command in a block of its own: %s", command)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(command) + `$`).Match(ci) {
		t.Errorf(".ci/run does not run the README's test command: %s", command)
	}
}

// stripCode removes fenced code blocks and inline code spans, whose
// brackets are not links.
func stripCode(md string) string {
	md = regexp.MustCompile("(?s)```.*?```").ReplaceAllString(md, "")
	return regexp.MustCompile("`[^`\n]*`").ReplaceAllString(md, "")
}

// headingAnchors returns the fragments GitHub gives the headings of md:
// lower case, punctuation dropped, spaces as hyphens, a repeated heading
// numbered -1, -2, ...
func headingAnchors(md string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range strings.Split(regexp.MustCompile("(?s)```.*?```").ReplaceAllString(md, ""), "\n") {
		text, ok := strings.CutPrefix(line, "#")
		if !ok {
			continue
		}
		text = strings.TrimSpace(strings.TrimLeft(text, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors
}
