package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestConsumeComparesInConstantTime reads Memory.Consume's source: the
// digest must be compared with subtle.ConstantTimeCompare (on a hit and, with
// a dummy, on a miss) and never with ==, bytes.Equal or the like, whose
// running time reveals how many leading bytes of a guess were right.
func TestConsumeComparesInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "memory.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consume *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "Consume" && fd.Recv != nil {
			consume = fd
		}
	}
	if consume == nil {
		t.Fatal("Memory.Consume not found in memory.go")
	}
	constantTime := 0
	ast.Inspect(consume.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				pkg, _ := sel.X.(*ast.Ident)
				name := sel.Sel.Name
				switch {
				case pkg != nil && pkg.Name == "subtle" && name == "ConstantTimeCompare":
					if mentionsDigest(n.Args[0]) || mentionsDigest(n.Args[1]) {
						constantTime++
					}
				case pkg != nil && (pkg.Name == "bytes" || pkg.Name == "strings") && (name == "Equal" || name == "Compare" || name == "EqualFold"),
					pkg != nil && pkg.Name == "reflect" && name == "DeepEqual":
					t.Errorf("%s: %s.%s compares in variable time", fset.Position(n.Pos()), pkg.Name, name)
				}
			}
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (mentionsDigest(n.X) || mentionsDigest(n.Y)) {
				t.Errorf("%s: digest compared with %s", fset.Position(n.Pos()), n.Op)
			}
		}
		return true
	})
	if constantTime < 2 {
		t.Fatalf("Consume makes %d constant-time digest comparisons, want one for a hit and one for a miss", constantTime)
	}
}

// mentionsDigest reports whether e uses a digest outside a constant-time
// comparison.
func mentionsDigest(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
				return false
			}
		case *ast.Ident:
			found = found || n.Name == "digest" || n.Name == "dummyDigest"
		case *ast.SelectorExpr:
			found = found || n.Sel.Name == "digest"
		}
		return !found
	})
	return found
}
