package store

import (
	"context"
	"fmt"

	"github.com/hearth-recovery/hearth/meetings"
)

// Readings returns the group's readings in the group's order.
func (s *base) Readings(ctx context.Context, groupSlug string) ([]meetings.Reading, error) {
	id, err := groupID(ctx, s.db, groupSlug)
	if err != nil {
		return nil, fmt.Errorf("store: readings: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, text FROM readings WHERE group_id = ? ORDER BY position, id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: readings of %q: %w", groupSlug, err)
	}
	defer rows.Close()
	var out []meetings.Reading
	for rows.Next() {
		var r meetings.Reading
		if err := rows.Scan(&r.ID, &r.Title, &r.Text); err != nil {
			return nil, fmt.Errorf("store: readings of %q: %w", groupSlug, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutReadings replaces the group's list of readings in one transaction:
// listed readings with an ID are edited and moved, new ones added, the
// rest deleted. Either all of it is written or none.
func (s *base) PutReadings(ctx context.Context, groupSlug string, rs []meetings.Reading) error {
	meetings.NormalizeReadings(rs)
	if err := meetings.ValidateReadings(rs); err != nil {
		return err
	}
	return s.write(ctx, "put readings", func(tx tx, now int64) error {
		gid, err := groupID(ctx, tx, groupSlug)
		if err != nil {
			return err
		}
		have, err := readingIDs(ctx, tx, gid)
		if err != nil {
			return err
		}
		if err := checkReadingIDs(rs, have); err != nil {
			return err
		}
		for id := range have {
			if _, err := tx.ExecContext(ctx, `DELETE FROM readings WHERE id = ?`, id); err != nil {
				return err
			}
		}
		for i := range rs {
			if err := putReading(ctx, tx, gid, i, &rs[i], now); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkReadingIDs refuses an ID that is not one of the group's readings,
// and leaves in have only the readings the list no longer holds.
func checkReadingIDs(rs []meetings.Reading, have map[int64]bool) error {
	var v meetings.ValidationError
	for i, r := range rs {
		if r.ID == 0 {
			continue
		}
		if !have[r.ID] {
			v.Problems = append(v.Problems, meetings.FieldError{Field: fmt.Sprintf("readings[%d].id", i),
				Message: fmt.Sprintf("reading %d is not one of this group's readings (deleted meanwhile?); reload the page", r.ID)})
		}
		delete(have, r.ID)
	}
	if len(v.Problems) > 0 {
		return &v
	}
	return nil
}

func readingIDs(ctx context.Context, tx tx, gid int64) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM readings WHERE group_id = ?`, gid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		have[id] = true
	}
	return have, rows.Err()
}

func putReading(ctx context.Context, tx tx, gid int64, pos int, r *meetings.Reading, now int64) error {
	if r.ID != 0 {
		_, err := tx.ExecContext(ctx, `UPDATE readings SET position = ?, title = ?, text = ?, updated = ?
			WHERE id = ? AND group_id = ?`, pos, r.Title, r.Text, now, r.ID, gid)
		return err
	}
	return tx.QueryRowContext(ctx, `INSERT INTO readings (group_id, position, title, text, created, updated)
		VALUES (?,?,?,?,?,?) RETURNING id`, gid, pos, r.Title, r.Text, now, now).Scan(&r.ID)
}
