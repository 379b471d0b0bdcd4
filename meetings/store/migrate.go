package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
)

// migrations are applied in order; the database's user_version is the number
// applied. Never edit a released migration: append a new one.
var migrations = [...]string{
	// 1: groups, series and exceptions.
	`CREATE TABLE groups (
		id INTEGER PRIMARY KEY,
		slug TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		program TEXT NOT NULL,
		description TEXT NOT NULL,
		tradition_url TEXT NOT NULL,
		contact_note TEXT NOT NULL,
		location TEXT NOT NULL,
		conference_phone TEXT NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE TABLE series (
		id INTEGER PRIMARY KEY,
		slug TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE RESTRICT,
		format TEXT NOT NULL,
		program TEXT NOT NULL,
		types TEXT NOT NULL,
		languages TEXT NOT NULL,
		notes TEXT NOT NULL,
		timezone TEXT NOT NULL,
		start_time TEXT NOT NULL,
		duration_s INTEGER NOT NULL,
		freq TEXT NOT NULL,
		interval INTEGER NOT NULL,
		weekdays TEXT NOT NULL,
		set_pos INTEGER NOT NULL,
		rec_start TEXT NOT NULL,
		rec_until TEXT,
		waiting_room INTEGER NOT NULL,
		locked_until_chair INTEGER NOT NULL,
		passcode_hash TEXT NOT NULL,
		host_key_hash TEXT NOT NULL,
		max_participants INTEGER NOT NULL,
		camera_off_on_entry INTEGER NOT NULL,
		sequence INTEGER NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE TABLE exceptions (
		id INTEGER PRIMARY KEY,
		series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
		date TEXT NOT NULL,
		kind TEXT NOT NULL,
		reason TEXT NOT NULL,
		new_date TEXT,
		new_start TEXT,
		new_duration_s INTEGER NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL,
		UNIQUE (series_id, date)
	);`,
	// 2: settings (admin token hash), the change counter behind ETags and
	// Last-Modified (seeded from existing rows so feeds keep an honest date),
	// and an index for the group foreign key.
	`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE changes (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		counter INTEGER NOT NULL,
		modified INTEGER NOT NULL
	);
	INSERT INTO changes (id, counter, modified) VALUES (1,
		(SELECT count(*) FROM groups) + (SELECT count(*) FROM series) + (SELECT count(*) FROM exceptions),
		max(
			(SELECT coalesce(max(updated), 0) FROM groups),
			(SELECT coalesce(max(updated), 0) FROM series),
			(SELECT coalesce(max(updated), 0) FROM exceptions)));
	CREATE INDEX series_group ON series(group_id);`,
	// 3: the phone PIN telephone callers type instead of the passcode. A
	// meeting stored before has none: meetings.VerifyPhonePIN lets its
	// passcode serve until a PIN is set.
	`ALTER TABLE series ADD COLUMN phone_pin_hash TEXT NOT NULL DEFAULT '';`,
	// 4: the room's chat mode at the start (issue 15).
	`ALTER TABLE series ADD COLUMN chat_mode TEXT NOT NULL DEFAULT 'everyone';`,
	// 5: programs as data, seeded with the default list (meetings'
	// program_defaults.go as of this migration); every earlier program keeps
	// its key, so no meeting or group changes.
	`CREATE TABLE programs (
		id INTEGER PRIMARY KEY,
		key TEXT NOT NULL UNIQUE,
		slug TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		abbreviation TEXT NOT NULL,
		format TEXT NOT NULL,
		retired INTEGER NOT NULL,
		position INTEGER NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	INSERT INTO programs (position, key, slug, name, abbreviation, format, retired, created, updated)
	SELECT column1, column2, column3, column4, column5, column6, 0, 0, 0 FROM (VALUES
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
		(28, 'other', 'other', 'Other program', '', 'other'));
	CREATE INDEX series_program ON series(program);`,
	// 6: the group's 7th-Tradition handles (issue 15), Meeting Guide keys.
	`ALTER TABLE groups ADD COLUMN venmo TEXT NOT NULL DEFAULT '';
	ALTER TABLE groups ADD COLUMN square TEXT NOT NULL DEFAULT '';
	ALTER TABLE groups ADD COLUMN paypal TEXT NOT NULL DEFAULT '';`,
	// 7: a group's readings, in the group's order (issue 15).
	`CREATE TABLE readings (
		id INTEGER PRIMARY KEY,
		group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		title TEXT NOT NULL,
		text TEXT NOT NULL,
		created INTEGER NOT NULL,
		updated INTEGER NOT NULL
	);
	CREATE INDEX readings_group ON readings(group_id, position);`,
	// 8: a meeting's service roles (issue 15): named host keys, hashed,
	// each with an optional last day; revoking one deletes its row.
	`CREATE TABLE host_roles (
		id INTEGER PRIMARY KEY,
		series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
		label TEXT NOT NULL,
		until TEXT,
		key_hash TEXT NOT NULL,
		created INTEGER NOT NULL
	);
	CREATE INDEX host_roles_series ON host_roles(series_id);`,
	// 9: the share timer a chair's ask-to-unmute starts (issue 15), in
	// seconds; 0: none.
	`ALTER TABLE series ADD COLUMN share_timer_s INTEGER NOT NULL DEFAULT 0;`,
}

// migrate brings db up to version target, one transaction per migration.
func migrate(ctx context.Context, db *sql.DB, target int, log *slog.Logger) error {
	var have int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("store: database schema version %d is newer than this Hearth (%d); upgrade Hearth", have, len(migrations))
	}
	for v := have + 1; v <= target; v++ {
		if err := apply(ctx, db, v); err != nil {
			return err
		}
		log.Info("database migrated", "version", v)
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %d: %w", v, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
		return fmt.Errorf("store: migration %d: %w", v, err)
	}
	// PRAGMA takes no bound parameters; v is an int we control.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
		return fmt.Errorf("store: migration %d: set version: %w", v, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migration %d: commit: %w", v, err)
	}
	return nil
}
