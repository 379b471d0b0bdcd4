// Package store keeps the meetings schedule in an embedded SQLite database
// (modernc.org/sqlite, pure Go): WAL journal, foreign keys on, schema
// migrations applied at open, every multi-row change in one transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/meetings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Config says where the database lives.
type Config struct {
	// Path is the SQLite file; it is created if missing.
	Path string
	// Now is the clock for Created/Updated; time.Now when nil.
	Now func() time.Time
}

// Validate reports a missing path.
func (c Config) Validate() error {
	if c.Path == "" {
		return errors.New("store: a database path is required")
	}
	return nil
}

// SQLite is a meetings.Store on one SQLite file.
type SQLite struct {
	db  *sql.DB
	now func() time.Time
	log *slog.Logger

	mu sync.Mutex // guards gen and snap
	// gen counts committed writes; a snapshot loaded while a write committed
	// is discarded rather than cached.
	gen uint64
	// snap is every series with its exceptions, rebuilt after a write on the
	// next read; nil when stale.
	snap *snapshot
}

var _ meetings.Store = (*SQLite)(nil)

// Open opens (creating if needed) and migrates the database.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*SQLite, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	db, err := sql.Open("sqlite", dsn(cfg.Path))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Path, err)
	}
	// One connection: SQLite allows one writer anyway, and reads are served
	// from the in-memory snapshot, so a pool would only add lock contention.
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, len(migrations), log); err != nil {
		db.Close()
		return nil, err
	}
	return &SQLite{db: db, now: cfg.Now, log: log}, nil
}

func dsn(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Close closes the database.
func (s *SQLite) Close() error { return s.db.Close() }

// write runs fn in one transaction, records the change and invalidates the
// snapshot. Nothing is written when fn fails.
func (s *SQLite) write(ctx context.Context, what string, fn func(tx *sql.Tx, now int64) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: begin: %w", what, err)
	}
	defer tx.Rollback()
	now := s.now().UTC().UnixNano()
	if err := fn(tx, now); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE changes SET counter = counter + 1, modified = ? WHERE id = 1`, now); err != nil {
		return fmt.Errorf("store: %s: record change: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, err)
	}
	s.mu.Lock()
	s.gen++
	s.snap = nil
	s.mu.Unlock()
	return nil
}

// Changes returns the change counter and the newest write's instant.
func (s *SQLite) Changes(ctx context.Context) (meetings.Changes, error) {
	var c meetings.Changes
	var mod int64
	err := s.db.QueryRowContext(ctx, `SELECT counter, modified FROM changes WHERE id = 1`).Scan(&c.Counter, &mod)
	if err != nil {
		return c, fmt.Errorf("store: changes: %w", err)
	}
	if mod != 0 {
		c.Modified = time.Unix(0, mod).UTC()
	}
	return c, nil
}

// Setting returns the value stored under key.
func (s *SQLite) Setting(ctx context.Context, key string) (string, error) {
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
func (s *SQLite) PutSetting(ctx context.Context, key, value string) error {
	if key == "" || len(key) > 100 || len(value) > 10000 {
		return fmt.Errorf("store: setting key must be 1-100 bytes and value at most 10000")
	}
	return s.write(ctx, "put setting", func(tx *sql.Tx, _ int64) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
