package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/hearth-recovery/hearth/meetings/api"
	"github.com/hearth-recovery/hearth/ui/browsertest"
)

// The room page follows the nodes: Chromium opens the meeting's page on a
// node that does not run the room and its signaling is sent to the one
// that does, where a Pion member hears it. When that node is killed the
// page shows that it is reconnecting, then is back in the room on another
// node (a fresh session), and the member, back too, hears it again.
func TestBrowserMultiNodeFailover(t *testing.T) {
	nodes := startNodes(t)
	x := &member{name: "Xavier", entry: nodes}
	x.join(t, "big-book")
	owner := ownerOf(t, nodes, x.c.URL)
	page := otherThan(nodes, owner)
	b := browsertest.Launch(t, browsertest.Options{})
	ann := b.Open(page.base + "/m/big-book/join")
	joinAs(t, ann, "Ann", "audio", "")
	waitIn(t, ann, "Ann")
	waitText(t, ann, "people-list", "Xavier")
	first, err := browsertest.Eval[string](ann, `window.hearthRoom.selfId()`)
	if err != nil || first == "" {
		t.Fatalf("Ann's id: %q %v", first, err)
	}
	poll(t, "Xavier hearing Ann through the owner", func() bool {
		s, ok := x.c.Recv.Stream(first, false)
		return ok && s.Packets > 25
	})
	t.Logf("page on node %s, room on node %s", page.name, owner.name)

	if err := owner.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	x.c.Close()
	if err := ann.WaitFor(`!document.getElementById("reconnecting").hidden`, 20*time.Second); err != nil {
		t.Fatalf("no reconnecting banner after the room's node died: %v", err)
	}
	x.entry = []*node{page}
	x.join(t, "big-book")
	if err := ann.WaitFor(`document.getElementById("reconnecting").hidden && !document.getElementById("room").hidden &&
		window.hearthRoom.selfId() !== `+jsString(first), time.Minute); err != nil {
		t.Fatalf("Ann's page is not back in the room after the kill: %v", err)
	}
	back := time.Since(killed)
	again, _ := browsertest.Eval[string](ann, `window.hearthRoom.selfId()`)
	waitText(t, ann, "people-list", "Xavier")
	poll(t, "Xavier hearing Ann on the new owner", func() bool {
		s, ok := x.c.Recv.Stream(again, false)
		return ok && s.Packets > 25
	})
	t.Logf("room's node killed: the page was back in the room after %v, on node %s", back, ownerOf(t, nodes, x.c.URL).name)
}

func jsString(s string) string { return `"` + s + `"` }

// otherThan is the first node that is not owner: where a page opens so that
// the room's node can die under it.
func otherThan(nodes []*node, owner *node) *node {
	for _, n := range nodes {
		if n != owner {
			return n
		}
	}
	return nil
}

// A chair's seat follows the room to its new node: Ann claimed the chair in
// the room with the claim form, and after the room's node is killed her
// page is chair on the new owner without her typing the key again. Bea
// joined with the host key and handed the chair over before the kill: her
// page comes back a member, the key she joined with dropped when she stopped
// being chair.
func TestBrowserMultiNodeFailoverChair(t *testing.T) {
	nodes := startNodes(t)
	hostKey := createWithHostKey(t, nodes[0], "step-study", "Step Study")
	x := &member{name: "Xavier", entry: nodes}
	x.join(t, "step-study")
	owner := ownerOf(t, nodes, x.c.URL)
	page := otherThan(nodes, owner)
	b := browsertest.Launch(t, browsertest.Options{})
	url := page.base + "/m/step-study/join"
	ann := b.Open(url)
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	claimInRoom(t, ann, hostKey)
	waitFor(t, ann, "Ann's claim did not make her chair", chairShown)
	bea := isolated(t, ann, url)
	joinAs(t, bea, "Bea", "listen", hostKey)
	waitIn(t, bea, "Bea")
	waitFor(t, bea, "Bea's host key did not make her chair", chairShown)
	click(t, bea, "#btn-people")
	answerConfirm(t, bea, true)
	pressWhenShown(t, bea, "Make chair: Xavier")
	waitFor(t, bea, "Bea's page still shows the chair tools after handing over", memberShown)
	annFirst, _ := browsertest.Eval[string](ann, `window.hearthRoom.selfId()`)
	beaFirst, _ := browsertest.Eval[string](bea, `window.hearthRoom.selfId()`)

	if err := owner.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	x.c.Close()
	for _, p := range []struct {
		who   string
		page  *browsertest.Page
		first string
	}{{"Ann", ann, annFirst}, {"Bea", bea, beaFirst}} {
		if err := p.page.WaitFor(`document.getElementById("reconnecting").hidden && !document.getElementById("room").hidden &&
			window.hearthRoom.selfId() !== `+jsString(p.first), time.Minute); err != nil {
			t.Fatalf("%s's page is not back in the room after the kill: %v", p.who, err)
		}
	}
	waitFor(t, ann, "Ann is not chair on the new node", chairShown+` && !document.getElementById("btn-end").hidden`)
	click(t, ann, "#btn-people")
	waitText(t, ann, "people-list", "Ann (you) · chair")
	// Bea's raised hand comes back after the state her rejoin asked for, on
	// the same socket: by then her page knows the role she came back with.
	click(t, bea, "#btn-hand")
	waitFor(t, bea, "Bea's hand did not go up", `document.getElementById("btn-hand").getAttribute("aria-pressed") === "true"`)
	waitFor(t, bea, "Bea is chair again after handing the chair over", memberShown)
	waitText(t, bea, "people-list", "Ann · chair")
	t.Logf("room's node %s killed: Ann chair again, Bea a member, on node %s", owner.name, page.name)
}

// With the pages on the public name and the nodes on names under it
// (meet.test and node2.meet.test here, resolved to loopback by Chromium),
// the browser cookie the join page sets is the domain's, so the browser
// brings it to the node its room runs on: a member a chair removed there
// is still barred when the page is loaded again, which a host-only cookie
// (not sent to node2.meet.test: a new identity per connection) would not
// do.
func TestBrowserMultiNodeCookieDomain(t *testing.T) {
	database := cluster.Database(t)
	bin := buildHearth(t)
	pa, pb := freePort(t, "tcp"), freePort(t, "tcp")
	public := fmt.Sprintf("http://meet.test:%d", pa)
	a := startNodeAt(t, bin, "A", database, pa, public, "node1.meet.test")
	b := startNodeAt(t, bin, "B", database, pb, public, "node2.meet.test")
	a.send(t, "POST", "/api/groups", api.GroupJSON{Slug: "eastside", Name: "Eastside Group", Program: "AA"}, http.StatusCreated)
	hostKey := createWithHostKey(t, a, "big-book", "Big Book Study")
	// Every node named under the public host may take the page's socket,
	// also one that joins after the page was loaded.
	res, err := http.Get(a.base + "/m/big-book/join")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, " ws://*.meet.test:*") {
		t.Errorf("the page's connect-src does not allow every node under meet.test: %s", csp)
	}
	// The room runs on B: its lease is B's before anyone joins.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO room_leases (room, node, epoch, expires)
		VALUES ('big-book', $1, 1, now() + interval '1 minute')`, fmt.Sprintf("http://node2.meet.test:%d", pb)); err != nil {
		t.Fatal(err)
	}
	chair := &member{name: "Chair", entry: []*node{b}, auth: map[string]string{"hostKey": hostKey}}
	chair.join(t, "big-book")

	br := browsertest.Launch(t, browsertest.Options{ExtraFlags: map[string]any{
		"host-resolver-rules": "MAP meet.test 127.0.0.1, MAP *.meet.test 127.0.0.1",
	}})
	ann := br.Open(public + "/m/big-book/join")
	joinAs(t, ann, "Ann", "listen", "")
	waitIn(t, ann, "Ann")
	id, err := browsertest.Eval[string](ann, `window.hearthRoom.selfId()`)
	if err != nil || id == "" {
		t.Fatalf("Ann's id: %q %v", id, err)
	}
	if err := chair.c.Send(map[string]any{"type": "remove", "target": id}); err != nil {
		t.Fatal(err)
	}
	waitText(t, ann, "wait-title", "You were removed")
	if err := chromedp.Do(ann.Ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	joinAs(t, ann, "Ann again", "listen", "")
	waitText(t, ann, "wait-text", "removed you from this meeting")
}
