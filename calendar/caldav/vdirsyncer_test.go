package caldav

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runTool runs a real client with its own HOME and XDG dirs under dir.
func runTool(t *testing.T, dir, stdin, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	}
	return out.String()
}

// TestVdirsyncerKhal syncs every collection with vdirsyncer (discovery,
// PROPFIND depth 1 with ETags, multiget) and lists the synced "all"
// calendar with khal in a chosen viewer timezone, which expands DST and
// exceptions on its own.
func TestVdirsyncerKhal(t *testing.T) {
	vdirsyncer := needTool(t, "vdirsyncer")
	khal := needTool(t, "khal")
	ts := newServer(t, fixture())
	dir := t.TempDir()
	cfg := fmt.Sprintf(`[general]
status_path = "%[1]s/status/"

[pair hearth]
a = "hearth_remote"
b = "hearth_local"
collections = ["from a"]

[storage hearth_remote]
type = "caldav"
url = "%[2]s/dav/"
read_only = true

[storage hearth_local]
type = "filesystem"
path = "%[1]s/cal/"
fileext = ".ics"
`, dir, ts.URL)
	vcfg := filepath.Join(dir, "vdirsyncer.conf")
	if err := os.WriteFile(vcfg, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	runTool(t, dir, strings.Repeat("y\n", 40), vdirsyncer, "-c", vcfg, "discover")
	runTool(t, dir, "", vdirsyncer, "-c", vcfg, "sync")
	collections, err := os.ReadDir(filepath.Join(dir, "cal"))
	if err != nil || len(collections) != 8 {
		t.Fatalf("vdirsyncer synced %d collections (%v), want 8", len(collections), err)
	}
	objs, _ := filepath.Glob(filepath.Join(dir, "cal", "all", "*.ics"))
	if len(objs) != 3 {
		t.Fatalf("all holds %d objects after sync, want 3", len(objs))
	}
	// A second sync finds nothing to do: ETags are stable.
	if out := runTool(t, dir, "", vdirsyncer, "-c", vcfg, "sync"); strings.Contains(out, "Copying") || strings.Contains(out, "Updating") {
		t.Errorf("second sync changed things:\n%s", out)
	}

	kcfg := filepath.Join(dir, "khal.conf")
	khalCfg := fmt.Sprintf(`[calendars]
[[hearth]]
path = %[1]s/cal/all
[sqlite]
path = %[1]s/khal.db
[locale]
local_timezone = Europe/Paris
default_timezone = Europe/Paris
timeformat = %%H:%%M
dateformat = %%Y-%%m-%%d
longdateformat = %%Y-%%m-%%d
datetimeformat = %%Y-%%m-%%d %%H:%%M
longdatetimeformat = %%Y-%%m-%%d %%H:%%M
`, dir)
	if err := os.WriteFile(kcfg, []byte(khalCfg), 0o600); err != nil {
		t.Fatal(err)
	}
	// US summer time starts 8 March 2026, Europe's 29 March: New York 19:00
	// is 00:00 in Paris between the two and 01:00 after. Monday 9 March is
	// cancelled and Thursday 12 March moved to 21:00 EDT (02:00 in Paris).
	cases := []struct{ from, span, want string }{
		{"2026-03-09", "9d", "2026-03-13 02:00 Meeting ny-evening | 2026-03-13 15:30 Meeting tokyo-late | " +
			"2026-03-14 08:00 Meeting berlin-smart | 2026-03-17 00:00 Meeting ny-evening"},
		{"2026-03-30", "2d", "2026-03-31 01:00 Meeting ny-evening"},
		// Europe back to winter time 25 October, the US 1 November.
		{"2026-10-26", "2d", "2026-10-27 00:00 Meeting ny-evening"},
		{"2026-11-02", "2d", "2026-11-03 01:00 Meeting ny-evening"},
	}
	for _, c := range cases {
		out := runTool(t, dir, "", khal, "-c", kcfg, "list", "--format", "{start} {title}", "--day-format", "", c.from, c.span)
		got := strings.Join(strings.Fields(strings.Join(strings.Split(strings.TrimSpace(out), "\n"), " | ")), " ")
		if want := strings.Join(strings.Fields(c.want), " "); got != want {
			t.Errorf("khal list %s %s:\n got %s\nwant %s", c.from, c.span, got, want)
		}
	}
}
