package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

func leasesAt(t *testing.T, s *Postgres, node string, ttl time.Duration) *Leases {
	t.Helper()
	l, err := s.Leases(node, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func claim(t *testing.T, l *Leases, room string) Lease {
	t.Helper()
	got, err := l.Claim(context.Background(), room)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A room has one owner: whoever claims it later is told who. New rooms go
// to the least loaded live node that is not draining, each room placed
// counting at once, so a burst of rooms spreads.
func TestLeasesPlacement(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	s := openPostgresAt(t, url, nil)
	a, b, c := leasesAt(t, s, "https://a", time.Minute), leasesAt(t, s, "https://b", time.Minute), leasesAt(t, s, "https://c", time.Minute)

	// Before any node has reported in, the claimer takes the room.
	first := claim(t, b, "lonely")
	if first.Node != "https://b" || first.Epoch != 1 {
		t.Fatalf("first claim: %+v", first)
	}
	if again := claim(t, a, "lonely"); again != first {
		t.Fatalf("a second claim moved the room: %+v, want %+v", again, first)
	}
	for _, l := range []*Leases{a, b} {
		if _, err := l.Renew(ctx, nil, NodeLoad{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Renew(ctx, nil, NodeLoad{Draining: true}); err != nil {
		t.Fatal(err)
	}
	if nodes, err := a.Nodes(ctx); err != nil || !slices.Equal(nodes, []string{"https://a", "https://b", "https://c"}) {
		t.Fatalf("live nodes: %v, %v", nodes, err)
	}
	count := map[string]int{"https://b": 1}
	for _, room := range []string{"r1", "r2", "r3", "r4", "r5"} {
		count[claim(t, c, room).Node]++
	}
	if count["https://a"] != 3 || count["https://b"] != 3 || count["https://c"] != 0 {
		t.Fatalf("rooms per node: %v, want 3 and 3, none on the draining node", count)
	}
	// Load counts too: a busy node gets fewer rooms.
	if _, err := a.Renew(ctx, nil, NodeLoad{PacketsPerSecond: 10 * RoomWeight}); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, a, "r6"); got.Node != "https://b" {
		t.Fatalf("a room went to the busy node: %+v", got)
	}
}

// A lease lives while its owner renews it; once it expires another node
// takes the room with a higher epoch, and the old owner's renewal reports
// it lost. A released room is placed afresh.
func TestLeasesExpireAndMove(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	s := openPostgresAt(t, url, nil)
	a, b := leasesAt(t, s, "https://a", time.Second), leasesAt(t, s, "https://b", time.Second)
	held := claim(t, a, "room")
	if held.Node != "https://a" {
		t.Fatalf("claim: %+v", held)
	}
	lost, err := a.Renew(ctx, []Lease{held}, NodeLoad{})
	if err != nil || len(lost) != 0 {
		t.Fatalf("renew by the owner: lost %v, %v", lost, err)
	}
	var moved Lease
	waitFor(t, "the lease to expire and move", func() bool {
		moved = claim(t, b, "room")
		return moved.Node == "https://b"
	})
	if moved.Epoch != held.Epoch+1 {
		t.Fatalf("moved lease epoch %d, want %d", moved.Epoch, held.Epoch+1)
	}
	lost, err = a.Renew(ctx, []Lease{held}, NodeLoad{})
	if err != nil || !slices.Equal(lost, []string{"room"}) {
		t.Fatalf("renew by the old owner: lost %v, %v", lost, err)
	}
	// The old owner cannot release what it no longer holds.
	if err := a.Release(ctx, held); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, a, "room"); got != moved {
		t.Fatalf("after a stale release: %+v, want %+v", got, moved)
	}
	if err := b.Release(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, a, "room"); got.Epoch != 1 {
		t.Fatalf("after release the room starts over: %+v", got)
	}
}

// Only the room's lease holder saves its carried state, and an older
// version never replaces a newer one.
func TestLeasesState(t *testing.T) {
	ctx := context.Background()
	s := openPostgresAt(t, cluster.Database(t), nil)
	a, b := leasesAt(t, s, "https://a", time.Minute), leasesAt(t, s, "https://b", time.Minute)
	if v, st, err := b.State(ctx, "room"); err != nil || v != 0 || st != "" {
		t.Fatalf("state of a new room: %d %q %v", v, st, err)
	}
	l := claim(t, a, "room")
	for _, save := range []struct {
		by      *Leases
		version int64
		state   string
	}{{a, 2, "two"}, {a, 1, "one"}, {b, 3, "not the holder"}} {
		if err := save.by.SaveState(ctx, l, save.version, save.state); err != nil {
			t.Fatal(err)
		}
	}
	if v, st, err := b.State(ctx, "room"); err != nil || v != 2 || st != "two" {
		t.Fatalf("state: %d %q %v, want 2 \"two\"", v, st, err)
	}
	if err := a.SaveState(ctx, Lease{Room: "room", Node: "https://a", Epoch: l.Epoch + 1}, 4, "stale epoch"); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := b.State(ctx, "room"); v != 2 {
		t.Fatalf("a save under another epoch was kept: version %d", v)
	}
}

// Only the room's lease holder saves its limiter counts, in one batch
// over rooms; the room's next node reads them; a later save replaces an
// earlier one (a right secret sets a count back to 0).
func TestLeasesAttempts(t *testing.T) {
	ctx := context.Background()
	s := openPostgresAt(t, cluster.Database(t), nil)
	a, b := leasesAt(t, s, "https://a", time.Minute), leasesAt(t, s, "https://b", time.Minute)
	r1, r2 := claim(t, a, "r1"), claim(t, a, "r2")
	at := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	if err := a.SaveAttempts(ctx, []Attempt{
		{Room: "r1", Epoch: r1.Epoch, Key: "k1", Fails: 10, Last: at},
		{Room: "r1", Epoch: r1.Epoch, Key: "k2", Fails: 2, Last: at},
		{Room: "r2", Epoch: r2.Epoch, Key: "k1", Fails: 4, Last: at},
		{Room: "r2", Epoch: r2.Epoch + 1, Key: "stale", Fails: 9, Last: at},
	}); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveAttempts(ctx, []Attempt{{Room: "r1", Epoch: r1.Epoch, Key: "not the holder", Fails: 9, Last: at}}); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveAttempts(ctx, []Attempt{{Room: "r1", Epoch: r1.Epoch, Key: "k2", Fails: 0, Last: at.Add(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Attempts(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Attempt{{Room: "r1", Key: "k1", Fails: 10, Last: at}, {Room: "r1", Key: "k2", Fails: 0, Last: at.Add(time.Second)}}
	if len(got) != len(want) {
		t.Fatalf("r1's counts: %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Key != want[i].Key || got[i].Fails != want[i].Fails || !got[i].Last.Equal(want[i].Last) {
			t.Fatalf("r1's counts: %+v, want %+v", got, want)
		}
	}
	if got, err := b.Attempts(ctx, "r2"); err != nil || len(got) != 1 || got[0].Key != "k1" {
		t.Fatalf("r2's counts: %+v, %v", got, err)
	}
	if got, err := b.Attempts(ctx, "nowhere"); err != nil || len(got) != 0 {
		t.Fatalf("a new room's counts: %+v, %v", got, err)
	}
}

// The cost of leases: a claim (once per room start) and a renewal round
// (every 5 s per node, one transaction for all its rooms) with 100 rooms.
func BenchmarkLeases(b *testing.B) {
	ctx := context.Background()
	s := openPostgresAt(b, cluster.Database(b), nil)
	l, err := s.Leases("https://a", time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("claim", func(b *testing.B) {
		for i := range b.N {
			if _, err := l.Claim(ctx, fmt.Sprint("claim-", i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	var held []Lease
	for i := range 100 {
		h, err := l.Claim(ctx, fmt.Sprint("held-", i))
		if err != nil {
			b.Fatal(err)
		}
		held = append(held, h)
	}
	b.Run("renew-100-rooms", func(b *testing.B) {
		for range b.N {
			if lost, err := l.Renew(ctx, held, NodeLoad{}); err != nil || len(lost) != 0 {
				b.Fatal(lost, err)
			}
		}
	})
}
