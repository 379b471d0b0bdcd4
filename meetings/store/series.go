package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// CreateSeries inserts s into the group named by s.GroupSlug.
func (s *base) CreateSeries(ctx context.Context, m *meetings.Series) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "create series", func(tx tx, now int64) error {
		gid, err := groupID(ctx, tx, m.GroupSlug)
		if err != nil {
			return err
		}
		if err := checkProgram(ctx, tx, m.Program, ""); err != nil {
			return err
		}
		cols := seriesValues(m)
		err = tx.QueryRowContext(ctx, `INSERT INTO series (slug, group_id, name, format, program, types,
			languages, notes, timezone, start_time, duration_s, freq, "interval", weekdays, set_pos, rec_start,
			rec_until, waiting_room, locked_until_chair, max_participants, camera_off_on_entry, chat_mode,
			share_timer_s, passcode_hash, phone_pin_hash, host_key_hash, sequence, created, updated)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?) RETURNING id`,
			append(append([]any{m.Slug, gid}, cols...), m.Room.PasscodeHash, m.Room.PhonePINHash, m.Room.HostKeyHash,
				now, now)...).Scan(&m.ID)
		if err != nil {
			return s.conflict(err, "meeting", m.Slug)
		}
		m.GroupID, m.Sequence = gid, 0
		m.Created, m.Updated = fromNanos(now), fromNanos(now)
		return nil
	})
}

// UpdateSeries replaces the series m.Slug, its passcode and phone PIN
// hashes too where secrets says so; the host key hash is kept.
func (s *base) UpdateSeries(ctx context.Context, m *meetings.Series, secrets meetings.SecretChange) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "update series", func(tx tx, now int64) error {
		gid, err := groupID(ctx, tx, m.GroupSlug)
		if err != nil {
			return err
		}
		had, err := programOf(ctx, tx, "series", m.Slug)
		if err != nil {
			return err
		}
		if err := checkProgram(ctx, tx, m.Program, had); err != nil {
			return err
		}
		var id, created int64
		var seq int
		err = tx.QueryRowContext(ctx, `UPDATE series SET name=?, format=?, program=?, types=?, languages=?,
			notes=?, timezone=?, start_time=?, duration_s=?, freq=?, "interval"=?, weekdays=?, set_pos=?,
			rec_start=?, rec_until=?, waiting_room=?, locked_until_chair=?, max_participants=?,
			camera_off_on_entry=?, chat_mode=?, share_timer_s=?, group_id=?, passcode_hash=COALESCE(?, passcode_hash),
			phone_pin_hash=COALESCE(?, phone_pin_hash), sequence=sequence+1, updated=?
			WHERE slug=? RETURNING id, sequence, created, passcode_hash, phone_pin_hash, host_key_hash`,
			append(seriesValues(m), gid, nullable(secrets.PasscodeHash), nullable(secrets.PhonePINHash), now,
				m.Slug)...).Scan(&id, &seq, &created, &m.Room.PasscodeHash, &m.Room.PhonePINHash, &m.Room.HostKeyHash)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("meeting %q: %w", m.Slug, meetings.ErrNotFound)
		}
		if err != nil {
			return err
		}
		m.ID, m.GroupID, m.Sequence = id, gid, seq
		m.Created, m.Updated = fromNanos(created), fromNanos(now)
		return nil
	})
}

// DeleteSeries removes the series; its exceptions go with it (ON DELETE CASCADE).
func (s *base) DeleteSeries(ctx context.Context, slug string) error {
	return s.write(ctx, "delete series", func(tx tx, _ int64) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM series WHERE slug = ?`, slug))("meeting", slug)
	})
}

// SetPasscodeHash sets the passcode hash ("" for no passcode). The phone
// PIN goes with the old passcode: none is left until one is set.
func (s *base) SetPasscodeHash(ctx context.Context, slug, hash string) error {
	return s.write(ctx, "set passcode_hash", func(tx tx, now int64) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE series SET passcode_hash=?, phone_pin_hash='',
			sequence=sequence+1, updated=? WHERE slug=?`, hash, now, slug))("meeting", slug)
	})
}

// SetPhonePINHash sets the phone PIN hash of a meeting that has a
// passcode; ErrConflict when it has none (a PIN alone guards nothing).
func (s *base) SetPhonePINHash(ctx context.Context, slug, hash string) error {
	if hash == "" {
		return errors.New("store: a phone PIN hash is required")
	}
	return s.write(ctx, "set phone_pin_hash", func(tx tx, now int64) error {
		var has bool
		err := tx.QueryRowContext(ctx, `SELECT passcode_hash <> '' FROM series WHERE slug=?`, slug).Scan(&has)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("meeting %q: %w", slug, meetings.ErrNotFound)
		case err != nil:
			return err
		case !has:
			return fmt.Errorf("meeting %q has no passcode for a phone PIN to go with: %w", slug, meetings.ErrConflict)
		}
		return mustAffect(tx.ExecContext(ctx, `UPDATE series SET phone_pin_hash=?, sequence=sequence+1, updated=?
			WHERE slug=?`, hash, now, slug))("meeting", slug)
	})
}

// SetHostKeyHash sets the chair's host key hash.
func (s *base) SetHostKeyHash(ctx context.Context, slug, hash string) error {
	if hash == "" {
		return errors.New("store: a host key hash is required")
	}
	return s.setSecret(ctx, slug, "host_key_hash", hash)
}

// UpgradeSecretHash replaces the stored hash old by upgraded, the same
// secret's hash with its fingerprint added (meetings.WithFingerprint),
// wherever a secret column holds old (a meeting's passcode, phone PIN or
// host key, or a service role's key); nothing when the secret changed
// meanwhile. The meeting's sequence stays: its secrets did not change.
func (s *base) UpgradeSecretHash(ctx context.Context, old, upgraded string) error {
	if old == "" || upgraded == "" {
		return errors.New("store: a secret hash is required")
	}
	return s.write(ctx, "upgrade secret hash", func(tx tx, _ int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE series SET
			passcode_hash = CASE WHEN passcode_hash = ? THEN ? ELSE passcode_hash END,
			phone_pin_hash = CASE WHEN phone_pin_hash = ? THEN ? ELSE phone_pin_hash END,
			host_key_hash = CASE WHEN host_key_hash = ? THEN ? ELSE host_key_hash END
			WHERE passcode_hash = ? OR phone_pin_hash = ? OR host_key_hash = ?`,
			old, upgraded, old, upgraded, old, upgraded, old, old, old)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE host_roles SET key_hash = ? WHERE key_hash = ?`, upgraded, old)
		return err
	})
}

// setSecret writes a fixed column name, never user input.
func (s *base) setSecret(ctx context.Context, slug, column, hash string) error {
	return s.write(ctx, "set "+column, func(tx tx, now int64) error {
		return mustAffect(tx.ExecContext(ctx, `UPDATE series SET `+column+`=?, sequence=sequence+1, updated=?
			WHERE slug=?`, hash, now, slug))("meeting", slug)
	})
}

// PutException creates or replaces the exception on e.Date and bumps the series.
// The series is read inside the transaction, after the change row is taken,
// so the exception is checked against the series as it is now, even when
// another node changed it a moment ago.
func (s *base) PutException(ctx context.Context, slug string, e *meetings.Exception) error {
	return s.write(ctx, "put exception", func(tx tx, now int64) error {
		m, err := seriesBySlug(ctx, tx, slug)
		if err != nil {
			return err
		}
		if err := e.Validate(&m); err != nil {
			return err
		}
		var created int64
		if err := bumpSeries(ctx, tx, slug, now); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO exceptions (series_id, date, kind, reason, new_date,
			new_start, new_duration_s, created, updated) VALUES (?,?,?,?,?,?,?,?,?)
			ON CONFLICT (series_id, date) DO UPDATE SET kind=excluded.kind, reason=excluded.reason,
			new_date=excluded.new_date, new_start=excluded.new_start, new_duration_s=excluded.new_duration_s,
			updated=excluded.updated RETURNING id, created`,
			m.ID, e.Date.String(), string(e.Kind), e.Reason, datePtr(e.NewDate), timePtr(e.NewStart),
			int64(e.NewDuration/time.Second), now, now).Scan(&e.ID, &created)
		if err != nil {
			return err
		}
		e.SeriesID, e.Created, e.Updated = m.ID, fromNanos(created), fromNanos(now)
		return nil
	})
}

// DeleteException removes the exception on date, restoring the occurrence.
func (s *base) DeleteException(ctx context.Context, slug string, date meetings.Date) error {
	return s.write(ctx, "delete exception", func(tx tx, now int64) error {
		err := mustAffect(tx.ExecContext(ctx, `DELETE FROM exceptions WHERE date = ?
			AND series_id = (SELECT id FROM series WHERE slug = ?)`, date.String(), slug))("exception", slug+"/"+date.String())
		if err != nil {
			return err
		}
		return bumpSeries(ctx, tx, slug, now)
	})
}

func seriesBySlug(ctx context.Context, tx tx, slug string) (meetings.Series, error) {
	rows, err := tx.QueryContext(ctx, selectSeries+` WHERE s.slug = ?`, slug)
	if err != nil {
		return meetings.Series{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return meetings.Series{}, err
		}
		return meetings.Series{}, fmt.Errorf("meeting %q: %w", slug, meetings.ErrNotFound)
	}
	return scanSeries(rows)
}

func bumpSeries(ctx context.Context, tx tx, slug string, now int64) error {
	return mustAffect(tx.ExecContext(ctx, `UPDATE series SET sequence=sequence+1, updated=? WHERE slug=?`,
		now, slug))("meeting", slug)
}

func groupID(ctx context.Context, tx tx, slug string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM groups WHERE slug = ?`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("group %q: %w", slug, meetings.ErrNotFound)
	}
	return id, err
}

// seriesValues are the columns shared by insert and update, in this order:
// name, format, program, types, languages, notes, timezone, start_time,
// duration_s, freq, interval, weekdays, set_pos, rec_start, rec_until,
// waiting_room, locked_until_chair, max_participants, camera_off_on_entry,
// chat_mode, share_timer_s.
func seriesValues(m *meetings.Series) []any {
	r := m.Recurrence
	return []any{m.Name, string(m.Format), string(m.Program), jsonText(m.Types), jsonText(m.Languages),
		m.Notes, m.TimeZone, m.Start.String(), int64(m.Duration / time.Second), string(r.Freq), r.Interval,
		jsonText(r.Weekdays), r.SetPos, r.Start.String(), datePtr(r.Until), m.Room.WaitingRoom,
		m.Room.LockedUntilChair, m.Room.MaxParticipants, m.Room.CameraOffOnEntry, string(m.Room.Chat()),
		int64(m.Room.ShareTimer / time.Second)}
}

func jsonText[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v) // slices of strings and ints always marshal
	return string(b)
}

func datePtr(d *meetings.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func timePtr(t *meetings.LocalTime) any {
	if t == nil {
		return nil
	}
	return t.String()
}

// nullable turns "no change" (nil) into SQL NULL for COALESCE.
func nullable(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
