package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// guessOnce dials once with m's (wrong) host key through the first entry
// node and returns the refusal's code; "" when the node did not answer
// with one (the dead owner's lease has not expired yet).
func guessOnce(t *testing.T, m *member, room string) string {
	t.Helper()
	c, err := m.dial(m.entry[0], room)
	if err == nil {
		c.Close()
		t.Fatalf("%s entered with a wrong host key", m.name)
	}
	msg := err.Error()
	for _, code := range []string{"bad-host-key", "rate-limited", "secret-refused"} {
		if strings.Contains(msg, "error "+code) {
			return code
		}
	}
	return ""
}

// savedCounts waits until the database holds n counts of wrong secrets
// for the room, each at least min.
func savedCounts(t *testing.T, database, room string, n, least int) {
	t.Helper()
	pollDB(t, database, "the guesses counted in the database", func(ctx context.Context, conn *pgx.Conn) bool {
		var got int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM secret_attempts WHERE room = $1 AND fails >= $2`, room, least).Scan(&got)
		return err == nil && got == n
	})
}

// Guesses at the host key count on when the node that runs the room is
// killed (SIGKILL): two guessers, one with a browser cookie and one
// without (counted by its address), each spend their free tries on the
// owner; the counts reach the database within a second; once the room
// runs on another node, one more wrong guess each is let through (their
// wait has passed) but the next is refused at once, as it would have been
// on the old node, where a fresh count would give three free tries. The
// chair's right key, from a browser that never failed, still gets in at
// once.
func TestMultiNodeGuessesSurviveFailover(t *testing.T) {
	nodes := startNodes(t)
	b, c := nodes[1], nodes[2]
	hostKey := createWithHostKey(t, nodes[0], "step-study", "Step Study")
	const room = "step-study"
	x := &member{name: "x", entry: []*node{b, c}, browser: joinPageCookie(t, b, room)}
	x.join(t, room)
	owner := ownerOf(t, nodes, x.c.URL)
	wrong := map[string]string{"hostKey": "not-the-key-0000"}
	guessers := []*member{
		{name: "cookie guesser", entry: []*node{b}, browser: joinPageCookie(t, b, room), auth: wrong},
		{name: "address guesser", entry: []*node{c}, auth: wrong},
	}
	for _, g := range guessers {
		for i := 0; i < 3; i++ {
			if code := guessOnce(t, g, room); code != "bad-host-key" {
				t.Fatalf("%s's free guess %d: %q", g.name, i+1, code)
			}
		}
		if code := guessOnce(t, g, room); code != "rate-limited" {
			t.Fatalf("%s's fourth guess at once: %q, want rate-limited", g.name, code)
		}
	}
	savedCounts(t, owner.database, room, 2, 3)

	if err := owner.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	alive := slices.DeleteFunc(slices.Clone(nodes), func(n *node) bool { return n == owner })
	x.c.Close()
	x.entry = alive
	x.join(t, room)
	t.Logf("room back on node %s %v after the kill", ownerOf(t, nodes, x.c.URL).name, time.Since(killed))
	for i, g := range guessers {
		g.entry = []*node{alive[i%len(alive)]}
		if code := guessOnce(t, g, room); code != "bad-host-key" {
			t.Fatalf("%s's first guess on the new node: %q, want bad-host-key (its wait has passed)", g.name, code)
		}
		if code := guessOnce(t, g, room); code != "rate-limited" {
			t.Fatalf("%s's next guess at once on the new node: %q, want rate-limited (the count went on)", g.name, code)
		}
	}
	chair := &member{name: "chair", entry: alive, browser: joinPageCookie(t, alive[0], room),
		auth: map[string]string{"hostKey": hostKey}}
	if c, err := chair.dial(alive[0], room); err != nil {
		t.Fatalf("the chair's right key after the guesses: %v", err)
	} else {
		c.Close()
	}
}
