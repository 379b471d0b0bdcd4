package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

func programKeys(t *testing.T, s *base) []meetings.Program {
	t.Helper()
	ps, err := s.Programs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]meetings.Program, len(ps))
	for i, p := range ps {
		keys[i] = p.Key
	}
	return keys
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *meetings.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if p.Field == field {
				return
			}
		}
	}
	t.Fatalf("want a validation error on %s, got %v", field, err)
}

// A new schedule starts with the default list, in order, "other" last;
// an added program comes before "other"; a duplicate key or slug, bad
// fields and unknown or retired programs on new meetings are refused.
func testPrograms(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	keys := programKeys(t, s)
	defaults := meetings.DefaultPrograms()
	if len(keys) != len(defaults) {
		t.Fatalf("%d programs at start, want %d: %v", len(keys), len(defaults), keys)
	}
	for i, d := range defaults {
		if keys[i] != d.Key {
			t.Fatalf("program %d is %q, want %q", i, keys[i], d.Key)
		}
	}
	got, _ := s.Programs(ctx)
	if aa := got[0]; aa.Name != "Alcoholics Anonymous" || aa.Abbreviation != "AA" || aa.Format != meetings.Format12Step || aa.Slug != "aa" {
		t.Fatalf("AA seeded as %+v", aa)
	}

	rc := meetings.NewProgram("Recovery Circles", "", meetings.FormatSecular)
	if err := s.CreateProgram(ctx, &rc); err != nil {
		t.Fatal(err)
	}
	keys = programKeys(t, s)
	if keys[len(keys)-2] != "Recovery Circles" || keys[len(keys)-1] != meetings.ProgramOther {
		t.Fatalf("after adding: %v", keys)
	}
	dup := meetings.NewProgram("Recovery Circles", "", meetings.FormatSecular)
	if err := s.CreateProgram(ctx, &dup); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("duplicate key: %v", err)
	}
	like := meetings.NewProgram("recovery-circles", "", meetings.FormatSecular)
	if err := s.CreateProgram(ctx, &like); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("duplicate slug: %v", err)
	}
	bad := meetings.NewProgram("", "a/b", "weekly")
	wantField(t, s.CreateProgram(ctx, &bad), "key")

	if err := s.CreateGroup(ctx, testGroup("g")); err != nil {
		t.Fatal(err)
	}
	unknown := testSeries("unknown", "g")
	unknown.Program = "XA"
	wantField(t, s.CreateSeries(ctx, unknown), "program")
	g := testGroup("g2")
	g.Program = "XA"
	wantField(t, s.CreateGroup(ctx, g), "program")

	m := testSeries("circle", "g")
	m.Program = rc.Key
	if err := s.CreateSeries(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProgram(ctx, rc.Key); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("delete in use: %v", err)
	}
	rc.Name, rc.Retired = "Recovery Circle Meetings", true
	if err := s.UpdateProgram(ctx, &rc); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Programs(ctx)
	if p, _ := meetings.FindProgram(got, rc.Key); p.Name != "Recovery Circle Meetings" || !p.Retired || p.Slug != "recovery-circles" {
		t.Fatalf("after rename and retire: %+v", p)
	}
	again := testSeries("circle-two", "g")
	again.Program = rc.Key
	wantField(t, s.CreateSeries(ctx, again), "program")
	m.Name = "Circle, renamed"
	if err := s.UpdateSeries(ctx, m, meetings.SecretChange{}); err != nil {
		t.Fatalf("a meeting keeps its retired program: %v", err)
	}
	if got, _ := s.Meeting(ctx, "circle"); got.Program != rc.Key {
		t.Fatalf("meeting's program became %q", got.Program)
	}
	missing := meetings.ProgramInfo{Key: "Nope", Name: "Nope", Format: meetings.FormatOtherKind}
	if err := s.UpdateProgram(ctx, &missing); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	if err := s.DeleteSeries(ctx, "circle"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteProgram(ctx, rc.Key); err != nil {
		t.Fatalf("delete unused: %v", err)
	}
	if err := s.DeleteProgram(ctx, rc.Key); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("delete again: %v", err)
	}
	if keys := programKeys(t, s); len(keys) != len(defaults) {
		t.Fatalf("after delete: %v", keys)
	}
}

// oldSchedule writes a group and meetings of two programs through plain SQL,
// as the previous version of Hearth stored them.
func oldSchedule(t *testing.T, db *sql.DB, placeholders func(string) string) {
	t.Helper()
	ctx := context.Background()
	stamp := time.Date(2025, 12, 24, 18, 0, 0, 0, time.UTC).UnixNano()
	if _, err := db.ExecContext(ctx, placeholders(`INSERT INTO groups (slug, name, program, description, tradition_url,
		contact_note, location, conference_phone, created, updated) VALUES ('old', 'Old Group', 'SMART Recovery', '', '', '', '', '', ?, ?)`), stamp, stamp); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"AA", "SMART Recovery", "Women for Sobriety"} {
		slug := meetings.ProgramSlug(meetings.Program(p))
		_, err := db.ExecContext(ctx, placeholders(`INSERT INTO series (slug, name, group_id, format, program, types, languages,
			notes, timezone, start_time, duration_s, freq, "interval", weekdays, set_pos, rec_start, rec_until,
			waiting_room, locked_until_chair, passcode_hash, host_key_hash, max_participants, camera_off_on_entry,
			sequence, created, updated) VALUES (?, 'Old meeting', (SELECT id FROM groups WHERE slug = 'old'), 'other', ?,
			'["O"]', '["en"]', '', 'America/Chicago', '19:00', 3600, 'weekly', 1, '[1]', 0, '2025-01-06', NULL,
			false, false, '', 'hk', 50, true, 3, ?, ?)`), slug, p, stamp, stamp)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkUpgraded checks that an upgraded store kept every meeting as it was
// and lists the default programs.
func checkUpgraded(t *testing.T, s *base) {
	t.Helper()
	ctx := context.Background()
	ms, err := s.ListMeetings(ctx, meetings.Filter{})
	if err != nil || len(ms) != 3 {
		t.Fatalf("meetings after upgrade: %d, %v", len(ms), err)
	}
	for _, m := range ms {
		if string(m.Program) == "" || m.Sequence != 3 || m.Name != "Old meeting" || meetings.ProgramSlug(m.Program) != m.Slug {
			t.Fatalf("meeting changed by the upgrade: %+v", m.Series)
		}
	}
	if g, _ := s.Group(ctx, "old"); g.Program != "SMART Recovery" {
		t.Fatalf("group's program after upgrade: %q", g.Program)
	}
	ps, _ := s.Programs(ctx)
	if len(ps) != len(meetings.DefaultPrograms()) {
		t.Fatalf("%d programs after upgrade", len(ps))
	}
	// An old meeting can be edited, and a new meeting of a new default
	// program created.
	m, _ := s.Meeting(ctx, "women-for-sobriety")
	m.Series.Notes = "edited"
	if err := s.UpdateSeries(ctx, &m.Series, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	n := testSeries("gamblers", "old")
	n.Program = "GA"
	if err := s.CreateSeries(ctx, n); err != nil {
		t.Fatal(err)
	}
}

// A database made by the previous version (SQLite schema 4) is upgraded at
// open without changing any meeting.
func TestMigrateProgramsSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, 4, quiet()); err != nil {
		t.Fatal(err)
	}
	oldSchedule(t, db, func(q string) string { return q })
	db.Close()
	s, err := Open(ctx, Config{Path: path}, quiet())
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	checkUpgraded(t, s.base)
}

// The same on PostgreSQL, from its schema 4.
func TestMigrateProgramsPostgres(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	if err := migratePostgres(ctx, db, 4, quiet()); err != nil {
		t.Fatal(err)
	}
	oldSchedule(t, db, postgresDialect.bind)
	db.Close()
	checkUpgraded(t, openPostgresAt(t, url, nil).base)
}
