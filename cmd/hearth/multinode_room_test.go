package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// signal is the node's signaling WebSocket.
func (n *node) signal() string { return "ws" + strings.TrimPrefix(n.base, "http") + uiSignalPath }

// member is a Pion participant that enters a meeting through one node and
// follows redirects to the node that runs it.
type member struct {
	name  string
	entry []*node // tried in turn: where the member's link leads
	c     *loadtest.Client
}

// join enters through the first entry node that answers and lands on the
// room's owner. Until a dead owner's lease expires the nodes still send
// members to it: the member tries again, as the room page does.
func (m *member) join(t *testing.T, room string) {
	t.Helper()
	start := time.Now()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := loadtest.Dial(ctx, m.entry[i%len(m.entry)].signal(),
			loadtest.Options{Room: room, Name: m.name, Audio: true, PacketInterval: 20 * time.Millisecond})
		cancel()
		if err == nil {
			m.c = c
			t.Cleanup(c.Close)
			return
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("%s: not back in the room after a minute: %v", m.name, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// hearEachOther waits until every member receives audio from every other.
func hearEachOther(t *testing.T, ms ...*member) {
	t.Helper()
	poll(t, "members hearing each other", func() bool {
		for _, a := range ms {
			for _, b := range ms {
				if s, ok := a.c.Recv.Stream(b.c.ID, false); a != b && (!ok || s.Packets < 25) {
					return false
				}
			}
		}
		return true
	})
}

func ownerOf(t *testing.T, nodes []*node, signal string) *node {
	t.Helper()
	for _, n := range nodes {
		if n.signal() == signal {
			return n
		}
	}
	t.Fatalf("no node serves %s", signal)
	return nil
}

// Three hearth processes on one PostgreSQL. Two members enter one meeting
// through nodes B and C and meet on the node that runs the room, hearing
// each other. Then that node is killed (SIGKILL): both are back in one room
// on another node, with media, once the dead node's lease expires; the
// time that takes is logged (README, "Several nodes on PostgreSQL").
func TestMultiNodeRoomFailover(t *testing.T) {
	nodes := startNodes(t)
	b, c := nodes[1], nodes[2]
	x := &member{name: "x", entry: []*node{b, c}}
	y := &member{name: "y", entry: []*node{c, b}}
	x.join(t, "big-book")
	y.join(t, "big-book")
	if x.c.URL != y.c.URL {
		t.Fatalf("members landed on %s and %s, want one node", x.c.URL, y.c.URL)
	}
	owner := ownerOf(t, nodes, x.c.URL)
	t.Logf("room placed on node %s", owner.name)
	hearEachOther(t, x, y)

	if err := owner.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	x.c.Close()
	y.c.Close()
	alive := slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == owner })
	x.entry, y.entry = alive, []*node{alive[1], alive[0]}
	x.join(t, "big-book")
	y.join(t, "big-book")
	rejoined := time.Since(killed)
	if x.c.URL != y.c.URL || x.c.URL == owner.signal() {
		t.Fatalf("after the kill members landed on %s and %s (dead owner %s)", x.c.URL, y.c.URL, owner.signal())
	}
	hearEachOther(t, x, y)
	t.Logf("owner killed: both members back in one room on node %s after %v, hearing each other after %v",
		ownerOf(t, nodes, x.c.URL).name, rejoined, time.Since(killed))
}
