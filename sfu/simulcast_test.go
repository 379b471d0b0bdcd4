package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// layerIs reports whether c receives pub's video on the layer, with new
// packets since n.
func layerIs(c *loadtest.Client, pub string, layer int, n int64) bool {
	s, ok := c.Recv.Stream(pub, true)
	return ok && s.Layer == layer && s.Packets > n
}

func TestSimulcastLayerFollowsTheSizeAsked(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	pub := ts.dialOpts(t, loadtest.Options{Room: "s", Name: "pub", Video: true, Simulcast: true})
	small := ts.dial(t, "s", "small", false, false)
	if err := small.Send(map[string]any{"type": "video-size", "height": 120}); err != nil {
		t.Fatal(err)
	}
	big := ts.dial(t, "s", "big", false, false)

	waitFor(t, 15*time.Second, "the low layer at the small subscriber", func() bool {
		return layerIs(small, pub.ID, 0, 60)
	})
	waitFor(t, 15*time.Second, "the full layer at the big subscriber", func() bool {
		return layerIs(big, pub.ID, 2, 60)
	})
	before, _ := small.Recv.Stream(pub.ID, true)

	// The small subscriber enlarges the video: it switches up, on a
	// keyframe, with no break in its sequence numbers.
	plis := pub.Video.PLIs.Load()
	if err := small.Send(map[string]any{"type": "video-size", "id": pub.ID, "height": 720}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the switch to the full layer", func() bool {
		return layerIs(small, pub.ID, 2, before.Packets+30)
	})
	if pub.Video.PLIs.Load() == plis {
		t.Error("no keyframe was requested for the switch")
	}
	// And back down (to the half layer, or lower if the estimate of a
	// loaded test machine says so).
	if err := small.Send(map[string]any{"type": "video-size", "id": pub.ID, "height": 300}); err != nil {
		t.Fatal(err)
	}
	mid, _ := small.Recv.Stream(pub.ID, true)
	waitFor(t, 15*time.Second, "the switch down", func() bool {
		return layerIs(small, pub.ID, 1, mid.Packets+30) || layerIs(small, pub.ID, 0, mid.Packets+30)
	})
	for _, c := range []*loadtest.Client{small, big} {
		s, _ := c.Recv.Stream(pub.ID, true)
		if s.DeltaSwitches != 0 || s.SeqBreaks != 0 || s.Corrupt != 0 || s.Gaps != 0 {
			t.Errorf("%s: %d switches, %d not on a keyframe, %d sequence breaks, %d corrupt, %d gaps",
				c.Name, s.Switches, s.DeltaSwitches, s.SeqBreaks, s.Corrupt, s.Gaps)
		}
	}
}

func TestVideoSizeRefusesBadInput(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	c := ts.dial(t, "v", "c", false, false)
	for _, msg := range []map[string]any{
		{"type": "video-size", "height": -1},
		{"type": "video-size", "height": 99999},
		{"type": "video-size", "height": "tall"},
	} {
		if err := c.Send(msg); err != nil {
			t.Fatal(err)
		}
		waitForEvent(t, c, "error")
	}
}

// waitForEvent waits for a server message of the type.
func waitForEvent(t *testing.T, c *loadtest.Client, typ string) loadtest.Message {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case m := <-c.Events:
			if m.Type == typ {
				return m
			}
		case <-deadline:
			t.Fatalf("no %s message", typ)
		}
	}
}
