package sfu

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"
)

// gateOrder queues attempts, one after the other, behind one running
// verification, and returns the order in which the gate lets them run
// (their names) and those refused busy.
func gateOrder(t *testing.T, g *verifyGate, tickets map[string]gateTicket, names []string) (order, busy []string) {
	t.Helper()
	type result struct {
		name  string
		clean bool
		err   error
	}
	results := make(chan result, len(names))
	for _, n := range names {
		returned := make(chan struct{})
		g.mu.Lock()
		before := g.queued
		g.mu.Unlock()
		go func() {
			clean, err := g.acquire(context.Background(), tickets[n])
			if err != nil {
				close(returned)
			}
			results <- result{n, clean, err}
		}()
		// Until it is in line or refused; one that pushes another out
		// leaves the count as it was, so give up watching after a while.
		for queued, tries := before, 0; queued == before && tries < 100; tries++ {
			select {
			case <-returned:
				queued = -1
			case <-time.After(time.Millisecond):
				g.mu.Lock()
				queued = g.queued
				g.mu.Unlock()
			}
		}
	}
	g.release(gateTicket{}, false, verdictRight) // the running one ends: turns begin
	for range names {
		r := <-results
		if errors.Is(r.err, errVerifyBusy) {
			busy = append(busy, r.name)
			continue
		}
		if r.err != nil {
			t.Fatalf("%s: %v", r.name, r.err)
		}
		order = append(order, r.name)
		g.release(tickets[r.name], r.clean, verdictWrong)
	}
	sort.Strings(busy)
	return order, busy
}

// TestGateCleanLaneOldestCookieFirst: within one address, a signed cookie
// that never failed goes before cookieless and failed ones, the oldest
// cookie first whatever the arrival order; a cookie with an attempt already
// in, or one that failed before, waits in the other lane.
func TestGateCleanLaneOldestCookieFirst(t *testing.T) {
	g := newVerifyGate(1)
	if _, err := g.acquire(context.Background(), gateTicket{source: "a"}); err != nil { // the running one
		t.Fatal(err)
	}
	g.failed["burnt"] = true
	tickets := map[string]gateTicket{
		"cookieless":   {source: "a", clean: true},
		"young":        {source: "a", cookie: "y", issued: 300, clean: true},
		"old":          {source: "a", cookie: "o", issued: 100, clean: true},
		"again":        {source: "a", cookie: "o", issued: 100, clean: true}, // old's second attempt
		"failed-here":  {source: "a", cookie: "f", issued: 50, clean: false},
		"failed-there": {source: "a", cookie: "burnt", issued: 10, clean: true},
		"middle":       {source: "a", cookie: "m", issued: 200, clean: true},
	}
	order, busy := gateOrder(t, g, tickets, []string{"cookieless", "young", "old", "again", "failed-here", "failed-there", "middle"})
	want := "[old middle young cookieless again failed-here failed-there]"
	if fmt.Sprint(order) != want || len(busy) != 0 {
		t.Fatalf("order %v (busy %v), want %s", order, busy, want)
	}
	for _, c := range []string{"o", "m", "y"} {
		if !g.failed[c] {
			t.Errorf("cookie %s failed and is still clean", c)
		}
	}
}

// TestGateFullCleanLanePushesOutTheYoungest: a clean lane full of an
// attacker's cookies takes an older cookie's attempt by refusing the
// youngest queued, and refuses a younger one.
func TestGateFullCleanLanePushesOutTheYoungest(t *testing.T) {
	g := newVerifyGate(1)
	if _, err := g.acquire(context.Background(), gateTicket{source: "a"}); err != nil {
		t.Fatal(err)
	}
	tickets := map[string]gateTicket{}
	var names []string
	for i := range gateQueueClean {
		n := fmt.Sprint("raider", i)
		tickets[n] = gateTicket{source: "a", cookie: n, issued: int64(1000 + i), clean: true}
		names = append(names, n)
	}
	tickets["late raider"] = gateTicket{source: "a", cookie: "late", issued: 5000, clean: true}
	tickets["chair"] = gateTicket{source: "a", cookie: "chair", issued: 10, clean: true}
	names = append(names, "late raider", "chair")
	order, busy := gateOrder(t, g, tickets, names)
	if len(order) == 0 || order[0] != "chair" {
		t.Fatalf("order %v, want the chair first", order)
	}
	if want := fmt.Sprint([]string{"late raider", fmt.Sprint("raider", gateQueueClean-1)}); fmt.Sprint(busy) != want {
		t.Fatalf("busy %v, want %s", busy, want)
	}
}
