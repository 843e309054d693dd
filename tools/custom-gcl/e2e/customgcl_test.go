package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/modfile"
)

// TestCustomGCLConfig keeps .custom-gcl.yml, the online build recipe, in
// step with the offline one: the same golangci-lint version as this
// module's go.mod, and the plugin package of this repository.
func TestCustomGCLConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".custom-gcl.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version     string `yaml:"version"`
		Name        string `yaml:"name"`
		Destination string `yaml:"destination"`
		Plugins     []struct {
			Module, Import, Version, Path string
		} `yaml:"plugins"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf(".custom-gcl.yml: %v", err)
	}

	gomod, err := os.ReadFile(filepath.Join(repoRoot, "tools", "custom-gcl", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mf, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		t.Fatal(err)
	}
	pinned := ""
	for _, r := range mf.Require {
		if r.Mod.Path == "github.com/golangci/golangci-lint/v2" {
			pinned = r.Mod.Version
		}
	}
	if cfg.Version != pinned {
		t.Errorf(".custom-gcl.yml builds golangci-lint %s, tools/custom-gcl/go.mod pins %s", cfg.Version, pinned)
	}
	if cfg.Name != "custom-gcl" || cfg.Destination != "./bin" {
		t.Errorf(".custom-gcl.yml writes %s/%s, want ./bin/custom-gcl like build.sh", cfg.Destination, cfg.Name)
	}
	if len(cfg.Plugins) != 1 {
		t.Fatalf(".custom-gcl.yml has %d plugins, want 1", len(cfg.Plugins))
	}
	p := cfg.Plugins[0]
	if p.Module != "github.com/resilvet/resilvet" || p.Import != "github.com/resilvet/resilvet/plugin" || p.Path != "." || p.Version != "" {
		t.Errorf(".custom-gcl.yml plugin = %+v, want this checkout's plugin package", p)
	}
}

// TestExampleConfigVerifies: golangci-lint's own schema check accepts the
// example configuration.
func TestExampleConfigVerifies(t *testing.T) {
	r := lint(t, repoRoot, "config", "verify", "-c", configFile)
	if r.code != 0 {
		t.Errorf("config verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
