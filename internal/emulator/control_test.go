package emulator

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The control surface is in one file and the package documentation lists
// all of it: an exported method of Server added anywhere else, or left out
// of doc.go, fails here.
func TestControlSurfaceInOneFileAndDocumented(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	methods := map[string]string{} // name -> file
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || !isServerReceiver(fn.Recv) {
				continue
			}
			methods[fn.Name.Name] = name
		}
	}
	if len(methods) == 0 {
		t.Fatal("found no exported method of Server: the parse is broken")
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var elsewhere, undocumented []string
	for name, file := range methods {
		if file != "control.go" {
			elsewhere = append(elsewhere, name+" ("+file+")")
		}
		if !strings.Contains(string(doc), "[Server."+name+"]") {
			undocumented = append(undocumented, name)
		}
	}
	sort.Strings(elsewhere)
	sort.Strings(undocumented)
	if len(elsewhere) > 0 {
		t.Errorf("exported methods of Server outside control.go: %s", strings.Join(elsewhere, ", "))
	}
	if len(undocumented) > 0 {
		t.Errorf("exported methods of Server the package documentation does not list as [Server.Name]: %s", strings.Join(undocumented, ", "))
	}
}

func isServerReceiver(recv *ast.FieldList) bool {
	if len(recv.List) != 1 {
		return false
	}
	star, ok := recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	ident, ok := star.X.(*ast.Ident)
	return ok && ident.Name == "Server"
}
