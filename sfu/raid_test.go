package sfu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// TestRaidDrill: a chair and 10 members; 30 raiders join in one burst,
// unmute, send audio and video, spam chat and rename; the chair secures the
// meeting and removes them. After the secure action the server forwards no
// raider packet, no raider chat or rename reaches a member, no raider gets back in,
// and members can speak again. The time from the chair's action to silence
// is logged.
func TestRaidDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("41 Pion clients")
	}
	// The full drill is 10 members and 30 raiders: HEARTH_RAID_FULL=1,
	// without -race. On the shared 2-core machine 41 Pion clients starve
	// ICE and the packet path of CPU (see the report), so by default the
	// drill runs at 3 members and 8 raiders, with the same assertions.
	nMembers, nRaiders := 3, 8
	if os.Getenv("HEARTH_RAID_FULL") != "" && !raceEnabled {
		nMembers, nRaiders = 10, 30
	}
	t.Logf("drill: %d members, %d raiders", nMembers, nRaiders)
	cs := startControlled(t, sfu.RoomSettings{MaxParticipants: 100}, control.Limits{})
	const room = "raid"
	chair := cs.dialChair(t, room)
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
			raiders[i] = cs.dialRaider(t, room, fmt.Sprint("raider", i), bid(fmt.Sprint("r", i)))
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
			{"type": "react", "reaction": "applause"},
			{"type": "react", "reaction": "heart"},
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
	// The raid is established when members hear raiders. On the shared
	// machine a few of the 300 subscriptions of a burst can lag behind;
	// the drill needs nearly all of them flowing, and every assertion below
	// counts every pair.
	raidStart, total := time.Now(), len(members)*len(raiders)
	for heard() < total && time.Since(raidStart) < 60*time.Second {
		time.Sleep(100 * time.Millisecond)
	}
	if got := heard(); got*10 < total*9 {
		for _, m := range members {
			var per []int64
			for _, r := range raiders {
				s, _ := m.Recv.Stream(r.ID, false)
				per = append(per, s.Packets)
			}
			t.Logf("%s (connected %v): %v", m.Name, m.Connected(), per)
		}
		t.Fatalf("after 60 s members hear %d of %d raider streams", got, total)
	}
	t.Logf("%d of %d member-raider audio streams flowing %v after the burst", heard(), total, time.Since(raidStart))
	waitFor(t, 30*time.Second, "raider video", func() bool {
		for _, m := range members {
			for _, r := range raiders {
				if received(m, r.ID, true, 5) {
					return true
				}
			}
		}
		return false
	})

	pubs := raiderPeers(t, cs, room, raiders)
	baseline := raiderPackets(members, raiders)
	start := time.Now()
	if err := chair.Send(map[string]any{"type": "secure"}); err != nil {
		t.Fatal(err)
	}
	// The gates close before the announcement is queued, so once the chair
	// reads it no packet may be forwarded: members are muted by the secure
	// action too, and the chair publishes nothing.
	waitAnnounced(t, chair, "secure")
	gated := time.Since(start)
	// Closing a gate waits for the writes of any packet checked before it
	// closed, so from the announcement on each raider's count is final.
	atAction := forwardedBy(pubs)
	silence := waitSilence(t, members, raiders, start, baseline)
	t.Logf("secure: gates closed and announced to the chair %v after its action; "+
		"last raider packet read by a member %v after the action (0: none arrived after it)", gated, silence)
	time.Sleep(2 * time.Second)
	checkForwarded(t, "in the 2 s after the secure action", pubs, atAction)
	for _, r := range raiders {
		_ = r.Send(map[string]any{"type": "self-unmute"})
		_ = r.Send(map[string]any{"type": "self-start-video"})
		_ = r.Send(map[string]any{"type": "mute", "audio": true, "video": true})
		_ = r.Send(map[string]any{"type": "chat", "text": "after secure"})
		_ = r.Send(map[string]any{"type": "chat", "text": "dm after secure", "target": members[0].ID})
		_ = r.Send(map[string]any{"type": "chat", "text": "to the chairs", "toChairs": true})
		_ = r.Send(map[string]any{"type": "rename", "name": "an offensive name"})
		for range 5 {
			_ = r.Send(map[string]any{"type": "react", "reaction": "thumbs-up"})
		}
	}
	for _, r := range raiders {
		if err := chair.Send(map[string]any{"type": "remove", "target": r.ID, "deleteMessages": true}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Second)
	checkForwarded(t, "after raiders tried to unmute and were removed", pubs, atAction)
	checkNoRaiderChat(t, members, raiders)
	checkBarred(t, cs, room, nRaiders)
	checkMembersSpeak(t, chair, members)
}

// raiderPeers finds the server's participant behind each raider client;
// its forwarded count stays readable after it is removed.
func raiderPeers(t *testing.T, cs *controlServer, room string, raiders []*loadtest.Client) []*sfu.Peer {
	t.Helper()
	out := make([]*sfu.Peer, len(raiders))
	for i, r := range raiders {
		if out[i] = cs.srv.Room(room).Peer(r.ID); out[i] == nil {
			t.Fatalf("raider %d is not in the room", i)
		}
	}
	return out
}

func forwardedBy(pubs []*sfu.Peer) []uint64 {
	out := make([]uint64, len(pubs))
	for i, p := range pubs {
		out[i] = p.Forwarded()
	}
	return out
}

// checkForwarded: no raider had a single packet forwarded since the
// counts in before were taken.
func checkForwarded(t *testing.T, when string, pubs []*sfu.Peer, before []uint64) {
	t.Helper()
	for i, n := range forwardedBy(pubs) {
		if n != before[i] {
			t.Errorf("raider %d: the server forwarded %d packet copies %s", i, n-before[i], when)
		}
	}
}

// waitAnnounced waits until the chair reads the announcement of control.
func waitAnnounced(t *testing.T, chair *chairClient, ctl string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case v, ok := <-chair.events:
			if !ok {
				t.Fatalf("the chair's socket closed (%v) before the %s announcement", chair.closed, ctl)
			}
			if v["event"] == "control" && v["control"] == ctl {
				return
			}
		case <-timeout:
			t.Fatalf("chair never saw the %s announcement", ctl)
		}
	}
}

// chairClient is the drill's chair: signaling only, so that the media of
// 40 others does not slow the reading of its control events. It never
// answers offers, so the server keeps at most one outstanding.
type chairClient struct {
	ws     *websocket.Conn
	mu     sync.Mutex // serializes writes
	events chan map[string]any
	closed error // how the socket ended; read once events is closed
}

func (cs *controlServer) dialChair(t *testing.T, room string) *chairClient {
	t.Helper()
	sc := cs.signal(t, bid("chair"))
	mustJoined(t, sc.join(room, "chair", map[string]any{"hostKey": rightHostKey}))
	c := &chairClient{ws: sc.ws, events: make(chan map[string]any, 4096)}
	go func() {
		for {
			_, b, err := c.ws.Read(context.Background())
			if err != nil {
				c.closed = err
				close(c.events)
				return
			}
			var v map[string]any
			if json.Unmarshal(b, &v) == nil && v["type"] == "control" {
				select {
				case c.events <- v:
				default:
				}
			}
		}
	}()
	if err := c.Send(map[string]any{"type": "control-state"}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *chairClient) Send(m map[string]any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// waitSilence returns when no member has received a raider packet for a
// full second, and how long after start the last one arrived (packets the
// loaded clients had yet to read included). Polling starts once the chair
// has read the announcement, so the figure is at least that latency.
func waitSilence(t *testing.T, members, raiders []*loadtest.Client, start time.Time, baseline int64) time.Duration {
	t.Helper()
	last, lastAt := baseline, start
	for time.Since(lastAt) < time.Second {
		if time.Since(start) > 30*time.Second {
			t.Fatal("raiders still heard 30 s after the secure action")
		}
		time.Sleep(2 * time.Millisecond)
		if n := raiderPackets(members, raiders); n != last {
			last, lastAt = n, time.Now()
		}
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
// everyone, and none reached a member after the secure action (chat is
// then for the chairs only); no raider reaction reached a member after
// it either, while before it they did.
func checkNoRaiderChat(t *testing.T, members, raiders []*loadtest.Client) {
	t.Helper()
	isRaider := map[string]bool{}
	for _, r := range raiders {
		isRaider[r.ID] = true
	}
	reactionsBefore := 0
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
			case "renamed":
				if isRaider[fmt.Sprint(ev["subject"])] && secured {
					t.Errorf("%s saw a raider rename after secure: %v", m.Name, ev["name"])
				}
			case "reaction":
				switch {
				case !isRaider[fmt.Sprint(ev["subject"])]:
				case secured:
					t.Errorf("%s saw a raider reaction after secure: %v", m.Name, ev["reaction"])
				default:
					reactionsBefore++
				}
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
	if reactionsBefore == 0 {
		t.Error("no member saw a raider reaction before secure: the drill did not exercise reactions")
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
func checkMembersSpeak(t *testing.T, chair *chairClient, members []*loadtest.Client) {
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

// dialRaider joins one raider during the burst. Raiders send audio and
// video at a third of the members' packet rate: 30 of them publishing to
// 40 subscribers, all in this process, would otherwise starve ICE on a
// shared 2-core machine, and the drill is about gates, not bitrate.
func (cs *controlServer) dialRaider(t *testing.T, room, name, browser string) *loadtest.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := loadtest.Dial(ctx, cs.url+"?bid="+browser, loadtest.Options{Room: room, Name: name,
		Audio: true, Video: true, Loopback: true, PacketInterval: 3 * drillInterval()})
	if err != nil {
		t.Errorf("dial %s: %v", name, err)
		return nil
	}
	t.Cleanup(c.Close)
	return c
}
