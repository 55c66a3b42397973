package commune_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/truyenthanh/cchc/"

// frontDoors are the packages that serve people — the CLI and the web app
// — and must reach the store, the planner and the station only through
// the use cases (internal/commune).
var frontDoors = []string{module + "cmd/scheduler", module + "internal/web"}

// guarded are the types whose methods a front door must not call itself:
// the store (the SQLite adapter and the interfaces it is used through),
// the planner and the station runtime.
var guarded = map[string]bool{
	module + "internal/store.Store":          true,
	module + "internal/commune.Store":        true,
	module + "internal/station.History":      true,
	module + "internal/station.Log":          true,
	module + "internal/library.SegmentStore": true,
	module + "internal/playlist.Planner":     true,
	module + "internal/station.Station":      true,
	module + "internal/station.Group":        true,
}

// wiring is what the composition root (cmd/scheduler) may call itself,
// each with its reason: "file: Type.Method" (Type.* for every method).
// Everything a person asks for — every read shown and every change — goes
// through the use cases, with the person named in the audit trail.
var wiring = map[string]string{
	// The store's life: opened in app.go (store.Open), closed by the
	// command that opened it.
	"*: store.Store.Close":          "a command closes the store it opened (openStore/openCommune)",
	"control.go: store.Store.Close": "control closes the store it opened to record who asked",
	"app.go: store.Open":            "openStore: the one place a command opens the database",
	"control.go: store.Open":        "control opens the database only after the station did it, to record who asked (commune.Controlled)",

	// The station runtime: built and driven by the composition root.
	// These calls run the timetable; the airings they log are the
	// station's own record, not a person's action (a person's play, stop,
	// skip and emergency are recorded through commune.Played/Controlled).
	"serve.go: station.Station.*":       "serve builds one station per zone, recovers the log once, starts the sinks",
	"serve.go: station.Group.*":         "serve runs the zones' group (Run, Emergency for the control socket)",
	"zones.go: station.Station.*":       "zones.go builds each zone's station and its output",
	"station.go: playlist.Planner.*":    "station.go gives each zone's station its planner (ForZone)",
	"simulate.go: station.Station.*":    "simulate runs stations on a virtual clock over a period",
	"play.go: station.Station.*":        "play runs a one-off station that airs the segments (the play is audited through commune.Played)",
	"control.go: station.Group.*":       "the control socket's stop/skip/pause/resume (audited through commune.Controlled by the client)",
	"reload.go: station.Group.*":        "a reload hands the running zones the new planner",
	"province_sync.go: station.Group.*": "the province link listens to the airings and airs the province's emergencies (audited as province)",
	"web.go: station.Group.*":           "the web app's play and control are the running station's emergency and control paths (audited in commune)",
}

// TestFrontDoorsCallOnlyTheUseCases type-checks the CLI and the web app and
// fails on any call of a store, planner or station method that is not
// through internal/commune, save the composition root's wiring above.
func TestFrontDoorsCallOnlyTheUseCases(t *testing.T) {
	exports, dirs := listPackages(t)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	used := map[string]bool{}
	var bad []string
	for _, pkgPath := range frontDoors {
		dir := dirs[pkgPath]
		files, info := check(t, fset, imp, pkgPath, dir)
		for _, f := range files {
			name := filepath.Base(fset.Position(f.Pos()).Filename)
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
				if !ok {
					return true
				}
				var typ string
				if s, ok := info.Selections[sel]; ok && s.Kind() == types.MethodVal {
					if typ = namedOf(s.Recv()); !guarded[typ] {
						return true
					}
				} else if fn, ok := info.Uses[sel.Sel].(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == module+"internal/store" && fn.Name() == "Open" {
					// Opening the store is the wiring's alone.
					if _, ok := wiring[name+": store.Open"]; ok {
						used[name+": store.Open"] = true
						return true
					}
					bad = append(bad, fmt.Sprintf("%s: store.Open", fset.Position(call.Pos())))
					return true
				} else {
					return true
				}
				short := strings.TrimPrefix(typ, module+"internal/")
				for _, key := range []string{
					name + ": " + short + "." + sel.Sel.Name, name + ": " + short + ".*",
					"*: " + short + "." + sel.Sel.Name,
				} {
					if _, ok := wiring[key]; ok {
						used[key] = true
						return true
					}
				}
				bad = append(bad, fmt.Sprintf("%s: %s.%s", fset.Position(call.Pos()), short, sel.Sel.Name))
				return true
			})
		}
	}
	for _, b := range bad {
		t.Errorf("%s called directly: go through internal/commune (a use case records who did it), or allow it in wiring with a reason", b)
	}
	var stale []string
	for key := range wiring {
		if !used[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("wiring allows %q but nothing calls it any more: take it off the list", key)
	}
}

// namedOf names the type of a method's receiver, "" for an unnamed one.
func namedOf(typ types.Type) string {
	if p, ok := typ.(*types.Pointer); ok {
		typ = p.Elem()
	}
	n, ok := types.Unalias(typ).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return ""
	}
	return n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

// listPackages runs go list over the front doors: every dependency's
// export data (what the type checker imports) and the front doors' folders.
func listPackages(t *testing.T) (exports, dirs map[string]string) {
	t.Helper()
	args := append([]string{"list", "-e", "-export", "-deps", "-json=ImportPath,Export,Dir,Error"}, frontDoors...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	exports, dirs = map[string]string{}, map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Export, Dir string
			Error                   *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		exports[p.ImportPath], dirs[p.ImportPath] = p.Export, p.Dir
	}
	return exports, dirs
}

// check parses and type-checks the package's non-test files.
func check(t *testing.T, fset *token.FileSet, imp types.Importer, pkgPath, dir string) ([]*ast.File, *types.Info) {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{range .GoFiles}}{{.}}\n{{end}}", pkgPath).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkgPath, err)
	}
	var files []*ast.File
	for _, name := range strings.Fields(string(out)) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	info := &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}, Uses: map[*ast.Ident]types.Object{}}
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(pkgPath, fset, files, info); err != nil {
		t.Fatalf("type-check %s: %v", pkgPath, err)
	}
	return files, info
}
