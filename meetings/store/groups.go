package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearth-recovery/hearth/meetings"
)

const groupColumns = `id, slug, name, program, description, tradition_url, venmo, square, paypal,
	contact_note, location, conference_phone, created, updated`

func scanGroup(row interface{ Scan(...any) error }) (meetings.Group, error) {
	var g meetings.Group
	var program string
	var created, updated int64
	err := row.Scan(&g.ID, &g.Slug, &g.Name, &program, &g.Description, &g.TraditionURL, &g.Venmo, &g.Square, &g.PayPal, &g.ContactNote,
		&g.Location, &g.ConferencePhone, &created, &updated)
	g.Program = meetings.Program(program)
	g.Created, g.Updated = fromNanos(created), fromNanos(updated)
	return g, err
}

// Groups returns every group ordered by slug.
func (s *base) Groups(ctx context.Context) ([]meetings.Group, error) {
	return readGroups(ctx, s.db)
}

func readGroups(ctx context.Context, c conn) ([]meetings.Group, error) {
	rows, err := c.QueryContext(ctx, `SELECT `+groupColumns+` FROM groups ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("store: groups: %w", err)
	}
	defer rows.Close()
	var out []meetings.Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("store: groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Group returns the group with slug.
func (s *base) Group(ctx context.Context, slug string) (meetings.Group, error) {
	g, err := scanGroup(s.db.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("store: group %q: %w", slug, meetings.ErrNotFound)
	}
	if err != nil {
		return g, fmt.Errorf("store: group %q: %w", slug, err)
	}
	return g, nil
}

// CreateGroup inserts g.
func (s *base) CreateGroup(ctx context.Context, g *meetings.Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "create group", func(tx tx, now int64) error {
		if err := checkProgram(ctx, tx, g.Program, ""); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO groups (slug, name, program, description, tradition_url,
			venmo, square, paypal, contact_note, location, conference_phone, created, updated)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
			g.Slug, g.Name, string(g.Program), g.Description, g.TraditionURL, g.Venmo, g.Square, g.PayPal,
			g.ContactNote, g.Location,
			g.ConferencePhone, now, now).Scan(&g.ID)
		if err != nil {
			return s.conflict(err, "group", g.Slug)
		}
		g.Created, g.Updated = fromNanos(now), fromNanos(now)
		return nil
	})
}

// UpdateGroup replaces the fields of the group with g.Slug.
func (s *base) UpdateGroup(ctx context.Context, g *meetings.Group) error {
	if err := g.Validate(); err != nil {
		return err
	}
	return s.write(ctx, "update group", func(tx tx, now int64) error {
		had, err := programOf(ctx, tx, "groups", g.Slug)
		if err != nil {
			return err
		}
		if err := checkProgram(ctx, tx, g.Program, had); err != nil {
			return err
		}
		var id, created int64
		err = tx.QueryRowContext(ctx, `UPDATE groups SET name=?, program=?, description=?, tradition_url=?,
			venmo=?, square=?, paypal=?, contact_note=?, location=?, conference_phone=?, updated=?
			WHERE slug=? RETURNING id, created`,
			g.Name, string(g.Program), g.Description, g.TraditionURL, g.Venmo, g.Square, g.PayPal,
			g.ContactNote, g.Location,
			g.ConferencePhone, now, g.Slug).Scan(&id, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("group %q: %w", g.Slug, meetings.ErrNotFound)
		}
		if err != nil {
			return err
		}
		g.ID, g.Created, g.Updated = id, fromNanos(created), fromNanos(now)
		return nil
	})
}

// DeleteGroup removes an empty group.
func (s *base) DeleteGroup(ctx context.Context, slug string) error {
	return s.write(ctx, "delete group", func(tx tx, _ int64) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM series JOIN groups g ON g.id = series.group_id
			WHERE g.slug = ?`, slug).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("group %q still holds %d meetings; delete or move them first: %w", slug, n, meetings.ErrConflict)
		}
		err = mustAffect(tx.ExecContext(ctx, `DELETE FROM groups WHERE slug = ?`, slug))("group", slug)
		if err != nil && s.d.restrict(err) {
			// A meeting was added by another node since the count.
			return fmt.Errorf("group %q still holds meetings; delete or move them first: %w", slug, meetings.ErrConflict)
		}
		return err
	})
}

// conflict turns a uniqueness violation into ErrConflict.
func (s *base) conflict(err error, what, slug string) error {
	if s.d.unique(err) {
		return fmt.Errorf("%s %q already exists: %w", what, slug, meetings.ErrConflict)
	}
	return err
}

// mustAffect turns "no row changed" into ErrNotFound.
func mustAffect(res sql.Result, err error) func(what, key string) error {
	return func(what, key string) error {
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%s %q: %w", what, key, meetings.ErrNotFound)
		}
		return nil
	}
}
