package lsp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNeovim drives a real editor: Neovim, headless, runs testdata/nvim.lua
// against the resilvet binary on a copy of examples/antipatterns. With
// CI=true a missing nvim fails the test (.ci/run installs Debian's neovim).
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nvim is not installed; CI installs Debian's neovim package in .ci/run")
		}
		t.Skip("nvim is not installed")
	}
	if testing.Short() {
		t.Skip("builds resilvet and runs Neovim: not in -short")
	}
	bin := filepath.Join(t.TempDir(), "resilvet")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/resilvet")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	script, err := filepath.Abs(filepath.Join("testdata", "nvim.lua"))
	require.NoError(t, err)

	// The article's example: ctxbackground.go:26 passes
	// context.Background() where ctx is in scope; its fix passes ctx.
	const file, check, line = "ctxbackground.go", "ctxbackground", 26

	runNvim := func(t *testing.T, dir, mode string) {
		result := filepath.Join(t.TempDir(), "result")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", "luafile "+script, "-c", "cquit 2")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"RESILVET_BIN="+bin, "RESILVET_ROOT="+dir, "RESILVET_FILE="+filepath.Join(dir, file),
			"RESILVET_CHECK="+check, "RESILVET_LINE="+itoa(line), "RESILVET_MODE="+mode, "RESILVET_OUT="+result)
		out, err := cmd.CombinedOutput()
		report, rerr := os.ReadFile(result)
		require.NoError(t, rerr, "nvim wrote no result (err %v): %s", err, out)
		t.Logf("nvim %s:\n%s", mode, report)
		require.True(t, strings.HasPrefix(string(report), "PASS"), "%s", report)
	}

	t.Run("fix", func(t *testing.T) {
		dir := copyAntipatterns(t)
		runNvim(t, dir, "fix")
		saved, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		assert.Contains(t, string(saved), "context.WithTimeout(ctx, 2*time.Second)", "the fix is on disk")

		// resilvet no longer reports the finding; the others remain.
		findings := resilvetFindings(t, bin, dir)
		assert.NotContains(t, findings, file+":"+itoa(line)+": "+check)
		assert.Contains(t, findings, file+":34: "+check, "only the one finding was fixed")
		gobuild := exec.Command("go", "build", "./...")
		gobuild.Dir = dir
		out, err := gobuild.CombinedOutput()
		assert.NoError(t, err, "the fixed module does not build: %s", out)
	})

	t.Run("edit", func(t *testing.T) {
		dir := copyAntipatterns(t)
		before, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		runNvim(t, dir, "edit")
		after, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err)
		assert.Equal(t, string(before), string(after), "the edits were not saved")
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// copyAntipatterns copies the module examples/antipatterns.
func copyAntipatterns(t *testing.T) string {
	src := filepath.Join("..", "..", "examples", "antipatterns")
	dir := t.TempDir()
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	return dir
}

// resilvetFindings runs resilvet -json on dir and returns its findings as
// "file:line: check" lines.
func resilvetFindings(t *testing.T, bin, dir string) string {
	cmd := exec.Command(bin, "-json", "./...")
	cmd.Dir = dir
	out, _ := cmd.Output() // exit 3: findings
	var byPkg map[string]map[string][]struct {
		Posn string `json:"posn"`
	}
	require.NoError(t, json.Unmarshal(out, &byPkg), "resilvet -json: %s", out)
	var lines []string
	for _, checks := range byPkg {
		for check, ds := range checks {
			for _, d := range ds {
				posn := strings.TrimPrefix(d.Posn, dir+string(filepath.Separator))
				if i := strings.LastIndexByte(posn, ':'); i >= 0 {
					posn = posn[:i] // drop the column
				}
				lines = append(lines, posn+": "+check)
			}
		}
	}
	return strings.Join(lines, "\n")
}
