package store

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// A role revoked on one node is gone on another node's cache through
// NOTIFY, so its key is refused there too (issue 15: a revoke on one node
// takes effect on every node).
func TestPostgresRevokeReachesOtherNode(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	a, b := openPostgresAt(t, url, nil), openPostgresAt(t, url, nil)
	waitFor(t, "b listening", func() bool { return live(b) })
	if err := a.CreateGroup(ctx, testGroup("g")); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSeries(ctx, testSeries("m", "g")); err != nil {
		t.Fatal(err)
	}
	role, key, err := meetings.NewHostRole("Secretary", nil, time.UTC, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AddHostRole(ctx, "m", &role); err != nil {
		t.Fatal(err)
	}
	right := func(s *Postgres) bool {
		m, err := s.Meeting(ctx, "m")
		if err != nil {
			return false
		}
		ck, ok := meetings.MatchHostKey(&m, key, time.Now())
		return ok && ck.Label == "Secretary"
	}
	waitFor(t, "role on b", func() bool { return right(b) })
	if err := a.RevokeHostRole(ctx, "m", role.ID); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, "revoke on b", func() bool { return !right(b) })
	t.Logf("revoke on a refused on b after %v", took)
}
