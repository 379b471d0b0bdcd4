package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hearth-recovery/hearth/meetings"
)

// A meeting stored before phone PINs keeps its passcode through the
// upgrade and has no PIN: its passcode serves callers until one is set
// (meetings.VerifyPhonePIN). Both databases.
func TestMigratePhonePINSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, 2, quiet()); err != nil {
		t.Fatal(err)
	}
	passcode := insertOldMeeting(t, db, func(int) string { return "?" })
	db.Close()
	s, err := Open(ctx, Config{Path: path}, quiet())
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	checkOldMeeting(t, s.base, passcode)
}

func TestMigratePhonePINPostgres(t *testing.T) {
	ctx := context.Background()
	url := cluster.Database(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	if err := migratePostgres(ctx, db, 1, quiet()); err != nil {
		t.Fatal(err)
	}
	passcode := insertOldMeeting(t, db, func(i int) string { return fmt.Sprintf("$%d", i) })
	db.Close()
	checkOldMeeting(t, openPostgresAt(t, url, nil).base, passcode)
}

// insertOldMeeting writes a meeting with a numeric passcode as an older
// Hearth did (the columns of the first schema) and returns the passcode.
func insertOldMeeting(t *testing.T, db *sql.DB, arg func(int) string) string {
	t.Helper()
	ctx := context.Background()
	hash, err := meetings.HashPasscode("4321")
	if err != nil {
		t.Fatal(err)
	}
	var gid int64
	err = db.QueryRowContext(ctx, `INSERT INTO groups (slug, name, program, description, tradition_url, contact_note,
		location, conference_phone, created, updated) VALUES ('g', 'G', 'AA', '', '', '', '', '', 1, 1) RETURNING id`).Scan(&gid)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO series (slug, name, group_id, format, program, types, languages, notes,
		timezone, start_time, duration_s, freq, "interval", weekdays, set_pos, rec_start, rec_until, waiting_room,
		locked_until_chair, passcode_hash, host_key_hash, max_participants, camera_off_on_entry, sequence, created,
		updated) VALUES ('old', 'Old', `+arg(1)+`, '12-step', 'AA', '[]', '[]', '', 'UTC', '19:00', 3600, 'weekly', 1,
		'[1]', 0, '2026-01-05', NULL, false, false, `+arg(2)+`, 'hk', 50, false, 0, 1, 1)`,
		gid, hash)
	if err != nil {
		t.Fatal(err)
	}
	return "4321"
}

func checkOldMeeting(t *testing.T, s *base, passcode string) {
	t.Helper()
	m, err := s.Meeting(context.Background(), "old")
	if err != nil {
		t.Fatal(err)
	}
	if !m.Room.HasPasscode() || m.Room.HasPhonePIN() || m.Room.PhonePINHash != "" {
		t.Fatalf("after upgrade: %+v", m.Room)
	}
	if !meetings.VerifyPhonePIN(m.Room, passcode) {
		t.Fatal("the old meeting's numeric passcode no longer admits callers")
	}
}
