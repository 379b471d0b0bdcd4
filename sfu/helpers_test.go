package sfu_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

type testServer struct {
	srv   *sfu.Server
	url   string
	close func() // idempotent; also runs at cleanup
}

func startServer(t testing.TB, cfg sfu.Config) *testServer {
	t.Helper()
	cfg.LoopbackOnly = true
	level := slog.LevelError
	if os.Getenv("SFU_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	s, err := sfu.New(cfg, loadtest.OpenRooms{Max: 50}, log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	var once sync.Once
	closeAll := func() {
		once.Do(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			hs.Close()
		})
	}
	t.Cleanup(closeAll)
	return &testServer{srv: s, url: "ws" + strings.TrimPrefix(hs.URL, "http"), close: closeAll}
}

func (ts *testServer) dial(t *testing.T, room, name string, audio, video bool) *loadtest.Client {
	t.Helper()
	return ts.dialOpts(t, loadtest.Options{Room: room, Name: name, Audio: audio, Video: video})
}

func (ts *testServer) dialOpts(t *testing.T, o loadtest.Options) *loadtest.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o.Loopback = true
	c, err := loadtest.Dial(ctx, ts.url, o)
	if err != nil {
		t.Fatalf("dial %s: %v", o.Name, err)
	}
	t.Cleanup(c.Close)
	return c
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// received reports whether c got at least n packets of the kind from pub.
func received(c *loadtest.Client, pub string, video bool, n int64) bool {
	s, ok := c.Recv.Stream(pub, video)
	return ok && s.Packets >= n
}

// checkIntact fails unless the stream arrived uncorrupted and in order. A
// loaded CI machine (race detector, other packages' tests) can still lose a
// UDP packet or two on loopback; one that Pion's NACK brings back arrives
// late (one reorder and up to three sequence breaks per loss). Up to two such
// losses are logged, not failed: they are the network's, not the forwarder's.
func checkIntact(t *testing.T, who string, s loadtest.Stream) {
	t.Helper()
	loadedLoss := s.Gaps <= 2 && s.Reordered <= s.Gaps && s.SeqBreaks <= 3*s.Gaps
	if s.Corrupt == 0 && (s.Gaps == 0 && s.Reordered == 0 && s.SeqBreaks == 0 || loadedLoss) {
		if s.Gaps != 0 {
			t.Logf("%s: from %s video=%v: %d packets, %d lost on loopback (loaded machine), %d came back late",
				who, s.Publisher[:8], s.Video, s.Packets, s.Gaps, s.Reordered)
		}
		return
	}
	t.Errorf("%s: from %s video=%v: %d packets, corrupt %d, reordered %d, gaps %d, seq breaks %d",
		who, s.Publisher[:8], s.Video, s.Packets, s.Corrupt, s.Reordered, s.Gaps, s.SeqBreaks)
}
