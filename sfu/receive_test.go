package sfu_test

import (
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// videoTotals sums the video packets and bytes c received from each
// publisher.
func videoTotals(c *loadtest.Client, pubs []*loadtest.Client) (packets map[string]int64, bytes int64) {
	packets = map[string]int64{}
	for _, p := range pubs {
		s, _ := c.Recv.Stream(p.ID, true)
		packets[p.ID] = s.Packets
		bytes += s.Bytes
	}
	return packets, bytes
}

// TestReceiveVideoModes: three members publish camera and microphone and
// one of them speaks; three others joined asking for all video, for the
// speaker's only and for none. Over the same two seconds each receives
// exactly that (counted in packets and bytes by Pion clients), and every
// one still hears the speaker. In the room, a member changes its mind with
// receive-video and the server follows: speaker only shows the next
// speaker, and none stops the video.
func TestReceiveVideoModes(t *testing.T) {
	ts := startServer(t, sfu.Config{})
	a := ts.dial(t, "r", "a", true, true)
	b := ts.dial(t, "r", "b", true, true)
	c := ts.dial(t, "r", "c", true, true)
	pubs := []*loadtest.Client{a, b, c}
	for _, p := range pubs {
		p.Audio.SetLevel(127)
	}
	all := ts.dialOpts(t, loadtest.Options{Room: "r", Name: "all"})
	spk := ts.dialOpts(t, loadtest.Options{Room: "r", Name: "speaker", Receive: "speaker"})
	none := ts.dialOpts(t, loadtest.Options{Room: "r", Name: "none", Receive: "none"})
	b.Audio.SetLevel(20)
	waitSpeakers(t, spk, "on", b.ID)
	waitFor(t, 15*time.Second, "every video at the all subscriber and b's at the speaker one", func() bool {
		return received(all, a.ID, true, 30) && received(all, b.ID, true, 30) && received(all, c.ID, true, 30) &&
			received(spk, b.ID, true, 30)
	})

	subs := []*loadtest.Client{all, spk, none}
	before := make([]map[string]int64, len(subs))
	beforeBytes := make([]int64, len(subs))
	for i, s := range subs {
		before[i], beforeBytes[i] = videoTotals(s, pubs)
	}
	audioBefore, _ := none.Recv.Stream(b.ID, false)
	time.Sleep(2 * time.Second)
	want := map[*loadtest.Client]map[string]bool{
		all: {a.ID: true, b.ID: true, c.ID: true}, spk: {b.ID: true}, none: {},
	}
	for i, s := range subs {
		after, bytes := videoTotals(s, pubs)
		for _, p := range pubs {
			got := after[p.ID] - before[i][p.ID]
			if want[s][p.ID] != (got > 0) {
				t.Errorf("%s received %d video packets from %s in 2 s; want some: %v", s.Name, got, p.Name, want[s][p.ID])
			}
		}
		t.Logf("%s: %d video bytes in 2 s", s.Name, bytes-beforeBytes[i])
	}
	if audio, _ := none.Recv.Stream(b.ID, false); audio.Packets-audioBefore.Packets < 25 {
		t.Errorf("no video must not mean no audio: %d packets of the speaker in 2 s", audio.Packets-audioBefore.Packets)
	}

	// In the room: the no-video member asks for the speaker, the speaker
	// changes, and the speaker-only member turns video off.
	if err := none.Send(map[string]any{"type": sfu.MsgReceive, "mode": "speaker"}); err != nil {
		t.Fatal(err)
	}
	b.Audio.SetLevel(127)
	c.Audio.SetLevel(20)
	waitSpeakers(t, spk, "on", c.ID)
	waitFor(t, 15*time.Second, "the new speaker's video", func() bool {
		return received(none, c.ID, true, 30) && received(spk, c.ID, true, 30)
	})
	if err := spk.Send(map[string]any{"type": sfu.MsgReceive, "mode": "none"}); err != nil {
		t.Fatal(err)
	}
	// A bad mode is refused with an error, which also tells that the
	// request before it was applied.
	if err := spk.Send(map[string]any{"type": sfu.MsgReceive, "mode": "some"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the error for a bad mode", func() bool {
		for {
			select {
			case m := <-spk.Events:
				if m.Type == "error" && m.Code == sfu.CodeBadMessage {
					return true
				}
			default:
				return false
			}
		}
	})
	time.Sleep(500 * time.Millisecond) // packets already on the wire
	mid, _ := videoTotals(spk, pubs)
	time.Sleep(time.Second)
	after, _ := videoTotals(spk, pubs)
	for _, p := range pubs {
		if n := after[p.ID] - mid[p.ID]; n != 0 {
			t.Errorf("%d video packets from %s after asking for none", n, p.Name)
		}
	}
}
