package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openTest(t testing.TB) *SQLite {
	t.Helper()
	s, err := Open(context.Background(), Config{Path: filepath.Join(t.TempDir(), "hearth.db")}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testGroup(slug string) *meetings.Group {
	return &meetings.Group{Slug: slug, Name: "Group " + slug, Program: "AA",
		TraditionURL: "https://example.org/give", Location: "Chicago, IL, USA"}
}

func testSeries(slug, group string) *meetings.Series {
	return &meetings.Series{
		Slug: slug, Name: "Meeting " + slug, GroupSlug: group, Format: meetings.Format12Step, Program: "AA",
		Types: []string{"O", "D"}, Languages: []string{"en"}, TimeZone: "America/Chicago",
		Start: meetings.LocalTime{Hour: 19}, Duration: time.Hour,
		Recurrence: meetings.Recurrence{Freq: meetings.Weekly, Interval: 1,
			Weekdays: []time.Weekday{time.Monday, time.Wednesday}, Start: meetings.Date{Year: 2026, Month: 1, Day: 5}},
		Room: meetings.RoomSettings{MaxParticipants: 50, WaitingRoom: true},
	}
}

// testTraditionRoundTrip: a group's 7th-Tradition link and handles are
// stored, updated, cleared and read back; a bad handle changes nothing.
func testTraditionRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	g := testGroup("lakeside")
	g.TraditionURL, g.Venmo, g.Square, g.PayPal = "https://example.org/give", "@lakeside-aa", "$LakesideAA", "LakesideAA"
	if err := s.CreateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	got, err := s.Group(ctx, "lakeside")
	if err != nil || got.TraditionURL != g.TraditionURL || got.Venmo != g.Venmo || got.Square != g.Square || got.PayPal != g.PayPal {
		t.Fatalf("read %+v (%v)", got, err)
	}
	g.Venmo, g.Square = "", "$Lakeside2"
	if err := s.UpdateGroup(ctx, g); err != nil {
		t.Fatal(err)
	}
	bad := *g
	bad.PayPal = "paypal.me/x"
	var verr *meetings.ValidationError
	if err := s.UpdateGroup(ctx, &bad); !errors.As(err, &verr) {
		t.Fatalf("bad handle stored: %v", err)
	}
	gs, err := s.Groups(ctx)
	if err != nil || len(gs) != 1 || gs[0].Venmo != "" || gs[0].Square != "$Lakeside2" || gs[0].PayPal != "LakesideAA" {
		t.Fatalf("after update: %+v (%v)", gs, err)
	}
}

// testChatModeRoundTrip: the room's chat mode at the start is stored,
// updated and read back; a series written without one reads as everyone.
func testChatModeRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	if err := s.CreateGroup(ctx, testGroup("lakeside")); err != nil {
		t.Fatal(err)
	}
	plain, chairs := testSeries("plain", "lakeside"), testSeries("chairs", "lakeside")
	chairs.Room.ChatMode = meetings.ChatChairs
	for _, m := range []*meetings.Series{plain, chairs} {
		if err := s.CreateSeries(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for slug, want := range map[string]meetings.ChatMode{"plain": meetings.ChatEveryone, "chairs": meetings.ChatChairs} {
		if got, err := s.Meeting(ctx, slug); err != nil || got.Room.ChatMode != want {
			t.Fatalf("%s: chat mode %q (%v), want %q", slug, got.Room.ChatMode, err, want)
		}
	}
	chairs.Room.ChatMode = meetings.ChatOff
	if err := s.UpdateSeries(ctx, chairs, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "chairs"); got.Room.ChatMode != meetings.ChatOff {
		t.Fatalf("after update: %q", got.Room.ChatMode)
	}
	bad := testSeries("bad", "lakeside")
	bad.Room.ChatMode = "members"
	var verr *meetings.ValidationError
	if err := s.CreateSeries(ctx, bad); !errors.As(err, &verr) {
		t.Fatalf("bad chat mode stored: %v", err)
	}
}

func testSeriesRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	if err := s.CreateGroup(ctx, testGroup("lakeside")); err != nil {
		t.Fatal(err)
	}
	in := testSeries("monday-night", "lakeside")
	until := meetings.Date{Year: 2027, Month: 6, Day: 30}
	in.Recurrence.Until = &until
	in.Room.HostKeyHash = "hk"
	if err := s.CreateSeries(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Meeting(ctx, "monday-night")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != in.Name || got.GroupSlug != "lakeside" || got.TimeZone != in.TimeZone ||
		got.Start != in.Start || got.Duration != in.Duration || got.Recurrence.Until == nil ||
		*got.Recurrence.Until != until || len(got.Types) != 2 || got.Recurrence.Weekdays[1] != time.Wednesday ||
		got.Room.HostKeyHash != "hk" || !got.Room.WaitingRoom || got.Room.MaxParticipants != 50 {
		t.Fatalf("round trip changed the series:\n in %+v\ngot %+v", *in, got.Series)
	}

	moved := meetings.LocalTime{Hour: 20, Minute: 30}
	ex := &meetings.Exception{Date: meetings.Date{Year: 2026, Month: 3, Day: 2}, Kind: meetings.Moved,
		Reason: "Group conscience", NewStart: &moved, NewDuration: 90 * time.Minute}
	if err := s.PutException(ctx, "monday-night", ex); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Meeting(ctx, "monday-night")
	if len(got.Exceptions) != 1 || *got.Exceptions[0].NewStart != moved ||
		got.Exceptions[0].NewDuration != 90*time.Minute || got.Sequence != 1 {
		t.Fatalf("exception not stored or sequence not bumped: %+v seq %d", got.Exceptions, got.Sequence)
	}
	// Replacing the exception on the same date keeps one row.
	ex2 := &meetings.Exception{Date: ex.Date, Kind: meetings.Cancelled, Reason: "Holiday"}
	if err := s.PutException(ctx, "monday-night", ex2); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Meeting(ctx, "monday-night")
	if len(got.Exceptions) != 1 || got.Exceptions[0].Kind != meetings.Cancelled || got.Exceptions[0].NewStart != nil {
		t.Fatalf("exception not replaced: %+v", got.Exceptions)
	}
	if err := s.DeleteException(ctx, "monday-night", ex.Date); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteException(ctx, "monday-night", ex.Date); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("second delete: want ErrNotFound, got %v", err)
	}
	got, _ = s.Meeting(ctx, "monday-night")
	if len(got.Exceptions) != 0 || got.Sequence != 3 {
		t.Fatalf("after delete: %d exceptions, sequence %d", len(got.Exceptions), got.Sequence)
	}
}

func testUpdateKeepsSecretsAndBumps(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	s.CreateGroup(ctx, testGroup("g"))
	m := testSeries("m", "g")
	if err := s.CreateSeries(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasscodeHash(ctx, "m", "pc"); err != nil {
		t.Fatal(err)
	}
	up := testSeries("m", "g")
	up.Name = "Renamed"
	if err := s.UpdateSeries(ctx, up, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Meeting(ctx, "m")
	if got.Name != "Renamed" || got.Room.PasscodeHash != "pc" || got.Sequence != 2 || got.Updated.Before(got.Created) {
		t.Fatalf("update: %+v", got.Series)
	}
	if err := s.UpdateSeries(ctx, testSeries("nope", "g"), meetings.SecretChange{}); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
	// The passcode changes in the same write as the rest, or not at all.
	newHash, none := "pc2", ""
	up.Name = "Renamed again"
	if err := s.UpdateSeries(ctx, up, meetings.SecretChange{PasscodeHash: &newHash}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Meeting(ctx, "m")
	if got.Name != "Renamed again" || got.Room.PasscodeHash != "pc2" || got.Room.HostKeyHash != m.Room.HostKeyHash {
		t.Fatalf("update with passcode: %+v", got.Room)
	}
	bad := testSeries("m", "g")
	bad.TimeZone = "Mars/Olympus"
	if err := s.UpdateSeries(ctx, bad, meetings.SecretChange{PasscodeHash: &none}); err == nil {
		t.Fatal("invalid update accepted")
	}
	if got, _ = s.Meeting(ctx, "m"); got.Room.PasscodeHash != "pc2" || got.Name != "Renamed again" {
		t.Fatalf("a refused update changed the meeting: %+v", got.Series)
	}
	if err := s.UpdateSeries(ctx, up, meetings.SecretChange{PasscodeHash: &none}); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Meeting(ctx, "m"); got.Room.HasPasscode() {
		t.Fatal("passcode not removed")
	}
}

// The phone PIN is stored beside the passcode, changes with it in one
// write, goes when it goes, and cannot be set on a meeting without one.
func testPhonePIN(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	s.CreateGroup(ctx, testGroup("g"))
	m := testSeries("m", "g")
	m.Room.PasscodeHash, m.Room.PhonePINHash = "pc", "pin"
	if err := s.CreateSeries(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "m"); got.Room.PhonePINHash != "pin" || !got.Room.HasPhonePIN() {
		t.Fatalf("created: %+v", got.Room)
	}
	pc2, pin2 := "pc2", "pin2"
	up := testSeries("m", "g")
	if err := s.UpdateSeries(ctx, up, meetings.SecretChange{PasscodeHash: &pc2, PhonePINHash: &pin2}); err != nil {
		t.Fatal(err)
	}
	if up.Room.PhonePINHash != "pin2" || up.Room.PasscodeHash != "pc2" {
		t.Fatalf("update returned %+v", up.Room)
	}
	if err := s.UpdateSeries(ctx, up, meetings.SecretChange{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "m"); got.Room.PhonePINHash != "pin2" {
		t.Fatalf("an update without secrets lost the PIN: %+v", got.Room)
	}
	if err := s.SetPhonePINHash(ctx, "m", "pin3"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "m"); got.Room.PhonePINHash != "pin3" || got.Room.PasscodeHash != "pc2" {
		t.Fatalf("PIN reset: %+v", got.Room)
	}
	if err := s.SetPasscodeHash(ctx, "m", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Meeting(ctx, "m"); got.Room.PhonePINHash != "" || got.Room.HasPhonePIN() {
		t.Fatalf("the PIN outlived the passcode: %+v", got.Room)
	}
	if err := s.SetPhonePINHash(ctx, "m", "pin4"); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("PIN without a passcode: %v", err)
	}
	if err := s.SetPhonePINHash(ctx, "nope", "pin4"); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("PIN of a missing meeting: %v", err)
	}
	if got, _ := s.Meeting(ctx, "m"); got.Room.PhonePINHash != "" {
		t.Fatalf("a refused PIN was written: %+v", got.Room)
	}
}

func testErrors(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	if err := s.CreateGroup(ctx, testGroup("g")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateGroup(ctx, testGroup("g")); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("duplicate group: %v", err)
	}
	if err := s.CreateSeries(ctx, testSeries("m", "missing")); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("series in missing group: %v", err)
	}
	s.CreateSeries(ctx, testSeries("m", "g"))
	if err := s.CreateSeries(ctx, testSeries("m", "g")); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("duplicate series: %v", err)
	}
	if err := s.DeleteGroup(ctx, "g"); !errors.Is(err, meetings.ErrConflict) {
		t.Fatalf("delete group with series: %v", err)
	}
	bad := testSeries("x", "g")
	bad.TimeZone = "America/New_Yrok"
	var ve *meetings.ValidationError
	if err := s.CreateSeries(ctx, bad); !errors.As(err, &ve) {
		t.Fatalf("invalid series: %v", err)
	}
	wrongDay := &meetings.Exception{Date: meetings.Date{Year: 2026, Month: 3, Day: 3}, Kind: meetings.Cancelled, Reason: "x"}
	if err := s.PutException(ctx, "m", wrongDay); !errors.As(err, &ve) {
		t.Fatalf("exception on a Tuesday: %v", err)
	}
	if _, err := s.Meeting(ctx, "nope"); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("missing meeting: %v", err)
	}
	if _, err := s.Setting(ctx, "nope"); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("missing setting: %v", err)
	}
	if err := s.DeleteSeries(ctx, "m"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteGroup(ctx, "g"); err != nil {
		t.Fatal(err)
	}
}

// A failing write leaves nothing behind: the group-count change, the change
// counter and the snapshot are all as before.
func testNoPartialWrite(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	s.CreateGroup(ctx, testGroup("g"))
	before, _ := s.Changes(ctx)
	err := s.write(ctx, "two rows", func(tx tx, now int64) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('a', '1')`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO groups (slug) VALUES ('broken')`) // NOT NULL fails
		return err
	})
	if err == nil {
		t.Fatal("write with a failing statement succeeded")
	}
	if _, err := s.Setting(ctx, "a"); !errors.Is(err, meetings.ErrNotFound) {
		t.Fatalf("first row of a failed transaction was kept: %v", err)
	}
	after, _ := s.Changes(ctx)
	if after != before {
		t.Fatalf("change counter moved on a failed write: %+v -> %+v", before, after)
	}
}

func testChangesAndSettings(t *testing.T, open opener) {
	ctx := context.Background()
	clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := open(t, func() time.Time { return clock })
	c, _ := s.Changes(ctx)
	if c.Counter != 0 || !c.Modified.IsZero() {
		t.Fatalf("empty store changes: %+v", c)
	}
	if err := s.PutSetting(ctx, "admin_token_hash", "h1"); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Hour)
	s.PutSetting(ctx, "admin_token_hash", "h2")
	v, _ := s.Setting(ctx, "admin_token_hash")
	c, _ = s.Changes(ctx)
	if v != "h2" || c.Counter != 2 || !c.Modified.Equal(clock) {
		t.Fatalf("setting %q, changes %+v", v, c)
	}
}

// A database made by migration 1 (an older Hearth) is upgraded at open and
// keeps its rows; the change record is seeded from the newest row.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, 1, quiet()); err != nil {
		t.Fatal(err)
	}
	stamp := time.Date(2025, 12, 24, 18, 0, 0, 0, time.UTC).UnixNano()
	_, err = db.ExecContext(ctx, `INSERT INTO groups (slug, name, program, description, tradition_url, contact_note,
		location, conference_phone, created, updated) VALUES ('old', 'Old Group', 'NA', '', '', '', '', '', ?, ?)`, stamp, stamp)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, Config{Path: path}, quiet())
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	var version int
	s.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version)
	if version != len(migrations) {
		t.Fatalf("schema version %d, want %d", version, len(migrations))
	}
	g, err := s.Group(ctx, "old")
	if err != nil || g.Name != "Old Group" {
		t.Fatalf("old row after upgrade: %+v %v", g, err)
	}
	c, _ := s.Changes(ctx)
	if c.Counter != 1 || !c.Modified.Equal(time.Unix(0, stamp).UTC()) {
		t.Fatalf("changes after upgrade: %+v", c)
	}
	if err := s.PutSetting(ctx, "k", "v"); err != nil {
		t.Fatalf("new table after upgrade: %v", err)
	}
}

func testListFilter(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	s.CreateGroup(ctx, testGroup("g"))
	a := testSeries("a", "g")
	b := testSeries("b", "g")
	b.Program, b.Languages, b.Recurrence.Weekdays = "NA", []string{"es"}, []time.Weekday{time.Friday}
	for _, m := range []*meetings.Series{a, b} {
		if err := s.CreateSeries(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	fri := time.Friday
	for _, tc := range []struct {
		f    meetings.Filter
		want int
	}{
		{meetings.Filter{}, 2},
		{meetings.Filter{Program: "NA"}, 1},
		{meetings.Filter{Language: "ES"}, 1},
		{meetings.Filter{Day: &fri}, 1},
		{meetings.Filter{Text: "meeting a"}, 1},
		{meetings.Filter{TimeZone: "Europe/London"}, 0},
	} {
		got, err := s.ListMeetings(ctx, tc.f)
		if err != nil || len(got) != tc.want {
			t.Errorf("filter %+v: %d meetings (%v), want %d", tc.f, len(got), err, tc.want)
		}
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	db, _ := sql.Open("sqlite", dsn(path))
	db.ExecContext(ctx, `PRAGMA user_version = 99`)
	db.Close()
	if _, err := Open(ctx, Config{Path: path}, quiet()); err == nil {
		t.Fatal("opened a database from a newer Hearth")
	}
}

// Readers served from the snapshot and writers that invalidate it can run
// together (run with -race); every read sees a whole series.
func testConcurrentReadWrite(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	s.CreateGroup(ctx, testGroup("g"))
	s.CreateSeries(ctx, testSeries("m", "g"))
	done := make(chan struct{})
	errc := make(chan error, 4)
	for r := 0; r < 3; r++ {
		go func() {
			for {
				select {
				case <-done:
					errc <- nil
					return
				default:
				}
				ms, err := s.ListMeetings(ctx, meetings.Filter{})
				if err != nil || len(ms) != 1 || len(ms[0].Recurrence.Weekdays) != 2 {
					errc <- fmt.Errorf("read %d meetings: %v", len(ms), err)
					return
				}
			}
		}()
	}
	day := meetings.Date{Year: 2026, Month: 1, Day: 5}
	for i := 0; i < 30; i++ {
		ex := &meetings.Exception{Date: day.AddDays(7 * i), Kind: meetings.Note, Reason: fmt.Sprint("note ", i)}
		if err := s.PutException(ctx, "m", ex); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for r := 0; r < 3; r++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	m, _ := s.Meeting(ctx, "m")
	if len(m.Exceptions) != 30 || m.Sequence != 30 {
		t.Fatalf("after concurrent writes: %d exceptions, sequence %d", len(m.Exceptions), m.Sequence)
	}
}

// testReadingsRoundTrip: a group's readings are added, edited, moved and
// deleted in one call each; a bad list (an empty title, another group's
// reading, too many) changes nothing; deleting the group takes them along.
func testReadingsRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	for _, slug := range []string{"lakeside", "other"} {
		if err := s.CreateGroup(ctx, testGroup(slug)); err != nil {
			t.Fatal(err)
		}
	}
	if rs, err := s.Readings(ctx, "lakeside"); err != nil || len(rs) != 0 {
		t.Fatalf("new group's readings %+v (%v)", rs, err)
	}
	rs := []meetings.Reading{{Title: " Preamble ", Text: "We are *here*.\r\n\r\nSecond paragraph."}, {Title: "How it works", Text: "One.\n\nTwo.\n\nThree."}}
	if err := s.PutReadings(ctx, "lakeside", rs); err != nil {
		t.Fatal(err)
	}
	if rs[0].ID == 0 || rs[1].ID == 0 || rs[0].ID == rs[1].ID {
		t.Fatalf("ids not set: %+v", rs)
	}
	got, err := s.Readings(ctx, "lakeside")
	if err != nil || len(got) != 2 || got[0].Title != "Preamble" || got[0].Text != "We are *here*.\n\nSecond paragraph." ||
		len(got[1].Paragraphs()) != 3 {
		t.Fatalf("read %+v (%v)", got, err)
	}
	// Move the second first, edit it, delete the first, add a new one.
	first, second := got[0], got[1]
	second.Title = "How it works here"
	next := []meetings.Reading{second, {Title: "Our traditions", Text: "Ours."}}
	if err := s.PutReadings(ctx, "lakeside", next); err != nil {
		t.Fatal(err)
	}
	got, err = s.Readings(ctx, "lakeside")
	if err != nil || len(got) != 2 || got[0].ID != second.ID || got[0].Title != "How it works here" || got[1].Title != "Our traditions" {
		t.Fatalf("after move/edit/delete/add %+v (%v)", got, err)
	}
	before := got
	var verr *meetings.ValidationError
	for name, bad := range map[string][]meetings.Reading{
		"empty title":     {got[0], {Title: " ", Text: "x"}},
		"deleted reading": {got[0], {ID: first.ID, Title: "Back", Text: "x"}},
		"too many":        make([]meetings.Reading, meetings.MaxReadings+1),
	} {
		if err := s.PutReadings(ctx, "lakeside", bad); !errors.As(err, &verr) {
			t.Errorf("%s: stored: %v", name, err)
		}
	}
	other := []meetings.Reading{{Title: "Mine", Text: "x"}}
	if err := s.PutReadings(ctx, "other", other); err != nil {
		t.Fatal(err)
	}
	// Another group's reading cannot be edited through this group.
	if err := s.PutReadings(ctx, "lakeside", []meetings.Reading{{ID: other[0].ID, Title: "Stolen", Text: "x"}}); !errors.As(err, &verr) {
		t.Errorf("other group's reading taken: %v", err)
	}
	if got, err := s.Readings(ctx, "lakeside"); err != nil || fmt.Sprint(got) != fmt.Sprint(before) {
		t.Fatalf("a refused write changed %+v into %+v (%v)", before, got, err)
	}
	if _, err := s.Readings(ctx, "missing"); !errors.Is(err, meetings.ErrNotFound) {
		t.Errorf("missing group: %v", err)
	}
	if err := s.PutReadings(ctx, "missing", nil); !errors.Is(err, meetings.ErrNotFound) {
		t.Errorf("put to missing group: %v", err)
	}
	if err := s.DeleteGroup(ctx, "lakeside"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Readings(ctx, "other"); err != nil || len(got) != 1 {
		t.Fatalf("other group's readings after delete: %+v (%v)", got, err)
	}
}

// Secret hashes keep their fingerprints through the store, and a hash
// stored before fingerprints gets its own in place (UpgradeSecretHash,
// the lazy migration at the secret's first successful verification)
// without the meeting counting as changed.
func testSecretFingerprint(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t, nil)
	s.CreateGroup(ctx, testGroup("g"))
	hash := func(secret string, withFP bool) string {
		h, err := meetings.HashSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		if !withFP {
			i := strings.Index(h, ",fp=")
			h = h[:i] + h[i+len(",fp=")+4:]
		}
		return h
	}
	m := testSeries("m", "g")
	m.Room.PasscodeHash, m.Room.PhonePINHash, m.Room.HostKeyHash = hash("serenity", true), hash("24681357", false), hash("key", false)
	if err := s.CreateSeries(ctx, m); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Meeting(ctx, "m")
	if meetings.ScreenSecret(got.Room.PasscodeHash, "serenity") != meetings.ScreenMaybe ||
		meetings.ScreenSecret(got.Room.HostKeyHash, "key") != meetings.ScreenUnknown {
		t.Fatalf("read back: %+v", got.Room)
	}
	oldPIN := got.Room.PhonePINHash
	upgraded, _ := meetings.WithFingerprint(oldPIN, "24681357")
	if err := s.UpgradeSecretHash(ctx, oldPIN, upgraded); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Meeting(ctx, "m")
	if after.Room.PhonePINHash != upgraded || after.Room.PasscodeHash != got.Room.PasscodeHash ||
		after.Room.HostKeyHash != got.Room.HostKeyHash || after.Sequence != got.Sequence ||
		meetings.ScreenPhonePIN(after.Room, "24681357") != meetings.ScreenMaybe || !meetings.VerifyPhonePIN(after.Room, "24681357") {
		t.Fatalf("after the upgrade: %+v (sequence %d, was %d)", after.Room, after.Sequence, got.Sequence)
	}
	role := &meetings.HostRole{Label: "Secretary", KeyHash: hash("role-key", false)}
	if err := s.AddHostRole(ctx, "m", role); err != nil {
		t.Fatal(err)
	}
	roleUpgraded, _ := meetings.WithFingerprint(role.KeyHash, "role-key")
	if err := s.UpgradeSecretHash(ctx, role.KeyHash, roleUpgraded); err != nil {
		t.Fatal(err)
	}
	after, _ = s.Meeting(ctx, "m")
	if len(after.Room.HostRoles) != 1 || after.Room.HostRoles[0].KeyHash != roleUpgraded ||
		meetings.ScreenHostKey(&after, "role-key", time.Now()) != meetings.ScreenMaybe {
		t.Fatalf("a service role's key after the upgrade: %+v", after.Room.HostRoles)
	}
	if err := s.UpgradeSecretHash(ctx, oldPIN, upgraded+"x"); err != nil { // no longer stored
		t.Fatal(err)
	}
	if again, _ := s.Meeting(ctx, "m"); fmt.Sprint(again.Room) != fmt.Sprint(after.Room) {
		t.Fatalf("an upgrade of a hash no longer stored changed %+v", again.Room)
	}
}
