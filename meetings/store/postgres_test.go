package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// waitFor polls cond until it holds or the test's context ends; it returns
// how long that took. The bound only keeps a broken build from hanging.
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > time.Minute {
			t.Fatalf("%s: not seen after a minute", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start)
}

func hasMeeting(s *Postgres, slug string) bool {
	_, err := s.Meeting(context.Background(), slug)
	return err == nil
}

func live(s *Postgres) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live
}

// A write on one node reaches another node's cache through NOTIFY, and both
// report the same revision.
func TestPostgresWriteReachesOtherNode(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	a, b := openPostgresAt(t, url, nil), openPostgresAt(t, url, nil)
	waitFor(t, "b listening", func() bool { return live(b) })
	if _, err := b.ListMeetings(ctx, meetings.Filter{}); err != nil { // b caches the empty schedule
		t.Fatal(err)
	}
	if err := a.CreateGroup(ctx, testGroup("g")); err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSeries(ctx, testSeries("m", "g")); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, "meeting on b", func() bool { return hasMeeting(b, "m") })
	t.Logf("write on a visible on b after %v", took)
	ca, _ := a.Changes(ctx)
	cb, _ := b.Changes(ctx)
	if ca != cb || ca.Counter != 2 {
		t.Fatalf("revisions differ: a %+v b %+v", ca, cb)
	}
	ma, _ := a.Meeting(ctx, "m")
	mb, _ := b.Meeting(ctx, "m")
	if !ma.Updated.Equal(mb.Updated) || ma.ID != mb.ID || ma.Sequence != mb.Sequence {
		t.Fatalf("nodes disagree on the meeting: %+v / %+v", ma.Series, mb.Series)
	}
}

// A node whose listen connection is cut does not serve a stale schedule:
// until it listens again each read checks the revision, and on reconnect it
// reloads in full.
func TestPostgresListenReconnects(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	a, b := openPostgresAt(t, url, nil), openPostgresAt(t, url, nil)
	waitFor(t, "b listening", func() bool { return live(b) })
	a.CreateGroup(ctx, testGroup("g"))
	waitFor(t, "group on b", func() bool { _, err := b.Group(ctx, "g"); return err == nil })
	b.ListMeetings(ctx, meetings.Filter{})

	// Cut every listening connection, then write before b can listen again.
	err := cluster.Exec(ctx, "postgres", `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateSeries(ctx, testSeries("m", "g")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "meeting on b after the cut", func() bool { return hasMeeting(b, "m") })
	waitFor(t, "b listening again", func() bool { return live(b) })
	if err := a.DeleteSeries(ctx, "m"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delete on b after reconnect", func() bool { return !hasMeeting(b, "m") })
}

// Nodes that start together on an empty database migrate it once.
func TestPostgresMigrateTogether(t *testing.T) {
	url := cluster.Database(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenPostgres(context.Background(), PostgresConfig{URL: url}, quiet())
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent start: %v", err)
		}
	}
	s := openPostgresAt(t, url, nil)
	var v int
	if err := s.db.QueryRowContext(context.Background(), `SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(pgMigrations) {
		t.Fatalf("schema version %d (%v), want %d", v, err, len(pgMigrations))
	}
}

func TestPostgresRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	s := openPostgresAt(t, url, nil)
	if _, err := s.db.ExecContext(ctx, `UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenPostgres(ctx, PostgresConfig{URL: url}, quiet()); err == nil {
		t.Fatal("opened a database from a newer Hearth")
	}
}

func TestPostgresBadURL(t *testing.T) {
	_, err := OpenPostgres(context.Background(), PostgresConfig{URL: "postgres://u:secret@[::1"}, quiet())
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("bad URL: %v", err)
	}
	if got := fmt.Sprint(err); strings.Contains(got, "secret") {
		t.Fatalf("error quotes the password: %s", got)
	}
}

// The keepalive wait on the listen connection neither breaks it nor loses
// notifications: after several quiet intervals the node still listens on
// its first connection and still sees writes.
func TestPostgresKeepalive(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	a := openPostgresAt(t, url, nil)
	b, err := OpenPostgres(ctx, PostgresConfig{URL: url, Keepalive: 20 * time.Millisecond}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	counts := func() (int, int) {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.listens, b.pings
	}
	waitFor(t, "three keepalive pings", func() bool { _, p := counts(); return p >= 3 })
	a.CreateGroup(ctx, testGroup("g"))
	for i := 0; i < 3; i++ {
		slug := fmt.Sprint("m", i)
		if err := a.CreateSeries(ctx, testSeries(slug, "g")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, slug+" on b", func() bool { return hasMeeting(b, slug) })
	}
	if l, _ := counts(); l != 1 || !live(b) {
		t.Fatalf("listen connection remade %d times (live %v)", l, live(b))
	}
}

// An exception is checked against the series as stored, not against a
// node's cache: b's cache still says Monday/Wednesday (its listener is
// stopped, so no notification reaches it) after a moved the meeting to
// Fridays, and b accepts a Friday exception and refuses a Monday one.
func TestPostgresExceptionCheckedAgainstStoredSeries(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	a, b := openPostgresAt(t, url, nil), openPostgresAt(t, url, nil)
	a.CreateGroup(ctx, testGroup("g"))
	a.CreateSeries(ctx, testSeries("m", "g"))
	waitFor(t, "b listening", func() bool { return live(b) })
	b.cancel() // stop listening; Close waits for it
	b.done.Wait()
	b.setLive(true) // pretend notifications still arrive, so the cache is trusted
	waitFor(t, "m on b", func() bool { return hasMeeting(b, "m") })

	fridays := testSeries("m", "g")
	fridays.Recurrence.Weekdays = []time.Weekday{time.Friday}
	if err := a.UpdateSeries(ctx, fridays, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if m, _ := b.Meeting(ctx, "m"); len(m.Recurrence.Weekdays) != 2 {
		t.Fatal("b's cache was refreshed; the test needs it stale")
	}
	friday := &meetings.Exception{Date: meetings.Date{Year: 2026, Month: 3, Day: 6}, Kind: meetings.Cancelled, Reason: "x"}
	if err := b.PutException(ctx, "m", friday); err != nil {
		t.Fatalf("exception on a Friday of a Friday meeting: %v", err)
	}
	monday := &meetings.Exception{Date: meetings.Date{Year: 2026, Month: 3, Day: 2}, Kind: meetings.Cancelled, Reason: "x"}
	var ve *meetings.ValidationError
	if err := b.PutException(ctx, "m", monday); !errors.As(err, &ve) {
		t.Fatalf("exception on a Monday of a Friday meeting: %v", err)
	}
}

// Changes reports the stored revision and drops an older cache, so reads
// made after it are at least that new: the calendar feed keys its render
// cache by the revision's instant and must not store an older schedule
// under a newer key. b's listener is stopped so its cache is provably stale.
func TestPostgresChangesRefreshesStaleCache(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	a, b := openPostgresAt(t, url, nil), openPostgresAt(t, url, nil)
	a.CreateGroup(ctx, testGroup("g"))
	waitFor(t, "b listening", func() bool { return live(b) })
	b.cancel()
	b.done.Wait()
	b.setLive(true)
	if ms, err := b.ListMeetings(ctx, meetings.Filter{}); err != nil || len(ms) != 0 {
		t.Fatalf("b's first list: %d meetings, %v", len(ms), err)
	}
	if err := a.CreateSeries(ctx, testSeries("m", "g")); err != nil {
		t.Fatal(err)
	}
	if ms, _ := b.ListMeetings(ctx, meetings.Filter{}); len(ms) != 0 {
		t.Fatal("b's cache was refreshed; the test needs it stale")
	}
	ca, _ := a.Changes(ctx)
	cb, err := b.Changes(ctx)
	if err != nil || cb != ca {
		t.Fatalf("b's revision %+v (%v), a's %+v", cb, err, ca)
	}
	if ms, _ := b.ListMeetings(ctx, meetings.Filter{}); len(ms) != 1 {
		t.Fatalf("after Changes b lists %d meetings, want the new one", len(ms))
	}
}
