package demo

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/store"
)

func TestSeedIsRealisticAndIdempotent(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "db")}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	n, err := Seed(ctx, st, now, log)
	if err != nil || n < 35 || n > 45 {
		t.Fatalf("seed created %d meetings (%v), want about 40", n, err)
	}
	again, err := Seed(ctx, st, now, log)
	if err != nil || again != 0 {
		t.Fatalf("second seed created %d (%v)", again, err)
	}
	all, _ := st.ListMeetings(ctx, meetings.Filter{})
	stored, _ := st.Programs(ctx)
	zones, programs := map[string]bool{}, map[meetings.Program]bool{}
	var monthly, multiDay, fortnightly, exceptions, passcodes int
	for _, m := range all {
		zones[m.TimeZone], programs[m.Program] = true, true
		if p, ok := meetings.FindProgram(stored, m.Program); !ok || p.Format != m.Format {
			t.Errorf("demo meeting %s is %s, its program %q is %s", m.Slug, m.Format, m.Program, p.Format)
		}
		switch {
		case m.Recurrence.Freq == meetings.Monthly:
			monthly++
		case m.Recurrence.Interval == 2:
			fortnightly++
		case len(m.Recurrence.Weekdays) > 1:
			multiDay++
		}
		exceptions += len(m.Exceptions)
		if m.Room.HasPasscode() {
			passcodes++
		}
		// Every demo meeting shares one hash of the demo key; argon2id is slow
		// (more so under -race), so it is verified once and compared after.
		if m.Room.HostKeyHash != all[0].Room.HostKeyHash {
			t.Fatalf("demo meeting %s has another host key", m.Slug)
		}
	}
	if len(zones) < 8 || len(programs) != 7 || monthly < 3 || multiDay < 5 || fortnightly < 2 || exceptions < 5 || passcodes < 2 {
		t.Fatalf("demo too thin: %d zones, %d programs, %d monthly, %d multi-day, %d fortnightly, %d exceptions, %d passcodes",
			len(zones), len(programs), monthly, multiDay, fortnightly, exceptions, passcodes)
	}
	// Every demo group has readings, the 12-step ones a Preamble, the SMART
	// ones an opening statement, each several paragraphs.
	for _, g := range groups {
		rs, err := st.Readings(ctx, g.slug)
		if err != nil || len(rs) < 2 || len(rs[0].Paragraphs()) < 2 {
			t.Errorf("demo group %s readings %+v (%v)", g.slug, rs, err)
		}
	}
	if rs, _ := st.Readings(ctx, "harbour-smart"); len(rs) == 0 || rs[0].Title != "Opening statement (demo)" {
		t.Errorf("SMART group's first reading %+v", rs)
	}
	if !meetings.VerifySecret(all[0].Room.HostKeyHash, HostKey) {
		t.Fatal("demo meetings cannot be chaired with the demo host key")
	}
	// The exceptions are in the coming weeks, where a visitor will see them.
	var soon int
	for _, m := range all {
		for _, o := range m.Occurrences(now, now.Add(5*7*24*time.Hour)) {
			if o.Cancelled || o.Moved || o.Reason != "" {
				soon++
			}
		}
	}
	if soon < 5 {
		t.Fatalf("only %d exceptions visible in the next five weeks", soon)
	}
}
