package sfu_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// waitSpeakers waits for a speakers message that lists id under key
// ("on" or "off").
func waitSpeakers(t *testing.T, c *loadtest.Client, key, id string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-c.Events:
			if m.Type != sfu.MsgSpeakers {
				continue
			}
			var ids []string
			if key == "on" {
				ids = m.On
			} else {
				ids = m.Off
			}
			if slices.Contains(ids, id) {
				return
			}
		case <-deadline:
			t.Fatalf("no speakers %s for %s", key, id[:8])
		}
	}
}

func TestActiveSpeakerAndSilentAudio(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	a := ts.dial(t, "r", "a", true, false)
	b := ts.dial(t, "r", "b", true, false)
	c := ts.dial(t, "r", "c", false, false)
	a.Audio.SetLevel(127)
	b.Audio.SetLevel(127)
	waitFor(t, 10*time.Second, "audio", func() bool { return received(c, a.ID, false, 10) })

	// Silence is not forwarded once it has lasted a while.
	time.Sleep(2500 * time.Millisecond)
	quiet, _ := c.Recv.Stream(a.ID, false)
	time.Sleep(time.Second)
	if s, _ := c.Recv.Stream(a.ID, false); s.Packets != quiet.Packets {
		t.Errorf("%d packets of silence forwarded", s.Packets-quiet.Packets)
	}

	// a speaks: everyone is told, and a's audio flows again seamlessly.
	a.Audio.SetLevel(20)
	waitSpeakers(t, c, "on", a.ID)
	waitFor(t, 5*time.Second, "speech", func() bool { return received(c, a.ID, false, quiet.Packets+20) })
	if s, _ := c.Recv.Stream(a.ID, false); s.SeqBreaks != 0 {
		t.Errorf("sequence breaks after silence: %d", s.SeqBreaks)
	}
	a.Audio.SetLevel(127)
	waitSpeakers(t, c, "off", a.ID)
}

func TestMaxVideoStreamsFollowsTheSpeaker(t *testing.T) {
	ts := startServer(t, sfu.Config{MaxVideoStreams: 1})
	a := ts.dial(t, "r", "a", true, true)
	b := ts.dial(t, "r", "b", true, true)
	c := ts.dial(t, "r", "c", false, false)
	a.Audio.SetLevel(127)
	b.Audio.SetLevel(127)
	// Before anyone speaks, the earliest camera is shown, and only it.
	waitFor(t, 10*time.Second, "one video", func() bool { return received(c, a.ID, true, 30) || received(c, b.ID, true, 30) })
	shown, other := a, b
	if received(c, b.ID, true, 30) {
		shown, other = b, a
	}
	if received(c, other.ID, true, 1) {
		t.Fatal("two video streams with MaxVideoStreams 1")
	}
	other.Audio.SetLevel(10)
	waitFor(t, 10*time.Second, "the speaker's video", func() bool { return received(c, other.ID, true, 30) })
	time.Sleep(200 * time.Millisecond)
	before, _ := c.Recv.Stream(shown.ID, true)
	time.Sleep(time.Second)
	if s, _ := c.Recv.Stream(shown.ID, true); s.Packets != before.Packets {
		t.Errorf("the silent member's video still forwarded: %d packets", s.Packets-before.Packets)
	}
	for _, s := range c.Recv.Streams() {
		if s.Corrupt != 0 || s.SeqBreaks != 0 {
			t.Errorf("%+v", s)
		}
	}
}

func TestSelectVideo(t *testing.T) {
	ts := startServer(t, sfu.Config{MaxVideoStreams: 1})
	a := ts.dial(t, "r", "a", true, true)
	b := ts.dial(t, "r", "b", true, true)
	c := ts.dial(t, "r", "c", false, false)
	waitFor(t, 10*time.Second, "one video", func() bool { return received(c, a.ID, true, 30) || received(c, b.ID, true, 30) })
	shown, other := a, b
	if received(c, b.ID, true, 30) {
		shown, other = b, a
	}
	if err := c.Send(map[string]any{"type": "select", "ids": []string{other.ID}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the selected video", func() bool { return received(c, other.ID, true, 30) })
	time.Sleep(200 * time.Millisecond)
	before, _ := c.Recv.Stream(shown.ID, true)
	time.Sleep(time.Second)
	if s, _ := c.Recv.Stream(shown.ID, true); s.Packets != before.Packets {
		t.Errorf("unselected video still forwarded: %d packets", s.Packets-before.Packets)
	}
}
