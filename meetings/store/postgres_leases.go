package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaseLock is the advisory lock that serialises lease claims: a room is
// claimed once per meeting, so one lock costs nothing and makes placement
// see every earlier claim ("hearthl" in ASCII).
const leaseLock = 0x6865617274686c

// RoomWeight is how many forwarded packets per second a room counts for in
// placement until its node's reported load includes it: the damping that
// keeps a burst of first joins from landing on one node.
const RoomWeight = 1000

// Lease is one node's right to run one room until it expires. Epoch rises
// each time the room changes hands, so a node that lost the room cannot
// renew it.
type Lease struct {
	Room  string
	Node  string
	Epoch int64
}

// NodeLoad is what a node reports about itself with each renewal.
type NodeLoad struct {
	// PacketsPerSecond is the node's forwarded media rate.
	PacketsPerSecond int64
	// Draining: the node is stopping and takes no new room.
	Draining bool
}

// Leases records, in the shared PostgreSQL, which node runs each live room.
// One node's view: it claims and renews in its own name (its public URL).
type Leases struct {
	p    *Postgres
	node string
	ttl  time.Duration
}

// Leases returns this node's lease book. node is the node's public URL;
// ttl is how long a lease lasts unless renewed.
func (p *Postgres) Leases(node string, ttl time.Duration) (*Leases, error) {
	if node == "" || ttl < time.Second {
		return nil, errors.New("store: leases need the node's URL and a TTL of at least a second")
	}
	return &Leases{p: p, node: node, ttl: ttl}, nil
}

// Node is the URL the leases are held in the name of.
func (l *Leases) Node() string { return l.node }

// Claim returns the lease on room: the unexpired one if a node holds it,
// else a new one for the node placement picks, which may be this one. The
// pick is the live, non-draining node with the least load, counting each
// room it holds as RoomWeight packets per second; with none, this node.
func (l *Leases) Claim(ctx context.Context, room string) (Lease, error) {
	out := Lease{Room: room}
	err := pgx.BeginFunc(ctx, l.p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(leaseLock)); err != nil {
			return err
		}
		var live bool
		err := tx.QueryRow(ctx, `SELECT node, epoch, expires > now() FROM room_leases WHERE room = $1`, room).
			Scan(&out.Node, &out.Epoch, &live)
		switch {
		case err == nil && live:
			return nil
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		out.Node = l.node
		err = tx.QueryRow(ctx, `SELECT n.url FROM nodes n WHERE n.expires > now() AND NOT n.draining
			ORDER BY n.load + $1 * (SELECT count(*) FROM room_leases r WHERE r.node = n.url AND r.expires > now()), n.url
			LIMIT 1`, RoomWeight).Scan(&out.Node)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO room_leases (room, node, epoch, expires)
			VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
			ON CONFLICT (room) DO UPDATE SET node = excluded.node, epoch = room_leases.epoch + 1, expires = excluded.expires
			RETURNING epoch`, room, out.Node, l.ttl.Milliseconds()).Scan(&out.Epoch)
	})
	if err != nil {
		return Lease{}, fmt.Errorf("store: claim room lease: %w", err)
	}
	return out, nil
}

// Renew reports this node alive with its load and extends the leases it
// still holds; it returns the rooms of held whose lease another node took
// (or that expired and went). Leases long expired are swept.
func (l *Leases) Renew(ctx context.Context, held []Lease, load NodeLoad) (lost []string, err error) {
	rooms := make([]string, len(held))
	epochs := make([]int64, len(held))
	for i, h := range held {
		rooms[i], epochs[i] = h.Room, h.Epoch
	}
	kept := map[string]bool{}
	err = pgx.BeginFunc(ctx, l.p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO nodes (url, load, draining, expires)
			VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
			ON CONFLICT (url) DO UPDATE SET load = excluded.load, draining = excluded.draining, expires = excluded.expires`,
			l.node, load.PacketsPerSecond, load.Draining, l.ttl.Milliseconds()); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE room_leases r SET expires = now() + $3 * interval '1 millisecond'
			FROM unnest($1::text[], $2::bigint[]) AS h(room, epoch)
			WHERE r.room = h.room AND r.epoch = h.epoch AND r.node = $4 AND r.expires > now()
			RETURNING r.room`, rooms, epochs, l.ttl.Milliseconds(), l.node)
		if err != nil {
			return err
		}
		for rows.Next() {
			var room string
			if err := rows.Scan(&room); err != nil {
				return err
			}
			kept[room] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM room_leases WHERE expires < now() - interval '1 hour'`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM secret_attempts WHERE expires < now()`); err != nil {
			return err
		}
		// A room's carried state lasts as long as a node's memory of it
		// (sfu's Linger, two hours after the last member left).
		_, err = tx.Exec(ctx, `DELETE FROM room_state s WHERE s.updated < now() - interval '2 hours'
			AND NOT EXISTS (SELECT 1 FROM room_leases r WHERE r.room = s.room AND r.expires > now() - interval '2 hours')`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: renew room leases: %w", err)
	}
	for _, h := range held {
		if !kept[h.Room] {
			lost = append(lost, h.Room)
		}
	}
	return lost, nil
}

// Release gives up a lease this node holds, so the room's next meeting is
// placed afresh at once.
func (l *Leases) Release(ctx context.Context, lease Lease) error {
	_, err := l.p.pool.Exec(ctx, `DELETE FROM room_leases WHERE room = $1 AND node = $2 AND epoch = $3`,
		lease.Room, l.node, lease.Epoch)
	if err != nil {
		return fmt.Errorf("store: release room lease: %w", err)
	}
	return nil
}

// Leave marks this node gone at once (graceful stop), so placement stops
// counting it before its entry would expire.
func (l *Leases) Leave(ctx context.Context) error {
	if _, err := l.p.pool.Exec(ctx, `DELETE FROM nodes WHERE url = $1`, l.node); err != nil {
		return fmt.Errorf("store: leave: %w", err)
	}
	return nil
}

// Nodes lists the URLs of the live nodes, draining ones included (their
// rooms still run).
func (l *Leases) Nodes(ctx context.Context) ([]string, error) {
	rows, err := l.p.pool.Query(ctx, `SELECT url FROM nodes WHERE expires > now() ORDER BY url`)
	if err != nil {
		return nil, fmt.Errorf("store: list nodes: %w", err)
	}
	urls, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: list nodes: %w", err)
	}
	return urls, nil
}

// SaveState records what the room's next node takes over, if lease is
// still the room's and no newer version is stored. The store does not read
// state: the media server writes it (hashes, switches; nothing personal).
func (l *Leases) SaveState(ctx context.Context, lease Lease, version int64, state string) error {
	if len(state) > 1<<20 {
		return errors.New("store: room state over 1 MiB")
	}
	_, err := l.p.pool.Exec(ctx, `INSERT INTO room_state (room, version, state, updated)
		SELECT $1, $2, $3, now() WHERE EXISTS
			(SELECT 1 FROM room_leases WHERE room = $1 AND node = $4 AND epoch = $5 AND expires > now())
		ON CONFLICT (room) DO UPDATE SET version = excluded.version, state = excluded.state, updated = excluded.updated
			WHERE room_state.version < excluded.version`, lease.Room, version, state, l.node, lease.Epoch)
	if err != nil {
		return fmt.Errorf("store: save room state: %w", err)
	}
	return nil
}

// State returns the room's last saved state and its version ("" and 0:
// none).
func (l *Leases) State(ctx context.Context, room string) (int64, string, error) {
	var v int64
	var s string
	err := l.p.pool.QueryRow(ctx, `SELECT version, state FROM room_state WHERE room = $1`, room).Scan(&v, &s)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: load room state: %w", err)
	}
	return v, s, nil
}
