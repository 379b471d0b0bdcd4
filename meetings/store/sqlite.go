package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Config says where the SQLite database lives.
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

// SQLite is a meetings.Store on one SQLite file, written by one process.
type SQLite struct {
	*base
}

var _ meetings.Store = (*SQLite)(nil)

var sqliteDialect = dialect{
	unique: func(err error) bool { return strings.Contains(err.Error(), "UNIQUE constraint failed") },
	restrict: func(err error) bool {
		return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
	},
}

// Open opens (creating if needed) and migrates the database.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*SQLite, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
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
	return &SQLite{base: newBase(db, &sqliteDialect, cfg.Now, log, true)}, nil
}

func dsn(path string) string {
	return "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Close closes the database.
func (s *SQLite) Close() error { return s.raw.Close() }
