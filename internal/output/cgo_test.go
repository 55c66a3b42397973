package output_test

import (
	"os/exec"
	"strings"
	"testing"
)

// cgoAllowed are the only packages outside the standard library that may
// need cgo: the ALSA output, oto (the oto output's player, reached only
// through internal/audio/otoout), the MP3 encoder of the stream outputs and
// the SQLite driver.
var cgoAllowed = map[string]bool{
	"github.com/truyenthanh/cchc/internal/audio/alsa": true,
	"github.com/ebitengine/oto/v3":                    true,
	"github.com/truyenthanh/cchc/internal/audio/lame": true,
	"github.com/mattn/go-sqlite3":                     true,
}

// TestOnlyTheALSAOutputAndSQLiteNeedCgo reads `go list -deps` of every
// package of the module: the packages with cgo files among their
// dependencies are the standard library's, the ALSA output's and the
// SQLite driver's, and nothing else.
func TestOnlyTheALSAOutputAndSQLiteNeedCgo(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is not on PATH: %v", err)
	}
	list := func(args ...string) []string {
		t.Helper()
		cmd := exec.Command(goTool, append([]string{"list"}, args...)...)
		cmd.Dir = "../.."
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
		}
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	cgo := map[string]bool{}
	for _, line := range list("-deps", "-f", "{{.ImportPath}} {{.Standard}} {{.CgoFiles}}", "./...") {
		f := strings.SplitN(line, " ", 3)
		if len(f) == 3 && f[1] == "false" && f[2] != "[]" {
			cgo[f[0]] = true
		}
	}
	if !cgo["github.com/truyenthanh/cchc/internal/audio/alsa"] {
		t.Fatal("the ALSA output has no cgo files: is this check looking at the right module?")
	}
	for p := range cgo {
		if !cgoAllowed[p] {
			t.Errorf("package %s needs cgo: only the ALSA output (internal/audio/alsa), oto, the MP3 encoder (internal/audio/lame) and the SQLite driver may", p)
		}
	}
	// And per package: the two writers of the sound card are reached only
	// by the binary.
	writers := map[string]bool{
		"github.com/truyenthanh/cchc/internal/audio/alsa":   true,
		"github.com/truyenthanh/cchc/internal/audio/otoout": true,
		"github.com/ebitengine/oto/v3":                      true,
	}
	for _, line := range list("-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./...") {
		pkg, deps, _ := strings.Cut(line, " ")
		if pkg == "github.com/truyenthanh/cchc/cmd/scheduler" || writers[pkg] {
			continue
		}
		for _, d := range strings.Fields(deps) {
			if writers[d] {
				t.Errorf("%s imports %s: only the binary may (it plays the card in its own process)", pkg, d)
			}
		}
	}
}
