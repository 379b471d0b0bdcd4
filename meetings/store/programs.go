package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearth-recovery/hearth/meetings"
)

const programColumns = `key, slug, name, abbreviation, format, retired, created, updated`

// programOrder keeps the catch-all last and the rest in the order they were
// added (the default list's order first).
const programOrder = ` ORDER BY CASE WHEN key = 'other' THEN 1 ELSE 0 END, position, id`

func scanProgram(row interface{ Scan(...any) error }) (meetings.ProgramInfo, error) {
	var p meetings.ProgramInfo
	var key, format string
	var created, updated int64
	err := row.Scan(&key, &p.Slug, &p.Name, &p.Abbreviation, &format, &p.Retired, &created, &updated)
	p.Key, p.Format = meetings.Program(key), meetings.Format(format)
	p.Created, p.Updated = fromNanos(created), fromNanos(updated)
	return p, err
}

func loadPrograms(ctx context.Context, t conn) ([]meetings.ProgramInfo, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+programColumns+` FROM programs`+programOrder)
	if err != nil {
		return nil, fmt.Errorf("store: load programs: %w", err)
	}
	defer rows.Close()
	var out []meetings.ProgramInfo
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, fmt.Errorf("store: load programs: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Programs returns every program, retired ones too, in display order.
func (s *base) Programs(ctx context.Context) ([]meetings.ProgramInfo, error) {
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return snap.programs, nil
}

// CreateProgram adds p after the programs already listed.
func (s *base) CreateProgram(ctx context.Context, p *meetings.ProgramInfo) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "create program", func(tx tx, now int64) error {
		var n, pos int
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(max(position), 0) FROM programs`).Scan(&n, &pos); err != nil {
			return err
		}
		if n >= meetings.MaxPrograms {
			return &meetings.ValidationError{Problems: []meetings.FieldError{{Field: "key",
				Message: fmt.Sprintf("this schedule already has %d programs, the limit; retire or delete one first", n)}}}
		}
		if err := programClash(ctx, tx, p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO programs (key, slug, name, abbreviation, format, retired,
			position, created, updated) VALUES (?,?,?,?,?,?,?,?,?)`, string(p.Key), p.Slug, p.Name,
			p.Abbreviation, string(p.Format), p.Retired, pos+1, now, now)
		if err != nil {
			return s.conflict(err, "program", string(p.Key))
		}
		p.Created, p.Updated = fromNanos(now), fromNanos(now)
		return nil
	})
}

// programClash names the program that already has p's key or slug, which
// a bare uniqueness error would not.
func programClash(ctx context.Context, tx tx, p *meetings.ProgramInfo) error {
	var key string
	err := tx.QueryRowContext(ctx, `SELECT key FROM programs WHERE key = ? OR slug = ?`, string(p.Key), p.Slug).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if key == string(p.Key) {
		return fmt.Errorf("program %q already exists: %w", p.Key, meetings.ErrConflict)
	}
	return fmt.Errorf("program %q is too like %q, which already exists (both are %q in links): %w",
		p.Key, key, p.Slug, meetings.ErrConflict)
}

// UpdateProgram renames, reformats, retires or restores the program p.Key;
// the key and slug never change.
func (s *base) UpdateProgram(ctx context.Context, p *meetings.ProgramInfo) error {
	p.Slug = meetings.ProgramSlug(p.Key)
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "update program", func(tx tx, now int64) error {
		var created int64
		err := tx.QueryRowContext(ctx, `UPDATE programs SET name=?, abbreviation=?, format=?, retired=?, updated=?
			WHERE key=? RETURNING created`, p.Name, p.Abbreviation, string(p.Format), p.Retired, now,
			string(p.Key)).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("program %q: %w", p.Key, meetings.ErrNotFound)
		}
		if err != nil {
			return err
		}
		p.Created, p.Updated = fromNanos(created), fromNanos(now)
		return nil
	})
}

// DeleteProgram removes a program that no meeting or group belongs to.
// Taking the change row first (write) keeps a meeting from being given the
// program between the count and the delete, on any node.
func (s *base) DeleteProgram(ctx context.Context, key meetings.Program) error {
	return s.write(ctx, "delete program", func(tx tx, _ int64) error {
		var meetingsUsing, groupsUsing int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM series WHERE program = ?),
			(SELECT count(*) FROM groups WHERE program = ?)`, string(key), string(key)).Scan(&meetingsUsing, &groupsUsing)
		if err != nil {
			return err
		}
		if meetingsUsing+groupsUsing > 0 {
			return fmt.Errorf("program %q is in use by %d meetings and %d groups; retire it instead, which hides it from new meetings: %w",
				key, meetingsUsing, groupsUsing, meetings.ErrConflict)
		}
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM programs WHERE key = ?`, string(key)))("program", string(key))
	})
}

// checkProgram refuses a meeting or group whose program the schedule does
// not have, or has retired (unless the row already had it: old meetings
// keep a retired program). It runs inside the write, after the change row
// is taken, so it sees programs as they are now.
func checkProgram(ctx context.Context, tx tx, key, had meetings.Program) error {
	if key == "" {
		return nil
	}
	var retired bool
	err := tx.QueryRowContext(ctx, `SELECT retired FROM programs WHERE key = ?`, string(key)).Scan(&retired)
	if errors.Is(err, sql.ErrNoRows) {
		return &meetings.ValidationError{Problems: []meetings.FieldError{{Field: "program",
			Message: fmt.Sprintf("program %q is not in this schedule's list of programs; an admin can add it under Programs", key)}}}
	}
	if err != nil {
		return err
	}
	if retired && key != had {
		return &meetings.ValidationError{Problems: []meetings.FieldError{{Field: "program",
			Message: fmt.Sprintf("program %q is retired and not offered for new meetings; restore it under Programs first", key)}}}
	}
	return nil
}

// programOf is the program a series or group has now ("" when none).
func programOf(ctx context.Context, tx tx, table, slug string) (meetings.Program, error) {
	var p string
	// table is one of two constants of this package, never input.
	err := tx.QueryRowContext(ctx, `SELECT program FROM `+table+` WHERE slug = ?`, slug).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return meetings.Program(p), err
}
