// Command custom-gcl is golangci-lint v2 with the resilvet module plugin
// compiled in: the offline equivalent of `golangci-lint custom` with the
// repository's .custom-gcl.yml. Build it with tools/custom-gcl/build.sh.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/golangci/golangci-lint/v2/pkg/commands"
	"github.com/golangci/golangci-lint/v2/pkg/exitcodes"

	// Registers the "resilvet" module plugin.
	_ "github.com/resilvet/resilvet/plugin"
)

func main() {
	if err := commands.Execute(buildInfo()); err != nil {
		fmt.Fprintf(os.Stderr, "The command is terminated due to an error: %v\n", err)
		os.Exit(exitcodes.Failure)
	}
}

// buildInfo names the golangci-lint release inside and this binary's own
// content hash. golangci-lint salts its result cache with the version, so a
// fixed version would serve findings of the analyzers of an earlier build;
// the hash changes whenever the analyzers do.
func buildInfo() commands.BuildInfo {
	info := commands.BuildInfo{Version: "(devel)", Commit: "resilvet plugin", Date: "(unknown)", GoVersion: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		info.GoVersion = bi.GoVersion
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/golangci/golangci-lint/v2" {
				info.Version = strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	if sum, err := selfHash(); err == nil {
		info.Version += "-custom-gcl+" + sum
	} else {
		// "(devel)" makes golangci-lint hash the binary itself.
		info.Version = "(devel)"
	}
	return info
}

func selfHash() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
