package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// signal is the node's signaling WebSocket.
func (n *node) signal() string { return "ws" + strings.TrimPrefix(n.base, "http") + uiSignalPath }

// member is a Pion participant that enters a meeting through one node and
// follows redirects to the node that runs it.
type member struct {
	name    string
	entry   []*node // tried in turn: where the member's link leads
	browser string  // the browser cookie it presents (bars key on it)
	auth    map[string]string
	c       *loadtest.Client
}

// dial makes one attempt at entering room through n.
func (m *member) dial(n *node, room string) (*loadtest.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return loadtest.Dial(ctx, n.signal(), loadtest.Options{Room: room, Name: m.name, Audio: true,
		PacketInterval: 20 * time.Millisecond, BrowserID: m.browser, Auth: m.auth})
}

// join enters through the first entry node that answers and lands on the
// room's owner. Until a dead owner's lease expires the nodes still send
// members to it: the member tries again, as the room page does.
func (m *member) join(t *testing.T, room string) {
	t.Helper()
	start := time.Now()
	for i := 0; ; i++ {
		c, err := m.dial(m.entry[i%len(m.entry)], room)
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

// joinPageCookie is the browser cookie n's join page for room gives (a
// browser that opened the link): signed with the key the nodes share, so
// good on every node.
func joinPageCookie(t *testing.T, n *node, room string) string {
	t.Helper()
	resp, err := http.Get(n.base + "/m/" + room + "/join")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == sfu.BrowserCookie {
			return ck.Value
		}
	}
	t.Fatalf("node %s's join page set no browser cookie", n.name)
	return ""
}

// createWithHostKey creates a meeting through n and returns its host key.
func createWithHostKey(t *testing.T, n *node, slug, name string) string {
	t.Helper()
	var created struct {
		HostKey string `json:"host_key"`
	}
	body := n.send(t, "POST", "/api/meetings", nodeMeeting(slug, name), http.StatusCreated)
	if err := json.Unmarshal(body, &created); err != nil || created.HostKey == "" {
		t.Fatalf("host key: %v %s", err, body)
	}
	return created.HostKey
}

// refusedWith dials once through n and fails unless the join is refused
// with code.
func refusedWith(t *testing.T, m *member, n *node, room, code string) {
	t.Helper()
	c, err := m.dial(n, room)
	if err == nil {
		c.Close()
		t.Fatalf("%s entered %s, want refused %s", m.name, room, code)
	}
	if !strings.Contains(err.Error(), "error "+code) {
		t.Fatalf("%s: %v, want refused %s", m.name, err, code)
	}
}

// pollDB waits until cond, asked on a connection to database, holds.
func pollDB(t *testing.T, database, what string, cond func(context.Context, *pgx.Conn) bool) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	poll(t, what, func() bool { return cond(ctx, conn) })
}

// savedState waits until the room's state carried in the database says
// what holds.
func savedState(t *testing.T, database, room string, holds func(string) bool) {
	t.Helper()
	pollDB(t, database, "the room's state saved", func(ctx context.Context, conn *pgx.Conn) bool {
		var s string
		err := conn.QueryRow(ctx, `SELECT state FROM room_state WHERE room = $1`, room).Scan(&s)
		return err == nil && holds(s)
	})
}

// Three hearth processes on one PostgreSQL. Two members enter a meeting
// through nodes B and C and meet on the node that runs the room, hearing
// each other; the chair removes a raider and locks the room. Then that node
// is killed (SIGKILL): once its lease expires the members and the chair are
// back in one room on another node, with media; the room is still locked
// (a newcomer is refused) and the raider still barred. The time that takes
// is logged (README, "Several nodes on PostgreSQL").
func TestMultiNodeRoomFailover(t *testing.T) {
	nodes := startNodes(t)
	b, c := nodes[1], nodes[2]
	hostKey := createWithHostKey(t, nodes[0], "step-study", "Step Study")
	const room = "step-study"
	// Each brings the cookie of the node its link leads to; the room may
	// run on another.
	x := &member{name: "x", entry: []*node{b, c}, browser: joinPageCookie(t, b, room)}
	y := &member{name: "y", entry: []*node{c, b}, browser: joinPageCookie(t, c, room)}
	chair := &member{name: "chair", entry: nodes, browser: joinPageCookie(t, nodes[0], room),
		auth: map[string]string{"hostKey": hostKey}}
	raider := &member{name: "raider", entry: []*node{b}, browser: joinPageCookie(t, b, room)}
	stranger := &member{name: "stranger", browser: joinPageCookie(t, c, room)}
	for _, m := range []*member{x, y, chair, raider} {
		m.join(t, room)
	}
	if x.c.URL != y.c.URL || x.c.URL != chair.c.URL || x.c.URL != raider.c.URL {
		t.Fatalf("members landed on %s, %s, %s and %s, want one node", x.c.URL, y.c.URL, chair.c.URL, raider.c.URL)
	}
	owner := ownerOf(t, nodes, x.c.URL)
	t.Logf("room placed on node %s", owner.name)
	hearEachOther(t, x, y)
	if err := chair.c.Send(map[string]any{"type": "remove", "target": raider.c.ID}); err != nil {
		t.Fatal(err)
	}
	if err := chair.c.Send(map[string]any{"type": "set-locked", "on": true}); err != nil {
		t.Fatal(err)
	}
	savedState(t, owner.database, room, func(s string) bool {
		return strings.Contains(s, `"locked":true`) && !strings.Contains(s, `"bars":[]`)
	})
	refusedWith(t, stranger, c, room, "locked")

	if err := owner.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	alive := slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == owner })
	for _, m := range []*member{x, y, chair, raider} {
		m.c.Close()
	}
	x.entry, y.entry, chair.entry = alive, []*node{alive[1], alive[0]}, alive
	x.join(t, room)
	y.join(t, room)
	rejoined := time.Since(killed)
	chair.join(t, room)
	if x.c.URL != y.c.URL || x.c.URL != chair.c.URL || x.c.URL == owner.signal() {
		t.Fatalf("after the kill members landed on %s, %s and %s (dead owner %s)", x.c.URL, y.c.URL, chair.c.URL, owner.signal())
	}
	hearEachOther(t, x, y)
	t.Logf("owner killed: both members back in one room on node %s after %v, hearing each other after %v",
		ownerOf(t, nodes, x.c.URL).name, rejoined, time.Since(killed))
	for _, n := range alive {
		refusedWith(t, raider, n, room, "barred")
		refusedWith(t, stranger, n, room, "locked")
	}
}

// A node stopped with SIGTERM takes no new room, gives its rooms
// --drain-timeout (2 s here) to finish, then hands them over: the member
// still in its room is sent away (4005), the node exits cleanly, and the
// member is back on another node at once, without waiting for a lease to
// expire.
func TestMultiNodeGracefulStop(t *testing.T) {
	nodes := startNodes(t)
	x := &member{name: "x", entry: nodes, browser: joinPageCookie(t, nodes[0], "big-book")}
	x.join(t, "big-book")
	owner := ownerOf(t, nodes, x.c.URL)
	if err := owner.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	for m := range x.c.Events {
		if m.Type == "closed" {
			if m.Code != fmt.Sprint(websocket.StatusCode(sfu.CloseMoved)) {
				t.Fatalf("closed with %s, want moved (4005)", m.Code)
			}
			break
		}
	}
	select {
	case <-owner.done:
		if owner.err != nil {
			t.Fatalf("node %s did not exit cleanly: %v", owner.name, owner.err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("node %s still running a minute after SIGTERM", owner.name)
	}
	x.c.Close()
	x.entry = slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == owner })
	x.join(t, "big-book")
	if x.c.URL == owner.signal() {
		t.Fatalf("back on the stopped node %s", owner.name)
	}
	t.Logf("SIGTERM to node %s: its member back on node %s %v later (drain timeout 2 s)",
		owner.name, ownerOf(t, nodes, x.c.URL).name, time.Since(stopped))
}
