package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
)

// migrateLock is the advisory lock key that serialises migrations between
// nodes starting together ("hearth" in ASCII).
const migrateLock = 0x686561727468

// pgMigrations are applied in order; schema_version holds the number
// applied. Never edit a released migration: append a new one. Columns match
// the SQLite schema so that the queries are shared; instants are Unix
// nanoseconds in bigint, as in SQLite, so ETags built from them match.
var pgMigrations = [...]string{
	// 1: the schema of SQLite's migrations 1 and 2, and the trigger that
	// tells every node about a new revision.
	`CREATE TABLE groups (
		id bigserial PRIMARY KEY,
		slug text NOT NULL UNIQUE,
		name text NOT NULL,
		program text NOT NULL,
		description text NOT NULL,
		tradition_url text NOT NULL,
		contact_note text NOT NULL,
		location text NOT NULL,
		conference_phone text NOT NULL,
		created bigint NOT NULL,
		updated bigint NOT NULL
	);
	CREATE TABLE series (
		id bigserial PRIMARY KEY,
		slug text NOT NULL UNIQUE,
		name text NOT NULL,
		group_id bigint NOT NULL REFERENCES groups(id) ON DELETE RESTRICT,
		format text NOT NULL,
		program text NOT NULL,
		types text NOT NULL,
		languages text NOT NULL,
		notes text NOT NULL,
		timezone text NOT NULL,
		start_time text NOT NULL,
		duration_s bigint NOT NULL,
		freq text NOT NULL,
		"interval" integer NOT NULL,
		weekdays text NOT NULL,
		set_pos integer NOT NULL,
		rec_start text NOT NULL,
		rec_until text,
		waiting_room boolean NOT NULL,
		locked_until_chair boolean NOT NULL,
		passcode_hash text NOT NULL,
		host_key_hash text NOT NULL,
		max_participants integer NOT NULL,
		camera_off_on_entry boolean NOT NULL,
		sequence integer NOT NULL,
		created bigint NOT NULL,
		updated bigint NOT NULL
	);
	CREATE INDEX series_group ON series(group_id);
	CREATE TABLE exceptions (
		id bigserial PRIMARY KEY,
		series_id bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
		date text NOT NULL,
		kind text NOT NULL,
		reason text NOT NULL,
		new_date text,
		new_start text,
		new_duration_s bigint NOT NULL,
		created bigint NOT NULL,
		updated bigint NOT NULL,
		UNIQUE (series_id, date)
	);
	CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
	CREATE TABLE changes (
		id integer PRIMARY KEY CHECK (id = 1),
		counter bigint NOT NULL,
		modified bigint NOT NULL
	);
	INSERT INTO changes (id, counter, modified) VALUES (1, 0, 0);
	CREATE FUNCTION hearth_schedule_notify() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM pg_notify('hearth_schedule', NEW.counter::text);
		RETURN NULL;
	END $$;
	CREATE TRIGGER changes_notify AFTER UPDATE ON changes
		FOR EACH ROW EXECUTE FUNCTION hearth_schedule_notify();`,
	// 2: nodes and room leases (issue 17): which node runs each live room.
	// Instants are the database's clock (timestamptz), so nodes whose
	// clocks disagree still agree on when a lease expires. Neither table
	// holds anything about the people in a room.
	`CREATE TABLE nodes (
		url text PRIMARY KEY,
		load bigint NOT NULL,
		draining boolean NOT NULL,
		expires timestamptz NOT NULL
	);
	CREATE TABLE room_leases (
		room text PRIMARY KEY,
		node text NOT NULL,
		epoch bigint NOT NULL,
		expires timestamptz NOT NULL
	);
	CREATE INDEX room_leases_node ON room_leases(node);`,
	// 3: SQLite's migration 3, the phone PIN.
	`ALTER TABLE series ADD COLUMN phone_pin_hash text NOT NULL DEFAULT '';`,
	// 4: SQLite's migration 4, the room's chat mode at the start (issue 15).
	`ALTER TABLE series ADD COLUMN chat_mode text NOT NULL DEFAULT 'everyone';`,
}

// migratePostgres brings the database up to version target in one
// transaction that holds an advisory lock: a node starting beside another
// waits for it, then finds the schema current.
func migratePostgres(ctx context.Context, db *sql.DB, target int, log *slog.Logger) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("store: migrate: take lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL);
		INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`); err != nil {
		return fmt.Errorf("store: migrate: version table: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version WHERE id = 1`).Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if have > len(pgMigrations) {
		return fmt.Errorf("store: database schema version %d is newer than this Hearth (%d); upgrade Hearth", have, len(pgMigrations))
	}
	for v := have + 1; v <= target; v++ {
		if _, err := tx.ExecContext(ctx, pgMigrations[v-1]); err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = $1 WHERE id = 1`, v); err != nil {
			return fmt.Errorf("store: migration %d: set version: %w", v, err)
		}
		log.Info("database migrated", "version", v)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: commit: %w", err)
	}
	return nil
}
