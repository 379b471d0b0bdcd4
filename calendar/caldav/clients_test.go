package caldav

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// needTool fails in CI and skips elsewhere when a real client is missing.
func needTool(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", path, err)
	}
	t.Skipf("%s not available", path)
	return ""
}

// python3-caldav (Debian's /usr/bin/python3) discovers the principal from
// the bare root, lists the calendars and runs a date search.
func TestPythonCaldavClient(t *testing.T) {
	py := needTool(t, "/usr/bin/python3")
	if err := exec.Command(py, "-c", "import caldav").Run(); err != nil {
		needTool(t, "python3-caldav (module caldav)")
	}
	ts := newServer(t, fixture())
	cmd := exec.Command(py, filepath.Join("testdata", "python_caldav.py"), ts.URL+"/dav/", "20260309T000000Z", "20260310T000000Z")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-caldav: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[0] != "calendars 8" {
		t.Errorf("python3-caldav found %q, want 8 calendars", lines[0])
	}
	// 9 March 2026: the NY Monday meeting is cancelled; nothing else meets
	// (the Tokyo Friday and Berlin Saturday meetings are other days).
	found := lines[1:]
	sort.Strings(found)
	if strings.Join(found, ",") != "" {
		t.Errorf("date search for 9 March found %v, want nothing (the only meeting is cancelled)", found)
	}
	cmd = exec.Command(py, filepath.Join("testdata", "python_caldav.py"), ts.URL+"/dav/", "20260312T000000Z", "20260315T000000Z")
	cmd.Stderr = &stderr
	if out, err = cmd.Output(); err != nil {
		t.Fatalf("python3-caldav: %v\n%s", err, stderr.String())
	}
	found = strings.Split(strings.TrimSpace(string(out)), "\n")[1:]
	sort.Strings(found)
	want := "found series-1@meet.example.org,found series-2@meet.example.org,found series-3@meet.example.org"
	if strings.Join(found, ",") != want {
		t.Errorf("date search 12-15 March found %v, want %s", found, want)
	}
}

// TestPythonCaldavReadOnlySuite runs the read-only checks of python-caldav's
// own functional suite (re-written in testdata/python_caldav_readonly.py)
// from the server's root URL.
func TestPythonCaldavReadOnlySuite(t *testing.T) {
	py := needTool(t, "/usr/bin/python3")
	if err := exec.Command(py, "-c", "import caldav").Run(); err != nil {
		needTool(t, "python3-caldav (module caldav)")
	}
	ts := newServer(t, fixture())
	cmd := exec.Command(py, filepath.Join("testdata", "python_caldav_readonly.py"), ts.URL+"/", "series-2@meet.example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3-caldav: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "ok "); n != 16 {
		t.Errorf("python3-caldav ran %d checks, want 16:\n%s", n, out)
	}
}
