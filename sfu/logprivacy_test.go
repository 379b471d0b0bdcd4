package sfu_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// syncBuffer is a log destination shared by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggedMeeting is what a meeting left behind: the log and the secrets
// that must not be in it.
type loggedMeeting struct {
	log     string
	secrets []string // ICE ufrags and passwords, TURN usernames and passwords
}

// runLoggedMeeting holds a real meeting with the server's log at level:
// three Pion participants with audio and video exchange media, one drops
// its signaling and resumes (an ICE restart), and TURN allocations are
// made with a minted credential, a forged password and a garbage username.
func runLoggedMeeting(t *testing.T, level slog.Level) loggedMeeting {
	t.Helper()
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))
	cfg := sfu.Config{LoopbackOnly: true, TURN: sfu.TURNConfig{Enabled: true, Secret: "0123456789abcdef-log-test", TTL: time.Minute}}
	s, err := sfu.New(cfg, loadtest.OpenRooms{Max: 50}, log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	ts := &testServer{srv: s, url: "ws" + strings.TrimPrefix(hs.URL, "http"), close: func() { _ = s.Close(); hs.Close() }}
	defer ts.close()
	a := ts.dial(t, "r", "a", true, true)
	b := ts.dial(t, "r", "b", true, true)
	c := ts.dial(t, "r", "c", true, true)
	all := func(n int64) bool {
		return received(a, b.ID, true, n) && received(b, c.ID, true, n) && received(c, a.ID, true, n) &&
			received(a, c.ID, false, n) && received(c, b.ID, false, n)
	}
	waitFor(t, 15*time.Second, "media between everyone", func() bool { return all(30) })
	c.DropSignaling()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Resume(ctx, ts.url); err != nil {
		t.Fatalf("resume: %v", err)
	}
	before, _ := a.Recv.Stream(c.ID, true)
	waitFor(t, 15*time.Second, "media after the ICE restart", func() bool { return received(a, c.ID, true, before.Packets+30) })
	m := loggedMeeting{}
	m.secrets = append(m.secrets, turnAllocations(t, ts)...)
	for _, cl := range []interface{ ICECredentials() []string }{a, b, c} {
		m.secrets = append(m.secrets, cl.ICECredentials()...)
	}
	if len(m.secrets) < 12 {
		t.Fatalf("only %d ICE and TURN credentials to look for: %q", len(m.secrets), m.secrets)
	}
	a.Leave()
	b.Close()
	c.Close()
	ts.close()
	m.log = buf.String()
	return m
}

// turnAllocations joins a listener, allocates a relay with its TURN
// credential, then fails with a forged password and a garbage username.
// It returns the credentials used.
func turnAllocations(t *testing.T, ts *testServer) []string {
	t.Helper()
	cl := ts.raw(t)
	cl.send(`{"type":"join","room":"r","name":"turn"}`)
	_, m := cl.next("joined")
	srv := m["iceServers"].([]any)[0].(map[string]any)
	url := srv["urls"].([]any)[0].(string)
	user, pass := srv["username"].(string), srv["credential"].(string)
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "turn:"), "?transport=udp")
	if err := allocate(t, addr, user, pass); err != nil {
		t.Fatalf("allocation with the minted credential: %v", err)
	}
	if err := allocate(t, addr, user, "forged-password"); err == nil {
		t.Fatal("allocation with a forged password succeeded")
	}
	if err := allocate(t, addr, "garbage-user-name", "forged-password"); err == nil {
		t.Fatal("allocation with a garbage username succeeded")
	}
	return []string{user, pass, "garbage-user-name"}
}

var (
	ipv4InLog = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	ipv6InLog = regexp.MustCompile(`::1\b|::ffff:|\[[0-9a-fA-F:]+\]`)
)

// TestNoAddressesInDebugLog keeps the promise that no client address and
// no ICE or TURN credential is logged at any level: a real meeting's log at
// Pion's most verbose level holds none, while its lines are still there
// with placeholders.
func TestNoAddressesInDebugLog(t *testing.T) {
	m := runLoggedMeeting(t, slog.LevelDebug-4)
	lines := strings.Count(m.log, "\n")
	for _, want := range []string{"pion=ice", "pion=udpmux", "Registered <ip> for <redacted>", "remotePwd: <redacted>", "pion=turn"} {
		if !strings.Contains(m.log, want) {
			t.Errorf("the debug log (%d lines) has no %q: the test no longer sees what it checks", lines, want)
		}
	}
	bad := 0
	for line := range strings.Lines(m.log) {
		leak := ipv4InLog.FindString(line) + ipv6InLog.FindString(line)
		for _, s := range m.secrets {
			if strings.Contains(line, s) {
				leak += " secret " + s
			}
		}
		if leak != "" {
			if bad++; bad <= 10 {
				t.Errorf("leaks %s: %s", leak, strings.TrimSpace(line))
			}
		}
	}
	t.Logf("%d debug lines, %d with an address or a credential", lines, bad)
}

// TestPionQuietAtInfo checks that Pion's chatter (congestion-control
// figures many times a second, state changes, STUN from a client that got
// it wrong) stays out of the default log: the same meeting at info level
// writes only a bounded handful of Pion lines.
func TestPionQuietAtInfo(t *testing.T) {
	m := runLoggedMeeting(t, slog.LevelInfo)
	var pion []string
	for line := range strings.Lines(m.log) {
		if strings.Contains(line, " pion=") {
			pion = append(pion, strings.TrimSpace(line))
		}
	}
	// Only Pion's errors pass, at most pionErrorBurst (5) per scope: the
	// failed TURN authentications are the only ones this meeting causes.
	if len(pion) > 5 {
		t.Errorf("%d Pion lines at info level, want at most 5:\n%s", len(pion), strings.Join(pion, "\n"))
	}
	t.Logf("%d lines at info, %d from Pion:\n%s", strings.Count(m.log, "\n"), len(pion), m.log)
}
