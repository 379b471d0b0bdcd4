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
	// 5: programs as data, as SQLite's migration 5.
	`CREATE TABLE programs (
		id bigserial PRIMARY KEY,
		key text NOT NULL UNIQUE,
		slug text NOT NULL UNIQUE,
		name text NOT NULL,
		abbreviation text NOT NULL,
		format text NOT NULL,
		retired boolean NOT NULL,
		position integer NOT NULL,
		created bigint NOT NULL,
		updated bigint NOT NULL
	);
	INSERT INTO programs (position, key, slug, name, abbreviation, format, retired, created, updated)
	SELECT v.*, false, 0, 0 FROM (VALUES
		(1, 'AA', 'aa', 'Alcoholics Anonymous', 'AA', '12-step'),
		(2, 'NA', 'na', 'Narcotics Anonymous', 'NA', '12-step'),
		(3, 'CA', 'ca', 'Cocaine Anonymous', 'CA', '12-step'),
		(4, 'CMA', 'cma', 'Crystal Meth Anonymous', 'CMA', '12-step'),
		(5, 'Al-Anon', 'al-anon', 'Al-Anon Family Groups', 'Al-Anon', '12-step'),
		(6, 'SMART Recovery', 'smart-recovery', 'SMART Recovery', '', 'smart'),
		(7, 'Celebrate Recovery', 'celebrate-recovery', 'Celebrate Recovery', 'CR', 'faith-based'),
		(8, 'Recovery Dharma', 'recovery-dharma', 'Recovery Dharma', 'RD', 'other'),
		(9, 'Refuge Recovery', 'refuge-recovery', 'Refuge Recovery', '', 'other'),
		(10, 'Millati Islami', 'millati-islami', 'Millati Islami', '', 'faith-based'),
		(11, 'Women for Sobriety', 'women-for-sobriety', 'Women for Sobriety', 'WFS', 'secular'),
		(12, 'LifeRing', 'lifering', 'LifeRing Secular Recovery', 'LifeRing', 'secular'),
		(13, 'MARA', 'mara', 'Medication-Assisted Recovery Anonymous', 'MARA', '12-step'),
		(14, 'JACS', 'jacs', 'Jewish Alcoholics, Chemically Dependent Persons and Significant Others', 'JACS', 'faith-based'),
		(15, 'GA', 'ga', 'Gamblers Anonymous', 'GA', '12-step'),
		(16, 'OA', 'oa', 'Overeaters Anonymous', 'OA', '12-step'),
		(17, 'ACA', 'aca', 'Adult Children of Alcoholics', 'ACA', '12-step'),
		(18, 'CoDA', 'coda', 'Co-Dependents Anonymous', 'CoDA', '12-step'),
		(19, 'SLAA', 'slaa', 'Sex and Love Addicts Anonymous', 'SLAA', '12-step'),
		(20, 'MA', 'ma', 'Marijuana Anonymous', 'MA', '12-step'),
		(21, 'HA', 'ha', 'Heroin Anonymous', 'HA', '12-step'),
		(22, 'Nar-Anon', 'nar-anon', 'Nar-Anon Family Groups', 'Nar-Anon', '12-step'),
		(23, 'Alateen', 'alateen', 'Alateen', '', '12-step'),
		(24, 'DRA', 'dra', 'Dual Recovery Anonymous', 'DRA', '12-step'),
		(25, 'EA', 'ea', 'Emotions Anonymous', 'EA', '12-step'),
		(26, 'DBSA', 'dbsa', 'Depression and Bipolar Support Alliance', 'DBSA', 'other'),
		(27, 'Grief Support', 'grief-support', 'Grief support group', '', 'other'),
		(28, 'other', 'other', 'Other program', '', 'other')) AS v;
	CREATE INDEX series_program ON series(program);`,
	// 6: what a room's next node takes over when the node that ran it dies
	// (issue 17): the chairs' switches and the bars as salted hashes, an
	// opaque text written only by the room's lease holder. Swept two hours
	// after the room was last leased.
	`CREATE TABLE room_state (
		room text PRIMARY KEY,
		version bigint NOT NULL,
		state text NOT NULL,
		updated timestamptz NOT NULL
	);`,
	// 7: SQLite's migration 6, the group's 7th-Tradition handles (issue 15).
	`ALTER TABLE groups ADD COLUMN venmo text NOT NULL DEFAULT '',
		ADD COLUMN square text NOT NULL DEFAULT '',
		ADD COLUMN paypal text NOT NULL DEFAULT '';`,
	// 8: SQLite's migration 7, a group's readings (issue 15).
	`CREATE TABLE readings (
		id bigserial PRIMARY KEY,
		group_id bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		position integer NOT NULL,
		title text NOT NULL,
		text text NOT NULL,
		created bigint NOT NULL,
		updated bigint NOT NULL
	);
	CREATE INDEX readings_group ON readings(group_id, position);`,
	// 9: the secret limiter's counts (issue 17), saved in batches by the
	// node that runs a room so that its next node counts on: one row per
	// client that tried a secret, keyed by a hash under the room's salt
	// (no address, no browser id). Swept once expired.
	`CREATE TABLE secret_attempts (
		room text NOT NULL,
		key text NOT NULL,
		fails integer NOT NULL,
		last timestamptz NOT NULL,
		expires timestamptz NOT NULL,
		PRIMARY KEY (room, key)
	);
	CREATE INDEX secret_attempts_expires ON secret_attempts(expires);`,
	// 10: SQLite's migration 8, a meeting's service roles (issue 15).
	`CREATE TABLE host_roles (
		id bigserial PRIMARY KEY,
		series_id bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
		label text NOT NULL,
		until text,
		key_hash text NOT NULL,
		created bigint NOT NULL
	);
	CREATE INDEX host_roles_series ON host_roles(series_id);`,
	// 11: SQLite's migration 9, the automatic share timer (issue 15).
	`ALTER TABLE series ADD COLUMN share_timer_s bigint NOT NULL DEFAULT 0;`,
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
