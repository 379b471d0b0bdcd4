package sfu_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// TestMediaOnMachineWithOnlyLoopback runs a production-configured server
// (not LoopbackOnly) on a machine whose only network is loopback, as an
// offline laptop or a test box: the media port must listen at 127.0.0.1
// and two participants exchange media. It runs in a network namespace of
// its own with only lo up.
func TestMediaOnMachineWithOnlyLoopback(t *testing.T) {
	if os.Getenv(inNetnsEnv) == "1" {
		runOnlyLoopback(t)
		return
	}
	rerunInNetns(t, requireTools(t, "unshare", "ip")["unshare"])
}

func runOnlyLoopback(t *testing.T) {
	inOwnNetns(t)
	netnsRun(t, "ip", "link", "set", "lo", "up")
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// The zero Config: not LoopbackOnly, a free UDP port, no ICE-TCP.
	s, err := sfu.New(sfu.Config{}, loadtest.OpenRooms{Max: 10}, log)
	if err != nil {
		t.Fatalf("a server on a machine with only loopback: %v", err)
	}
	hs := httptest.NewServer(s)
	defer func() { _ = s.Close(); hs.Close() }()
	addrs := s.UDPAddrs()
	if len(addrs) != 1 || !strings.HasPrefix(addrs[0], "127.0.0.1:") {
		t.Fatalf("media port listens at %v, want 127.0.0.1 only", addrs)
	}
	if !strings.Contains(buf.String(), "media reachable from this machine only") {
		t.Errorf("no warning that media is reachable from this machine only; log:\n%s", buf.String())
	}
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var cs []*loadtest.Client
	for _, name := range []string{"a", "b"} {
		c, err := loadtest.Dial(ctx, url, loadtest.Options{Room: "r", Name: name, Audio: true, Video: true, Loopback: true})
		if err != nil {
			t.Fatalf("dial %s: %v", name, err)
		}
		defer c.Close()
		cs = append(cs, c)
	}
	a, b := cs[0], cs[1]
	waitFor(t, 15*time.Second, "media both ways", func() bool {
		return received(a, b.ID, true, 30) && received(b, a.ID, true, 30) &&
			received(a, b.ID, false, 30) && received(b, a.ID, false, 30)
	})
}
