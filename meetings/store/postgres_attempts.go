package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// attemptsLifetime is how long a room's counts of wrong secrets outlive
// their last change: as long as a node's memory of a room (sfu's Linger).
const attemptsLifetime = 2 * time.Hour

// maxAttemptsLoaded bounds the counts one room's new node reads.
const maxAttemptsLoaded = 4096

// Attempt is one client's count of wrong secrets in a room, saved by the
// node that runs the room so that the room's next node counts on. Key is a
// keyed hash the media server makes (no address, no browser id); Epoch is
// the saving node's lease on the room.
type Attempt struct {
	Room  string
	Epoch int64
	Key   string
	Fails int
	Last  time.Time
}

// SaveAttempts records counts in one statement, each only if this node
// still holds the room's lease at that epoch (a node that lost the room
// writes nothing). Every row expires attemptsLifetime after its last
// change.
func (l *Leases) SaveAttempts(ctx context.Context, counts []Attempt) error {
	if len(counts) == 0 {
		return nil
	}
	seen := make(map[[2]string]bool, len(counts))
	var rooms, keys []string
	var epochs []int64
	var fails []int32
	var lasts []time.Time
	for _, c := range counts {
		k := [2]string{c.Room, c.Key}
		if seen[k] { // one row may change once per statement
			continue
		}
		seen[k] = true
		rooms, keys, epochs = append(rooms, c.Room), append(keys, c.Key), append(epochs, c.Epoch)
		fails, lasts = append(fails, int32(min(c.Fails, 1<<20))), append(lasts, c.Last)
	}
	_, err := l.p.pool.Exec(ctx, `INSERT INTO secret_attempts (room, key, fails, last, expires)
		SELECT a.room, a.key, a.fails, a.last, now() + $6 * interval '1 millisecond'
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::integer[], $5::timestamptz[]) AS a(room, epoch, key, fails, last)
		WHERE EXISTS (SELECT 1 FROM room_leases r
			WHERE r.room = a.room AND r.node = $7 AND r.epoch = a.epoch AND r.expires > now())
		ON CONFLICT (room, key) DO UPDATE SET fails = excluded.fails, last = excluded.last, expires = excluded.expires`,
		rooms, epochs, keys, fails, lasts, attemptsLifetime.Milliseconds(), l.node)
	if err != nil {
		return fmt.Errorf("store: save secret attempts: %w", err)
	}
	return nil
}

// Attempts returns a room's unexpired counts, the highest first (at most
// maxAttemptsLoaded).
func (l *Leases) Attempts(ctx context.Context, room string) ([]Attempt, error) {
	rows, err := l.p.pool.Query(ctx, `SELECT key, fails, last FROM secret_attempts
		WHERE room = $1 AND expires > now() ORDER BY fails DESC LIMIT $2`, room, maxAttemptsLoaded)
	if err != nil {
		return nil, fmt.Errorf("store: load secret attempts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Attempt, error) {
		a := Attempt{Room: room}
		err := row.Scan(&a.Key, &a.Fails, &a.Last)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: load secret attempts: %w", err)
	}
	return out, nil
}
