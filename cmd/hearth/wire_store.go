package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/store"
)

// openStore opens PostgreSQL when database names one (several nodes share
// it), else the SQLite file in dataDir, creating the directory (owner-only)
// when it does not exist. Every command that touches the schedule opens it
// here.
func openStore(ctx context.Context, dataDir, database string, log *slog.Logger) (meetings.Store, error) {
	if database != "" {
		return store.OpenPostgres(ctx, store.PostgresConfig{URL: database}, log)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dataDir, err)
	}
	return store.Open(ctx, store.Config{Path: filepath.Join(dataDir, "hearth.db")}, log)
}

// validateDatabase checks the form of --database without quoting it: the
// URL may hold a password.
func validateDatabase(database string) error {
	if database == "" || strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://") {
		return nil
	}
	return errors.New("--database must be a PostgreSQL URL such as postgres://hearth:password@db.example.org:5432/hearth")
}
