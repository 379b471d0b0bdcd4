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

// TestLayersOwnTheirLibraries: Huma belongs to the API layer alone (status
// codes and problem details live there, nowhere else); the chair state
// machine does no I/O (no networking, no Pion), so it is tested with tables
// and a manual clock; the pages and the calendar read the schedule through
// their own small interfaces, never the store.
func TestLayersOwnTheirLibraries(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, "github.com/danielgtaylor/huma") && f[0] != module+"/meetings/api" {
				t.Errorf("%s imports %s: Huma belongs to meetings/api alone", f[0], imp)
			}
		}
	}
	for _, dep := range depsOf(t, module+"/sfu/control") {
		if dep == "net" || strings.HasPrefix(dep, "net/") || strings.HasPrefix(dep, "github.com/pion/") ||
			strings.HasPrefix(dep, "github.com/coder/websocket") {
			t.Errorf("sfu/control depends on %s: the chair state machine does no I/O", dep)
		}
	}
	for _, pkg := range []string{"ui", "calendar"} {
		for _, dep := range depsOf(t, module+"/"+pkg+"/...") {
			if dep == module+"/meetings/store" || strings.HasPrefix(dep, module+"/meetings/store/") {
				t.Errorf("%s depends on %s: it reads the schedule through its own interface", pkg, dep)
			}
		}
	}
}
