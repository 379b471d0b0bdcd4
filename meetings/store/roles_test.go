package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// testHostRoles: roles are added in order with their end date, survive an
// update of the meeting, are bounded, and revoking one removes only it.
func testHostRoles(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	if err := s.CreateGroup(ctx, testGroup("lakeside")); err != nil {
		t.Fatal(err)
	}
	m := testSeries("roles", "lakeside")
	if err := s.CreateSeries(ctx, m); err != nil {
		t.Fatal(err)
	}
	until := meetings.Date{Year: 2027, Month: 3, Day: 31}
	sec := meetings.HostRole{Label: "Secretary", Until: &until, KeyHash: "hash-sec"}
	tech := meetings.HostRole{Label: "Tech host", KeyHash: "hash-tech"}
	for _, h := range []*meetings.HostRole{&sec, &tech} {
		if err := s.AddHostRole(ctx, "roles", h); err != nil {
			t.Fatal(err)
		}
		if h.ID == 0 || h.Created.IsZero() {
			t.Fatalf("role %q: id %d created %v", h.Label, h.ID, h.Created)
		}
	}
	got, err := s.Meeting(ctx, "roles")
	if err != nil {
		t.Fatal(err)
	}
	if got.Sequence != 2 {
		t.Errorf("sequence %d after two roles, want 2", got.Sequence)
	}
	rs := got.Room.HostRoles
	if len(rs) != 2 || rs[0].Label != "Secretary" || rs[0].Until == nil || *rs[0].Until != until ||
		rs[0].KeyHash != "hash-sec" || rs[1].Label != "Tech host" || rs[1].Until != nil || rs[1].ID != tech.ID {
		t.Fatalf("roles %+v", rs)
	}
	// Editing the meeting keeps its roles.
	m.Name = "Renamed"
	if err := s.UpdateSeries(ctx, m, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "roles"); len(got.Room.HostRoles) != 2 {
		t.Fatalf("after update: %+v", got.Room.HostRoles)
	}
	if err := s.RevokeHostRole(ctx, "roles", sec.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "roles"); len(got.Room.HostRoles) != 1 || got.Room.HostRoles[0].ID != tech.ID {
		t.Fatalf("after revoke: %+v", got.Room.HostRoles)
	}
	for _, c := range []struct {
		slug string
		id   int64
	}{{"roles", sec.ID}, {"nope", tech.ID}} {
		if err := s.RevokeHostRole(ctx, c.slug, c.id); !errors.Is(err, meetings.ErrNotFound) {
			t.Errorf("revoke %s/%d: %v, want not found", c.slug, c.id, err)
		}
	}
	// Another meeting's role id is not this meeting's.
	other := testSeries("other", "lakeside")
	if err := s.CreateSeries(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeHostRole(ctx, "other", tech.ID); !errors.Is(err, meetings.ErrNotFound) {
		t.Errorf("revoke through another meeting: %v", err)
	}
	if err := s.AddHostRole(ctx, "nope", &meetings.HostRole{Label: "X", KeyHash: "h"}); !errors.Is(err, meetings.ErrNotFound) {
		t.Errorf("add to a missing meeting: %v", err)
	}
	for i := 1; i < meetings.MaxHostRoles; i++ {
		if err := s.AddHostRole(ctx, "roles", &meetings.HostRole{Label: fmt.Sprint("R", i), KeyHash: "h"}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.Meeting(ctx, "roles")
	if err := s.AddHostRole(ctx, "roles", &meetings.HostRole{Label: "One more", KeyHash: "h"}); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("role past the limit: %v", err)
	}
	if got, _ := s.Meeting(ctx, "roles"); len(got.Room.HostRoles) != meetings.MaxHostRoles || got.Sequence != before.Sequence {
		t.Fatalf("a refused role changed the meeting: %d roles, sequence %d", len(got.Room.HostRoles), got.Sequence)
	}
	// Deleting the meeting deletes its roles with it.
	if err := s.DeleteSeries(ctx, "roles"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM host_roles`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d roles left after the meeting went (%v)", n, err)
	}
}

// testShareTimerRoundTrip: the automatic share timer is stored, updated and
// refused out of bounds (issue 15).
func testShareTimerRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	if err := s.CreateGroup(ctx, testGroup("lakeside")); err != nil {
		t.Fatal(err)
	}
	m := testSeries("timed", "lakeside")
	m.Room.ShareTimer = 5 * time.Minute
	if err := s.CreateSeries(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "timed"); got.Room.ShareTimer != 5*time.Minute {
		t.Fatalf("stored %v", got.Room.ShareTimer)
	}
	m.Room.ShareTimer = 0
	if err := s.UpdateSeries(ctx, m, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "timed"); got.Room.ShareTimer != 0 {
		t.Fatalf("after update %v", got.Room.ShareTimer)
	}
	var verr *meetings.ValidationError
	for _, bad := range []time.Duration{-time.Minute, 61 * time.Minute, 90 * time.Second} {
		m.Room.ShareTimer = bad
		if err := s.UpdateSeries(ctx, m, meetings.SecretChange{}); !errors.As(err, &verr) || verr.Problems[0].Field != "room.share_timer" {
			t.Errorf("share timer %v: %v", bad, err)
		}
	}
}
