package caldav

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTsdavClient runs the tsdav CalDAV client (npm) against the server:
// discovery from the root, calendar listing with ctag and sync-token, a
// time-range fetch and a ctag check.
func TestTsdavClient(t *testing.T) {
	node := needTool(t, "node")
	dir := filepath.Join("testdata", "tsdav")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "tsdav")); err != nil {
		needTool(t, "tsdav (npm ci --prefix calendar/caldav/testdata/tsdav)")
	}
	ts := newServer(t, fixture())
	cmd := exec.Command(node, filepath.Join(dir, "sync.cjs"), ts.URL+"/", "2026-03-12T00:00:00Z", "2026-03-13T12:00:00Z")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tsdav: %v\n%s", err, stderr.String())
	}
	// 12 March to midday 13 March UTC: the moved NY meeting (01:00Z on the
	// 13th) only; Tokyo is 14:30Z on the 13th and Berlin on the 14th.
	want := "calendars 8\nctag yes synctoken yes\nobject ny-evening.ics\ndirty false"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("tsdav said\n%s\nwant\n%s", got, want)
	}
}
