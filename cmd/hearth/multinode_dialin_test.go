package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/api"
	"github.com/hearth-recovery/hearth/sfu/dialin/dialintest"
)

// A telephone caller reaches the gateway of a node that does not run the
// meeting's room: the gateway follows the redirect and seats the caller
// in the room on the node that does, where a Pion member sees them join
// (two hearth processes on one PostgreSQL, a baresip phone).
func TestMultiNodeDialin(t *testing.T) {
	dialintest.NeedTool(t, "baresip")
	database := cluster.Database(t)
	bin := buildHearth(t)
	a := startNodeAt(t, bin, "A", database, freePort(t, "tcp"), "https://meet.example.org", "127.0.0.1")
	sip := freePort(t, "udp")
	b := startNodeAt(t, bin, "B", database, freePort(t, "tcp"), "https://meet.example.org", "127.0.0.1",
		"--sip-listen", fmt.Sprintf("127.0.0.1:%d", sip), "--sip-allow", "127.0.0.1", "--sip-rtp-ports", "41200-41399")
	a.send(t, "POST", "/api/groups", api.GroupJSON{Slug: "eastside", Name: "Eastside Group", Program: "AA"}, http.StatusCreated)
	a.send(t, "POST", "/api/meetings", nodeMeeting("big-book", "Big Book Study"), http.StatusCreated)
	// The room runs on A: its lease is A's before anyone joins.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var id int64
	if err := conn.QueryRow(ctx, `SELECT id FROM series WHERE slug = 'big-book'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO room_leases (room, node, epoch, expires)
		VALUES ('big-book', $1, 1, now() + interval '1 minute')`, a.base); err != nil {
		t.Fatal(err)
	}
	watcher := &member{name: "Watcher", entry: []*node{b}}
	watcher.join(t, "big-book")
	if watcher.c.URL != a.signal() {
		t.Fatalf("the watcher is on %s, want A (%s)", watcher.c.URL, a.signal())
	}

	tone := make([]int16, 8000*60)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	ph := dialintest.Start(t, "5550199", tone)
	ph.Dial(t, sip)
	waitUntil(t, "the call to be answered", func() bool { return strings.Contains(ph.Output(), "Call established") })
	ph.Keys(t, meetings.PhoneID(id)+"#")
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev := <-watcher.c.Events:
			if ev.Type == "participant" && strings.Contains(string(ev.Raw), `"Phone caller 1"`) {
				ph.Do(t, "hangup", "")
				return
			}
		case <-deadline:
			t.Fatalf("the caller never joined the room on A:\n%s", ph.Output())
		}
	}
}
