package sfu_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// TestRaidDrill: a chair and 10 members; 30 raiders join in one burst,
// unmute, send audio and video, spam chat and rename; the chair secures the
// meeting and removes them. After the secure action the server forwards no
// raider packet, no raider chat reaches a member, no raider gets back in,
// and members can speak again. The time from the chair's action to silence
// is logged.
func TestRaidDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("41 Pion clients")
	}
	// The full drill is 10 members and 30 raiders. Under the race detector
	// on the shared 2-core machine 41 Pion clients starve ICE of CPU and
	// connections fail before any control runs, so it is scaled down there;
	// run without -race for the full drill.
	nMembers, nRaiders := 10, 30
	if raceEnabled {
		nMembers, nRaiders = 3, 8
	}
	t.Logf("drill: %d members, %d raiders", nMembers, nRaiders)
	cs := startControlled(t, sfu.ChairSettings{MaxParticipants: 100}, control.Limits{})
	const room = "raid"
	chair := cs.dialMedia(t, room, "chair", bid("chair"), false, false)
	for _, m := range []map[string]any{{"type": "control-state"}, {"type": "claim-chair", "hostKey": rightHostKey}} {
		if err := chair.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	var members []*loadtest.Client
	for i := range nMembers {
		m := cs.dialMedia(t, room, fmt.Sprint("member", i), bid(fmt.Sprint("m", i)), true, false)
		if err := m.Send(map[string]any{"type": "control-state"}); err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}

	raiders := make([]*loadtest.Client, nRaiders)
	var wg sync.WaitGroup
	for i := range raiders {
		wg.Go(func() {
			raiders[i] = cs.dialMedia(t, room, fmt.Sprint("raider", i), bid(fmt.Sprint("r", i)), true, true)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	for _, c := range append(append([]*loadtest.Client{}, members...), raiders...) {
		c.Audio.SetLevel(loudLevel) // silent audio is not forwarded at all
	}
	for i, r := range raiders {
		for _, m := range []map[string]any{
			{"type": "mute", "audio": true, "video": true},
			{"type": "self-unmute"},
			{"type": "chat", "text": "spam"},
			{"type": "rename", "name": fmt.Sprint("member", i%nMembers)},
		} {
			if err := r.Send(m); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The raid is on: every member hears every raider.
	heard := func() int {
		n := 0
		for _, m := range members {
			for _, r := range raiders {
				if received(m, r.ID, false, 5) {
					n++
				}
			}
		}
		return n
	}
	raidStart := time.Now()
	for heard() < len(members)*len(raiders) {
		if time.Since(raidStart) > 90*time.Second {
			for _, m := range members {
				var per []int64
				for _, r := range raiders {
					s, _ := m.Recv.Stream(r.ID, false)
					per = append(per, s.Packets)
				}
				t.Logf("%s (connected %v): %v", m.Name, m.Connected(), per)
			}
			for _, r := range raiders {
				t.Logf("%s: connected %v, sent %d audio packets", r.Name, r.Connected(), r.Audio.Sent.Load())
			}
			t.Fatalf("after 90 s members hear %d of %d raider streams", heard(), len(members)*len(raiders))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("all %d member-raider audio streams flowing %v after the burst", heard(), time.Since(raidStart))
	waitFor(t, 30*time.Second, "raider video", func() bool { return received(members[0], raiders[0].ID, true, 5) })

	start := time.Now()
	if err := chair.Send(map[string]any{"type": "secure"}); err != nil {
		t.Fatal(err)
	}
	silence := waitSilence(t, members, raiders, start)
	t.Logf("time from the chair's secure action to the last raider packet at any member: %v", silence)
	counts := raiderPackets(members, raiders)
	for _, r := range raiders {
		_ = r.Send(map[string]any{"type": "self-unmute"})
		_ = r.Send(map[string]any{"type": "self-start-video"})
		_ = r.Send(map[string]any{"type": "mute", "audio": true, "video": true})
		_ = r.Send(map[string]any{"type": "chat", "text": "after secure"})
	}
	for _, r := range raiders {
		if err := chair.Send(map[string]any{"type": "remove", "target": r.ID, "deleteMessages": true}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Second)
	if after := raiderPackets(members, raiders); after != counts {
		t.Errorf("server forwarded %d raider packets after the secure action went into effect", after-counts)
	}
	checkNoRaiderChat(t, members, raiders)
	checkBarred(t, cs, room, nRaiders)
	checkMembersSpeak(t, chair, members)
}

// waitSilence returns when no member has received a raider packet for a
// full second, and how long after start the last one arrived.
func waitSilence(t *testing.T, members, raiders []*loadtest.Client, start time.Time) time.Duration {
	t.Helper()
	last, lastAt := raiderPackets(members, raiders), time.Now()
	for time.Since(lastAt) < time.Second {
		if time.Since(start) > 30*time.Second {
			t.Fatal("raiders still heard 30 s after the secure action")
		}
		time.Sleep(2 * time.Millisecond)
		if n := raiderPackets(members, raiders); n != last {
			last, lastAt = n, time.Now()
		}
	}
	if lastAt.Before(start) {
		return 0
	}
	return lastAt.Sub(start)
}

// raiderPackets counts raider packets received by all members.
func raiderPackets(members, raiders []*loadtest.Client) int64 {
	var n int64
	for _, m := range members {
		for _, r := range raiders {
			for _, video := range []bool{false, true} {
				if s, ok := m.Recv.Stream(r.ID, video); ok {
					n += s.Packets
				}
			}
		}
	}
	return n
}

// checkNoRaiderChat: every raider message a member saw was deleted for
// everyone, and none was posted after the secure action.
func checkNoRaiderChat(t *testing.T, members, raiders []*loadtest.Client) {
	t.Helper()
	isRaider := map[string]bool{}
	for _, r := range raiders {
		isRaider[r.ID] = true
	}
	for _, m := range members {
		posted, deleted, secured := map[float64]bool{}, map[float64]bool{}, false
		for _, ev := range controlEvents(m) {
			switch ev["event"] {
			case "control":
				secured = secured || ev["control"] == "secure"
			case "chat":
				chat, _ := ev["chat"].(map[string]any)
				if from, _ := chat["from"].(string); isRaider[from] {
					if secured {
						t.Errorf("%s got raider chat after secure", m.Name)
					}
					posted[chat["id"].(float64)] = true
				}
			case "chat-deleted":
				deleted[ev["chatId"].(float64)] = true
			}
		}
		if !secured {
			t.Errorf("%s never saw the secure announcement", m.Name)
		}
		for id := range posted {
			if !deleted[id] {
				t.Errorf("%s still shows raider message %v", m.Name, id)
			}
		}
	}
}

// checkBarred: a removed raider's browser cannot get back in, under a new
// name or on a new socket.
func checkBarred(t *testing.T, cs *controlServer, room string, nRaiders int) {
	t.Helper()
	_ = cs.signal(t, bid("chair")) // the chair's browser is not barred: sanity
	for i := range nRaiders {
		c := cs.signal(t, bid(fmt.Sprint("r", i)))
		m := c.join(room, fmt.Sprint("innocent", i), nil)
		if m["type"] != "error" || m["code"] != string(control.CodeBarred) {
			t.Fatalf("raider %d rejoin: %v", i, m)
		}
	}
}

// checkMembersSpeak: with self-unmute back on, members' audio flows again.
func checkMembersSpeak(t *testing.T, chair *loadtest.Client, members []*loadtest.Client) {
	t.Helper()
	if err := chair.Send(map[string]any{"type": "set-self-unmute", "on": true}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	for _, m := range members {
		if err := m.Send(map[string]any{"type": "self-unmute"}); err != nil {
			t.Fatal(err)
		}
	}
	from := members[1]
	before, _ := members[0].Recv.Stream(from.ID, false)
	waitFor(t, 10*time.Second, "member audio after the raid", func() bool {
		return received(members[0], from.ID, false, before.Packets+25)
	})
}

// loudLevel is an RFC 6464 audio level of speech (-10 dBov).
const loudLevel = 10

// dialBurst joins one raider during the burst. loadtest.Dial insists that
// the first message is joined, but in a burst another joiner's participant
// broadcast can come first (the core adds a peer to the room before its
// joined reply); such a client is closed and dials again.
func (cs *controlServer) dialBurst(t *testing.T, room, name, browser string) *loadtest.Client {
	t.Helper()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var c *loadtest.Client
		c, err = loadtest.Dial(ctx, cs.url+"?bid="+browser, loadtest.Options{Room: room, Name: name,
			Audio: true, Video: true, Loopback: true, PacketInterval: drillInterval()})
		cancel()
		if err == nil {
			t.Cleanup(c.Close)
			return c
		}
		if !strings.Contains(err.Error(), "join refused: participant") && !strings.Contains(err.Error(), "join refused: control") {
			break
		}
	}
	t.Errorf("dial %s: %v", name, err)
	return nil
}
