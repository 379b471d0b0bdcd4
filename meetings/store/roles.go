package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearth-recovery/hearth/meetings"
)

// AddHostRole adds a service role (its key already hashed) to the meeting
// slug and sets h's ID and Created. A meeting holds at most
// meetings.MaxHostRoles: one more is ErrConflict.
func (s *base) AddHostRole(ctx context.Context, slug string, h *meetings.HostRole) error {
	if h.KeyHash == "" || h.Label == "" {
		return errors.New("store: a role needs a label and a key hash")
	}
	return s.write(ctx, "add host role", func(tx tx, now int64) error {
		var id int64
		var n int
		err := tx.QueryRowContext(ctx, `SELECT s.id, (SELECT count(*) FROM host_roles r WHERE r.series_id = s.id)
			FROM series s WHERE s.slug=?`, slug).Scan(&id, &n)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("meeting %q: %w", slug, meetings.ErrNotFound)
		case err != nil:
			return err
		case n >= meetings.MaxHostRoles:
			return fmt.Errorf("meeting %q has %d roles, the most it may have; revoke one first: %w",
				slug, n, meetings.ErrConflict)
		}
		var until any
		if h.Until != nil {
			until = h.Until.String()
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO host_roles (series_id, label, until, key_hash, created)
			VALUES (?,?,?,?,?) RETURNING id`, id, h.Label, until, h.KeyHash, now).Scan(&h.ID); err != nil {
			return err
		}
		h.Created = fromNanos(now)
		return bumpSeries(ctx, tx, slug, now)
	})
}

// RevokeHostRole deletes the role id of the meeting slug, so that its key
// is refused from now on (on every node: the write reloads their schedule).
func (s *base) RevokeHostRole(ctx context.Context, slug string, id int64) error {
	return s.write(ctx, "revoke host role", func(tx tx, now int64) error {
		if err := mustAffect(tx.ExecContext(ctx, `DELETE FROM host_roles WHERE id=?
			AND series_id = (SELECT id FROM series WHERE slug=?)`, id, slug))("role of meeting", slug); err != nil {
			return err
		}
		return bumpSeries(ctx, tx, slug, now)
	})
}

func loadHostRoles(ctx context.Context, t conn, snap *snapshot, byID map[int64]int) error {
	rows, err := t.QueryContext(ctx, `SELECT id, series_id, label, until, key_hash, created FROM host_roles
		ORDER BY series_id, id`)
	if err != nil {
		return fmt.Errorf("store: load host roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h meetings.HostRole
		var sid, created int64
		var until sql.NullString
		if err := rows.Scan(&h.ID, &sid, &h.Label, &until, &h.KeyHash, &created); err != nil {
			return fmt.Errorf("store: load host roles: %w", err)
		}
		if h.Until, err = parseDatePtr(until); err != nil {
			return fmt.Errorf("store: load host roles: %w", err)
		}
		h.Created = fromNanos(created)
		if i, ok := byID[sid]; ok {
			snap.all[i].Room.HostRoles = append(snap.all[i].Room.HostRoles, h)
		}
	}
	return rows.Err()
}
