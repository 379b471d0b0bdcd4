package dialin

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
)

const (
	testMeetingID  = "12345"
	testPIN        = "24681357"
	testPasscode   = "1357"
	testHostKey    = "chair-key-1"
	openMeetingID  = "777"
	lobbyMeetingID = "888"
)

// testRooms is the schedule side: "monday" asks for a passcode, "open"
// does not; the host key makes a chair.
type testRooms struct{}

func (testRooms) Room(_ context.Context, id string) (sfu.RoomSettings, error) {
	switch id {
	case "monday":
		return sfu.RoomSettings{PasscodeRequired: true, SecretsVersion: "1"}, nil
	case "open":
		return sfu.RoomSettings{SecretsVersion: "1"}, nil
	case "lobby":
		return sfu.RoomSettings{WaitingRoom: true, SecretsVersion: "1"}, nil
	}
	return sfu.RoomSettings{}, sfu.ErrNoRoom
}

// VerifyPasscode: the browsers' passcode is not the callers' PIN.
func (testRooms) VerifyPasscode(_ context.Context, _, p string) (bool, error) {
	return p == testPasscode, nil
}

func (testRooms) VerifyPhonePIN(_ context.Context, _, p string) (bool, error) {
	return p == testPIN, nil
}

func (testRooms) VerifyHostKey(_ context.Context, _, k string) (sfu.ChairKey, bool, error) {
	return sfu.ChairKey{}, k == testHostKey, nil
}

func (testRooms) IsAdminToken(context.Context, string) bool { return false }

type testDirectory struct{}

func (testDirectory) Lookup(_ context.Context, id string) (Meeting, error) {
	switch id {
	case testMeetingID:
		return Meeting{Room: "monday", HasPIN: true}, nil
	case openMeetingID:
		return Meeting{Room: "open"}, nil
	case lobbyMeetingID:
		return Meeting{Room: "lobby", Language: "es"}, nil
	}
	return Meeting{}, ErrUnknownMeeting
}

// harness runs an SFU (with room control) and a gateway on loopback.
type harness struct {
	signal string
	gw     *Gateway
	events chan Event
}

func testLog() *slog.Logger {
	level := slog.LevelError
	if os.Getenv("DIALIN_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func newHarness(t testing.TB, allow ...netip.Prefix) *harness {
	t.Helper()
	if allow == nil {
		allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	return newHarnessAuth(t, nil, allow...)
}

// newHarnessAuth is newHarness with digest authentication; allow may be
// empty (any address may try the credentials).
func newHarnessAuth(t testing.TB, auth *Digest, allow ...netip.Prefix) *harness {
	t.Helper()
	return newHarnessLog(t, testLog(), auth, allow...)
}

// newHarnessLog is newHarnessAuth with the SFU and the gateway logging
// to log.
func newHarnessLog(t testing.TB, log *slog.Logger, auth *Digest, allow ...netip.Prefix) *harness {
	t.Helper()
	srv, err := sfu.New(sfu.Config{LoopbackOnly: true}, testRooms{}, log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	h := &harness{signal: "ws" + strings.TrimPrefix(hs.URL, "http"), events: make(chan Event, 1024)}
	lo := 20000 + 2*(os.Getpid()%4000)
	h.gw, err = New(Config{Listen: "127.0.0.1:0", RTPLow: lo, RTPHigh: lo + 200, AllowFrom: allow, Auth: auth,
		Directory: testDirectory{}, SignalURL: h.signal, Loopback: true, Cookie: srv.BrowserCookieFor,
		Observe: func(e Event) { h.events <- e }}, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = h.gw.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = srv.Close()
		hs.Close()
	})
	return h
}

// wait returns the next event of kind (and detail, when given); the
// deadline only keeps a broken test from hanging.
func (h *harness) wait(t testing.TB, kind, detail string) Event {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.Kind == kind && (detail == "" || e.Detail == detail) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s %s event", kind, detail)
		}
	}
}
