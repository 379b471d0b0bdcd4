// Package store keeps the meetings schedule in a SQL database: an embedded
// SQLite file (modernc.org/sqlite, pure Go) for one node, or PostgreSQL
// (jackc/pgx) for several nodes sharing one schedule. Both run the same
// queries through database/sql, apply versioned migrations at open, do every
// multi-row change in one transaction and serve reads from an in-memory
// snapshot of the schedule that is rebuilt after a write.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// dialect is what differs between the databases behind the shared queries.
type dialect struct {
	// numbered turns ? placeholders into $1, $2... (PostgreSQL).
	numbered bool
	// unique and restrict recognise a uniqueness or foreign-key violation.
	unique, restrict func(error) bool
	// readTx are the options of the transaction a snapshot is loaded in.
	readTx *sql.TxOptions
}

// bind rewrites q's placeholders for the dialect. The queries are constants
// of this package and hold no ? inside string literals.
func (d *dialect) bind(q string) string {
	if !d.numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// conn is a pool or a transaction that binds placeholders for its dialect.
type conn struct {
	q interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
	d *dialect
}

func (c conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, c.d.bind(q), args...)
}

func (c conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.q.QueryContext(ctx, c.d.bind(q), args...)
}

func (c conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.q.QueryRowContext(ctx, c.d.bind(q), args...)
}

// tx is a write transaction.
type tx = conn

// base is the meetings.Store both databases share.
type base struct {
	db  conn
	raw *sql.DB
	d   *dialect
	now func() time.Time
	log *slog.Logger
	// zones loads each meeting's zone once for every snapshot: the one
	// zone cache of the schedule.
	zones *meetings.Zones

	mu sync.Mutex // guards gen, snap and live
	// gen counts invalidations; a snapshot loaded while one happened is
	// discarded rather than cached.
	gen uint64
	// snap is every series with its exceptions, rebuilt on the next read
	// after a write; nil when stale.
	snap *snapshot
	// live is true while every write to the database is known to invalidate
	// snap: always for SQLite (one process writes), and for PostgreSQL while
	// the node listens for other nodes' writes. When false, each read first
	// compares the stored revision with the snapshot's.
	live bool
}

func newBase(db *sql.DB, d *dialect, now func() time.Time, log *slog.Logger, live bool) *base {
	if now == nil {
		now = time.Now
	}
	return &base{db: conn{q: db, d: d}, raw: db, d: d, now: now, log: log, live: live, zones: meetings.NewZones()}
}

// write runs fn in one transaction and records the change: the revision
// counter rises by one and the modified instant moves forward. Taking the
// change row first serialises writers (across nodes on PostgreSQL), so
// revisions follow commit order. Nothing is written when fn fails.
func (s *base) write(ctx context.Context, what string, fn func(tx tx, now int64) error) error {
	sqlTx, err := s.raw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: begin: %w", what, err)
	}
	defer sqlTx.Rollback()
	t := tx{q: sqlTx, d: s.d}
	now := s.now().UTC().UnixNano()
	// Modified never goes back and differs on every write, even when nodes'
	// clocks disagree, so it can key caches and feed Last-Modified.
	if _, err := t.ExecContext(ctx, `UPDATE changes SET counter = counter + 1,
		modified = CASE WHEN modified >= ? THEN modified + 1 ELSE ? END WHERE id = 1`, now, now); err != nil {
		return fmt.Errorf("store: %s: record change: %w", what, err)
	}
	if err := fn(t, now); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, err)
	}
	s.invalidate(-1)
	return nil
}

// invalidate drops the snapshot unless it already holds revision rev
// (rev < 0: drop it anyway).
func (s *base) invalidate(rev int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rev >= 0 && s.snap != nil && s.snap.rev >= rev {
		return
	}
	s.gen++
	s.snap = nil
}

// Changes returns the stored revision: the change counter and the newest
// write's instant. It always asks the database, so it also tells whether
// the database answers. A cache older than that revision (another node's
// write whose notification is still on its way) is dropped, so reads that
// follow are at least as new as the revision returned: a feed keyed by it
// never caches an older schedule under a newer key.
func (s *base) Changes(ctx context.Context) (meetings.Changes, error) {
	c, err := readChanges(ctx, s.db)
	if err != nil {
		return c, fmt.Errorf("store: changes: %w", err)
	}
	s.invalidate(c.Counter)
	return c, nil
}

func readChanges(ctx context.Context, c conn) (meetings.Changes, error) {
	var ch meetings.Changes
	var mod int64
	if err := c.QueryRowContext(ctx, `SELECT counter, modified FROM changes WHERE id = 1`).Scan(&ch.Counter, &mod); err != nil {
		return ch, err
	}
	if mod != 0 {
		ch.Modified = fromNanos(mod)
	}
	return ch, nil
}

// Setting returns the value stored under key.
func (s *base) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: setting %q: %w", key, meetings.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, nil
}

// PutSetting stores value under key, replacing any earlier value.
func (s *base) PutSetting(ctx context.Context, key, value string) error {
	if err := checkSetting(key, value); err != nil {
		return err
	}
	return s.write(ctx, "put setting", func(tx tx, _ int64) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

func checkSetting(key, value string) error {
	if key == "" || len(key) > 100 || len(value) > 10000 {
		return fmt.Errorf("store: setting key must be 1-100 bytes and value at most 10000")
	}
	return nil
}

// SettingOnce stores value under key unless a value is stored there, and
// returns the stored value. Only the first call writes.
func (s *base) SettingOnce(ctx context.Context, key, value string) (string, error) {
	if v, err := s.Setting(ctx, key); !errors.Is(err, meetings.ErrNotFound) {
		return v, err
	}
	if err := checkSetting(key, value); err != nil {
		return "", err
	}
	var stored string
	err := s.write(ctx, "put setting once", func(tx tx, _ int64) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&stored)
	})
	return stored, err
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
