package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings/api"
	"github.com/hearth-recovery/hearth/meetings/store/pgtest"
)

// cluster is this package's throwaway PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var cluster pgtest.Cluster

func TestMain(m *testing.M) {
	code := m.Run()
	cluster.Stop()
	os.Exit(code)
}

var schemaLink = regexp.MustCompile(`"\$schema":"[^"]*"`)

const nodeToken = "multi-node-admin-token-0123"

// node is one hearth process of a multi-node test.
type node struct {
	name     string
	base     string
	database string
	cmd      *exec.Cmd
	out      bytes.Buffer
	done     chan struct{} // closed once the process has exited, with err
	err      error
}

// buildHearth builds the hearth binary once per test.
func buildHearth(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hearth")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNode runs `hearth serve` on database and waits for /healthz. Every
// node has the same public URL, as behind one load balancer.
func startNode(t *testing.T, bin, name, database string) *node {
	t.Helper()
	return startNodeAt(t, bin, name, database, freePort(t, "tcp"), "https://meet.example.org", "127.0.0.1")
}

// startNodeAt starts a node on port whose --node-url names host (tests
// reach it at 127.0.0.1 all the same, as base).
func startNodeAt(t *testing.T, bin, name, database string, port int, publicURL, host string, extra ...string) *node {
	t.Helper()
	n := &node{name: name, base: fmt.Sprintf("http://127.0.0.1:%d", port), database: database, done: make(chan struct{})}
	n.cmd = exec.Command(bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data", t.TempDir(),
		"--database", database, "--node-url", fmt.Sprintf("http://%s:%d", host, port), "--admin-token", nodeToken,
		"--public-url", publicURL,
		"--rtc-udp-port", fmt.Sprint(freePort(t, "udp")), "--rtc-tcp-port", "0", "--log-level", "warn",
		// Pages come from one node and their signaling may go to another.
		"--rtc-allowed-origins", "127.0.0.1:*", "--drain-timeout", "2s")
	n.cmd.Args = append(n.cmd.Args, extra...)
	n.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	n.cmd.Stdout, n.cmd.Stderr = &n.out, &n.out
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { n.err = n.cmd.Wait(); close(n.done) }()
	t.Cleanup(func() {
		n.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-n.done:
		case <-time.After(20 * time.Second):
			n.cmd.Process.Kill()
			<-n.done
		}
		if t.Failed() {
			t.Logf("node %s output:\n%s", n.name, n.out.String())
		}
	})
	for {
		select {
		case <-n.done:
			t.Fatalf("node %s exited: %v\n%s", name, n.err, n.out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if resp, err := http.Get(n.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
	}
}

// send makes an admin request and fails the test unless it answers want;
// it returns the response body.
func (n *node) send(t *testing.T, method, path string, body any, want int) []byte {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, n.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+nodeToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s on %s: %d, want %d: %s", method, path, n.name, resp.StatusCode, want, out)
	}
	return out
}

// fetch GETs path, sending etag as If-None-Match when not empty.
func (n *node) fetch(t *testing.T, path, etag string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.base+path, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func nodeMeeting(slug, name string) api.MeetingInput {
	return api.MeetingInput{Slug: slug, Name: name, Group: "eastside", Format: "12-step", Program: "AA",
		Types: []string{"O"}, Languages: []string{"en"}, Timezone: "America/Chicago", Time: "19:00", Duration: 60,
		Recurrence: api.RecurrenceJSON{Freq: "weekly", Weekdays: []int{1, 3}, Start: "2026-01-05"},
		Room:       api.RoomJSON{MaxParticipants: 30}}
}

// Three hearth processes on one PostgreSQL: a meeting created through A's
// API shows in C's iCalendar feed and CalDAV, and every node serves the same
// bytes under the same ETag and Last-Modified. Then it measures how long a
// write on one node takes to show on another.
func TestMultiNodeSchedule(t *testing.T) {
	nodes := startNodes(t)
	c := nodes[2]
	took := poll(t, "the meeting in C's feed", func() bool {
		code, _, body := c.fetch(t, "/calendar/all.ics", "")
		return code == http.StatusOK && strings.Contains(body, "SUMMARY:Big Book Study")
	})
	t.Logf("meeting created on A in C's feed after %v", took)

	for _, path := range []string{"/calendar/all.ics", "/dav/public/calendars/all/big-book.ics",
		"/api/meetings/big-book", "/api/meetings", "/api/meeting-guide.json"} {
		var tags, mods, bodies []string
		for _, n := range nodes {
			code, h, body := n.fetch(t, path, "")
			if code != http.StatusOK || h.Get("ETag") == "" {
				t.Fatalf("%s on %s: %d, ETag %q: %.300s", path, n.name, code, h.Get("ETag"), body)
			}
			// Huma's $schema link names the host that answered; the rest is the schedule.
			body = schemaLink.ReplaceAllString(body, "")
			tags, mods, bodies = append(tags, h.Get("ETag")), append(mods, h.Get("Last-Modified")), append(bodies, body)
			// A client holding the ETag from another node gets 304 here.
			if code, _, _ := n.fetch(t, path, tags[0]); code != http.StatusNotModified {
				t.Errorf("%s on %s: If-None-Match with %s's ETag answered %d, want 304", path, n.name, nodes[0].name, code)
			}
		}
		if len(slices.Compact(slices.Clone(tags))) != 1 || len(slices.Compact(slices.Clone(mods))) != 1 ||
			len(slices.Compact(slices.Clone(bodies))) != 1 {
			t.Errorf("%s differs between nodes: ETags %q, Last-Modified %q", path, tags, mods)
		}
	}
	var ctags []string
	for _, n := range nodes {
		ctags = append(ctags, n.propfind(t, "/dav/public/calendars/all/"))
	}
	if len(slices.Compact(slices.Clone(ctags))) != 1 || !strings.Contains(ctags[0], "getctag") {
		t.Errorf("CalDAV collection properties differ between nodes:\n%s", strings.Join(ctags, "\n"))
	}
	measureVisibility(t, nodes)
}

// startNodes runs three nodes A, B and C on a new database and creates the
// meeting big-book of the group eastside through A.
func startNodes(t *testing.T) []*node {
	t.Helper()
	database := cluster.Database(t)
	bin := buildHearth(t)
	var nodes []*node
	for _, name := range []string{"A", "B", "C"} {
		nodes = append(nodes, startNode(t, bin, name, database))
	}
	nodes[0].send(t, "POST", "/api/groups", api.GroupJSON{Slug: "eastside", Name: "Eastside Group", Program: "AA",
		TraditionURL: "https://example.org/7th"}, http.StatusCreated)
	nodes[0].send(t, "POST", "/api/meetings", nodeMeeting("big-book", "Big Book Study"), http.StatusCreated)
	return nodes
}

// poll calls cond until it holds and returns how long that took. The
// minute's bound only keeps a broken build from hanging; nothing is timed.
func poll(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > time.Minute {
			t.Fatalf("%s: not seen after a minute", what)
		}
	}
	return time.Since(start)
}

// propfind asks a collection for its ctag and sync token (Depth 0).
func (n *node) propfind(t *testing.T, path string) string {
	t.Helper()
	body := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">` +
		`<d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>`
	req, _ := http.NewRequest("PROPFIND", n.base+path, strings.NewReader(body))
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s on %s: %d %s", path, n.name, resp.StatusCode, out)
	}
	return string(out)
}

// measureVisibility updates the meeting on one node and polls another until
// its API shows the change; it logs the median and 99th percentile.
func measureVisibility(t *testing.T, nodes []*node) {
	const writes = 200
	var took []time.Duration
	for i := 0; i < writes; i++ {
		w, r := nodes[i%len(nodes)], nodes[(i+1)%len(nodes)]
		_, h, _ := r.fetch(t, "/api/meetings/big-book", "")
		old := h.Get("ETag")
		w.send(t, "PUT", "/api/meetings/big-book", nodeMeeting("big-book", fmt.Sprint("Big Book Study ", i)), http.StatusOK)
		written := time.Now()
		poll(t, "the update on "+r.name, func() bool {
			code, _, _ := r.fetch(t, "/api/meetings/big-book", old)
			return code == http.StatusOK
		})
		took = append(took, time.Since(written))
	}
	slices.Sort(took)
	t.Logf("schedule write to visible on another node (%d writes, 3 nodes): median %v, p99 %v, max %v",
		writes, took[len(took)/2], took[len(took)*99/100], took[len(took)-1])
}

// /healthz fails while the PostgreSQL database refuses connections, and
// recovers when it is back.
func TestHealthzPostgres(t *testing.T) {
	database := cluster.Database(t)
	name := database[strings.LastIndex(database, "/")+1 : strings.Index(database, "?")]
	cfg := serveConfig{DataDir: t.TempDir(), Database: database, NodeURL: "http://127.0.0.1:1", AdminToken: "a-test-admin-token-123",
		LogFormat: "text", LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true}}
	app, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(app))
	t.Cleanup(func() { srv.Close(); app.close() })
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Fatalf("healthz with the database up: %d", code)
	}
	ctx := context.Background()
	if err := cluster.Exec(ctx, "postgres", `ALTER DATABASE `+name+` ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	err = cluster.Exec(ctx, "postgres", `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, srv.URL+"/healthz"); code != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database unreachable: %d %s", code, body)
	}
	if err := cluster.Exec(ctx, "postgres", `ALTER DATABASE `+name+` ALLOW_CONNECTIONS true`); err != nil {
		t.Fatal(err)
	}
	for {
		if code, _ := get(t, srv.URL+"/healthz"); code == http.StatusOK {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
}
