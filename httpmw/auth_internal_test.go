package httpmw

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestStaticTokensConstantTime reads StaticTokens.Authenticate: tokens are
// compared with subtle.ConstantTimeCompare, never ==, and the loop over the
// configured tokens never stops early, so timing tells neither how much of a
// token was right nor which token matched.
func TestStaticTokensConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "auth.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "Authenticate" && fd.Recv != nil {
			if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok && star.X.(*ast.Ident).Name == "StaticTokens" {
				fn = fd
			}
		}
	}
	if fn == nil {
		t.Fatal("StaticTokens.Authenticate not found")
	}
	constant, loops := 0, 0
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "ConstantTimeCompare" {
				constant++
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if id, ok := n.X.(*ast.Ident); ok && (id.Name == "token" || id.Name == "presented") {
					t.Errorf("%s: token compared with %s", fset.Position(n.Pos()), n.Op)
				}
			}
		case *ast.RangeStmt:
			loops++
			ast.Inspect(n.Body, func(m ast.Node) bool {
				switch m := m.(type) {
				case *ast.ReturnStmt:
					t.Errorf("%s: return inside the token loop ends it early", fset.Position(m.Pos()))
				case *ast.BranchStmt:
					if m.Tok == token.BREAK {
						t.Errorf("%s: break inside the token loop ends it early", fset.Position(m.Pos()))
					}
				}
				return true
			})
		}
		return true
	})
	if constant == 0 || loops == 0 {
		t.Fatalf("Authenticate has %d constant-time comparisons in %d loops", constant, loops)
	}
}
