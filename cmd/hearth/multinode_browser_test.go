package main

import (
	"testing"
	"time"

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
	var page *node
	for _, n := range nodes {
		if n != owner {
			page = n
			break
		}
	}
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
