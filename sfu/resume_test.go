package sfu_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
)

func TestResumeAfterLostSignaling(t *testing.T) {
	ts := startServer(t, sfu.Config{ResumeWindow: 10 * time.Second})
	a := ts.dial(t, "r", "a", true, true)
	b := ts.dial(t, "r", "b", true, true)
	waitFor(t, 15*time.Second, "media", func() bool { return received(b, a.ID, true, 20) && received(a, b.ID, true, 20) })
	id := a.ID

	a.DropSignaling()
	time.Sleep(500 * time.Millisecond)
	if len(ts.srv.Room("r").Peers()) != 2 {
		t.Fatal("a lost its place while its network was down")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Resume(ctx, ts.url); err != nil {
		t.Fatal(err)
	}
	if a.ID != id {
		t.Fatalf("resumed as %s, was %s", a.ID, id)
	}
	before, _ := b.Recv.Stream(a.ID, true)
	waitFor(t, 15*time.Second, "media after resume", func() bool { return received(b, a.ID, true, before.Packets+30) })
	waitFor(t, 15*time.Second, "a connected after the ICE restart", a.Connected)
	// The ICE restart was answered: the session is negotiable again.
	c := ts.dial(t, "r", "c", true, false)
	waitFor(t, 10*time.Second, "a newcomer's audio at a", func() bool { return received(a, c.ID, false, 10) })
	for len(b.Events) > 0 {
		if m := <-b.Events; m.Type == "participant" && m.ID == id {
			t.Errorf("b saw %s about a", m.Raw)
		}
	}

	// A wrong token is refused and changes nothing.
	r := ts.raw(t)
	r.send(`{"type":"join","room":"r","name":"x","resume":"0123"}`)
	r.expectError(sfu.CodeBadResume)
}

func TestLostSignalingEndsAfterResumeWindow(t *testing.T) {
	ts := startServer(t, sfu.Config{ResumeWindow: 300 * time.Millisecond})
	a := ts.dial(t, "r", "a", true, false)
	b := ts.dial(t, "r", "b", true, false)
	waitFor(t, 10*time.Second, "media", func() bool { return received(b, a.ID, false, 10) })
	a.DropSignaling()
	waitFor(t, 5*time.Second, "a to be gone", func() bool { return len(ts.srv.Room("r").Peers()) == 1 })
}
