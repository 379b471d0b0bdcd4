package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// snapshot is every meeting (series, exceptions, group and zone), ordered by slug. Lists are
// filtered in memory: with 10,000 series a scan of the snapshot is faster
// than a query (see BenchmarkListFiltered) and keeps Filter.Match the single
// definition of what a filter means.
type snapshot struct {
	all    []meetings.Meeting
	bySlug map[string]int
	// programs is every program, in display order.
	programs []meetings.ProgramInfo
	// rev is the change counter the snapshot was read at.
	rev int64
}

// ListMeetings returns the series that pass f.
func (s *base) ListMeetings(ctx context.Context, f meetings.Filter) ([]meetings.Meeting, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]meetings.Meeting, 0, len(snap.all))
	for i := range snap.all {
		if f.Match(&snap.all[i]) {
			out = append(out, snap.all[i])
		}
	}
	return out, nil
}

// Meeting returns one series with its exceptions.
func (s *base) Meeting(ctx context.Context, slug string) (meetings.Meeting, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return meetings.Meeting{}, err
	}
	i, ok := snap.bySlug[slug]
	if !ok {
		return meetings.Meeting{}, fmt.Errorf("store: meeting %q: %w", slug, meetings.ErrNotFound)
	}
	return snap.all[i], nil
}

// selectSeries reads series in the column order scanSeries expects.
const selectSeries = `SELECT s.id, s.slug, s.name, s.group_id, g.slug, s.format, s.program,
	s.types, s.languages, s.notes, s.timezone, s.start_time, s.duration_s, s.freq, s."interval", s.weekdays,
	s.set_pos, s.rec_start, s.rec_until, s.waiting_room, s.locked_until_chair, s.passcode_hash,
	s.phone_pin_hash, s.host_key_hash, s.max_participants, s.camera_off_on_entry, s.chat_mode, s.share_timer_s, s.sequence, s.created, s.updated
	FROM series s JOIN groups g ON g.id = s.group_id`

// snapshot returns the cached schedule, loading it when stale. While the
// store is not live (a PostgreSQL node that lost its listen connection) the
// cache is checked against the stored revision on every read.
func (s *base) snapshot(ctx context.Context) (*snapshot, error) {
	s.mu.Lock()
	snap, gen, live := s.snap, s.gen, s.live
	s.mu.Unlock()
	if snap != nil && live {
		return snap, nil
	}
	if snap != nil {
		c, err := readChanges(ctx, s.db)
		if err != nil {
			return nil, fmt.Errorf("store: check revision: %w", err)
		}
		if c.Counter == snap.rev {
			return snap, nil
		}
	}
	snap, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	// Two loads may overlap while another node's notification is on its
	// way; the cache never goes back to the older one.
	if s.gen == gen && (s.snap == nil || s.snap.rev <= snap.rev) {
		s.snap = snap
	}
	s.mu.Unlock()
	return snap, nil
}

// load reads the whole schedule and its revision in one read transaction,
// so the revision names exactly what was read.
func (s *base) load(ctx context.Context) (*snapshot, error) {
	sqlTx, err := s.raw.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return nil, fmt.Errorf("store: load: %w", err)
	}
	defer sqlTx.Rollback()
	t := conn{q: sqlTx, d: s.d}
	c, err := readChanges(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("store: load revision: %w", err)
	}
	rows, err := t.QueryContext(ctx, selectSeries+` ORDER BY s.slug`)
	if err != nil {
		return nil, fmt.Errorf("store: load series: %w", err)
	}
	defer rows.Close()
	snap := &snapshot{bySlug: make(map[string]int), rev: c.Counter}
	byID := make(map[int64]int)
	for rows.Next() {
		m, err := scanSeries(rows)
		if err != nil {
			return nil, fmt.Errorf("store: load series: %w", err)
		}
		byID[m.ID] = len(snap.all)
		snap.bySlug[m.Slug] = len(snap.all)
		snap.all = append(snap.all, meetings.Meeting{Series: m})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load series: %w", err)
	}
	rows.Close()
	if err := loadExceptions(ctx, t, snap, byID); err != nil {
		return nil, err
	}
	if err := loadHostRoles(ctx, t, snap, byID); err != nil {
		return nil, err
	}
	groups, err := readGroups(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("store: load: %w", err)
	}
	meetings.Attach(snap.all, groups, s.zones)
	for i := range snap.all {
		if _, err := snap.all[i].Location(); err != nil {
			s.log.Warn("store: a meeting's zone is missing from the tz database; it shows no occurrences",
				"slug", snap.all[i].Slug, "err", err)
		}
	}
	if snap.programs, err = loadPrograms(ctx, t); err != nil {
		return nil, err
	}
	return snap, nil
}

func loadExceptions(ctx context.Context, t conn, snap *snapshot, byID map[int64]int) error {
	rows, err := t.QueryContext(ctx, `SELECT id, series_id, date, kind, reason, new_date, new_start,
		new_duration_s, created, updated FROM exceptions ORDER BY series_id, date`)
	if err != nil {
		return fmt.Errorf("store: load exceptions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanException(rows)
		if err != nil {
			return fmt.Errorf("store: load exceptions: %w", err)
		}
		if i, ok := byID[e.SeriesID]; ok {
			snap.all[i].Exceptions = append(snap.all[i].Exceptions, e)
		}
	}
	return rows.Err()
}

func scanSeries(rows *sql.Rows) (meetings.Series, error) {
	var m meetings.Series
	var format, program, types, langs, start, freq, weekdays, recStart, chat string
	var until sql.NullString
	var dur, shareTimer, created, updated int64
	err := rows.Scan(&m.ID, &m.Slug, &m.Name, &m.GroupID, &m.GroupSlug, &format, &program, &types, &langs,
		&m.Notes, &m.TimeZone, &start, &dur, &freq, &m.Recurrence.Interval, &weekdays, &m.Recurrence.SetPos,
		&recStart, &until, &m.Room.WaitingRoom, &m.Room.LockedUntilChair, &m.Room.PasscodeHash,
		&m.Room.PhonePINHash, &m.Room.HostKeyHash, &m.Room.MaxParticipants, &m.Room.CameraOffOnEntry, &chat, &shareTimer, &m.Sequence, &created, &updated)
	if err != nil {
		return m, err
	}
	m.Room.ChatMode = meetings.ChatMode(chat)
	m.Room.ShareTimer = time.Duration(shareTimer) * time.Second
	m.Format, m.Program, m.Recurrence.Freq = meetings.Format(format), meetings.Program(program), meetings.Frequency(freq)
	m.Duration = time.Duration(dur) * time.Second
	m.Created, m.Updated = fromNanos(created), fromNanos(updated)
	if err := json.Unmarshal([]byte(types), &m.Types); err != nil {
		return m, fmt.Errorf("series %q types: %w", m.Slug, err)
	}
	if err := json.Unmarshal([]byte(langs), &m.Languages); err != nil {
		return m, fmt.Errorf("series %q languages: %w", m.Slug, err)
	}
	if err := json.Unmarshal([]byte(weekdays), &m.Recurrence.Weekdays); err != nil {
		return m, fmt.Errorf("series %q weekdays: %w", m.Slug, err)
	}
	if m.Start, err = meetings.ParseLocalTime(start); err != nil {
		return m, fmt.Errorf("series %q: %w", m.Slug, err)
	}
	if m.Recurrence.Start, err = meetings.ParseDate(recStart); err != nil {
		return m, fmt.Errorf("series %q: %w", m.Slug, err)
	}
	m.Recurrence.Until, err = parseDatePtr(until)
	return m, err
}

func scanException(rows *sql.Rows) (meetings.Exception, error) {
	var e meetings.Exception
	var date, kind string
	var newDate, newStart sql.NullString
	var dur, created, updated int64
	err := rows.Scan(&e.ID, &e.SeriesID, &date, &kind, &e.Reason, &newDate, &newStart, &dur, &created, &updated)
	if err != nil {
		return e, err
	}
	e.Kind, e.NewDuration = meetings.ExceptionKind(kind), time.Duration(dur)*time.Second
	e.Created, e.Updated = fromNanos(created), fromNanos(updated)
	if e.Date, err = meetings.ParseDate(date); err != nil {
		return e, err
	}
	if e.NewDate, err = parseDatePtr(newDate); err != nil {
		return e, err
	}
	if newStart.Valid {
		t, err := meetings.ParseLocalTime(newStart.String)
		if err != nil {
			return e, err
		}
		e.NewStart = &t
	}
	return e, nil
}

func parseDatePtr(s sql.NullString) (*meetings.Date, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := meetings.ParseDate(s.String)
	if err != nil {
		return nil, err
	}
	return &d, nil
}
