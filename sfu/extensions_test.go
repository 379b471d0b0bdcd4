package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
)

// TestAudioLevelReachesSubscribers checks the publisher's audio level
// arrives at a subscriber under the subscriber's own extension id.
func TestAudioLevelReachesSubscribers(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	a := ts.dial(t, "l", "a", true, false)
	b := ts.dial(t, "l", "b", false, false)
	a.Audio.SetLevel(20)
	waitFor(t, 10*time.Second, "audio with its level", func() bool {
		s, ok := b.Recv.Stream(a.ID, false)
		return ok && s.Levels > 20
	})
	if s, _ := b.Recv.Stream(a.ID, false); s.Level != 20 {
		t.Errorf("level %d arrived, want 20", s.Level)
	}
	a.Audio.SetLevel(40)
	waitFor(t, 10*time.Second, "the new level", func() bool {
		s, _ := b.Recv.Stream(a.ID, false)
		return s.Level == 40
	})
}
