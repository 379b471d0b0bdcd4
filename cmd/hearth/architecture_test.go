package main

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hearth-recovery/hearth"

// TestLayering keeps the dependency direction of the house: cmd wires
// everything; meetings and sfu never import each other (sfu takes its policy
// through an interface cmd implements); calendar and ui read meetings but
// never the media server. Only non-test imports count.
func TestLayering(t *testing.T) {
	forbidden := map[string][]string{
		"meetings": {"sfu", "calendar", "ui", "cmd"},
		"sfu":      {"meetings", "calendar", "ui", "cmd"},
		"calendar": {"sfu", "ui", "cmd"},
		"ui":       {"sfu", "calendar", "cmd"},
	}
	for pkg, bans := range forbidden {
		deps := depsOf(t, module+"/"+pkg+"/...")
		for _, dep := range deps {
			for _, ban := range bans {
				if dep == module+"/"+ban || strings.HasPrefix(dep, module+"/"+ban+"/") {
					t.Errorf("%s depends on %s: the layering forbids %s -> %s", pkg, dep, pkg, ban)
				}
			}
		}
	}
}

// TestDomainHasNoHTTP keeps the domain types free of the API layer: the
// meetings package imports no HTTP framework, not even net/http, and none
// of its own subpackages (store and api build on it, not the reverse).
func TestDomainHasNoHTTP(t *testing.T) {
	bans := []string{"github.com/danielgtaylor/huma", "net/http", module + "/meetings/"}
	for _, dep := range depsOf(t, module+"/meetings") {
		for _, ban := range bans {
			if dep == ban || strings.HasPrefix(dep, strings.TrimSuffix(ban, "/")+"/") {
				t.Errorf("meetings depends on %s: the domain must not import %s", dep, ban)
			}
		}
	}
}

// depsOf lists every package the pattern's non-test code depends on.
func depsOf(t *testing.T, pattern string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pattern).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v %s", pattern, err, stderr)
	}
	return strings.Fields(string(out))
}
