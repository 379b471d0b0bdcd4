package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hearth-recovery/hearth/meetings"
)

// PostgresConfig says which PostgreSQL database holds the schedule.
type PostgresConfig struct {
	// URL is a libpq connection string or URL, postgres://user:pass@host/db.
	URL string
	// Now is the clock for Created/Updated; time.Now when nil.
	Now func() time.Time
	// Keepalive is how long the listen connection may stay quiet before it
	// is checked with a ping (default 10 s): a node that cannot reach the
	// database stops trusting its cache within about this time.
	Keepalive time.Duration
}

// Postgres is a meetings.Store on PostgreSQL, shared by several nodes. Each
// node caches the schedule; a write on any node raises the stored revision,
// whose trigger sends it with NOTIFY, and every node drops an older cache.
type Postgres struct {
	*base
	pool   *pgxpool.Pool
	cancel context.CancelFunc
	done   sync.WaitGroup

	// listens and pings count LISTENs made and keepalive pings answered on
	// the listen connection; guarded by base.mu.
	listens, pings int
}

var _ meetings.Store = (*Postgres)(nil)

var postgresDialect = dialect{
	numbered: true,
	unique:   func(err error) bool { return pgCode(err) == "23505" },
	restrict: func(err error) bool { return pgCode(err) == "23503" },
	// Series, exceptions and the revision are read as of one instant.
	readTx: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// OpenPostgres connects, migrates (under an advisory lock, so nodes that
// start together migrate once) and starts listening for other nodes' writes.
func OpenPostgres(ctx context.Context, cfg PostgresConfig, log *slog.Logger) (*Postgres, error) {
	if cfg.URL == "" {
		return nil, errors.New("store: a PostgreSQL URL is required")
	}
	if cfg.Keepalive <= 0 {
		cfg.Keepalive = 10 * time.Second
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// The parse error may quote the URL with its password: leave it out.
		return nil, errors.New("store: the PostgreSQL URL does not parse; use postgres://user:password@host:5432/dbname")
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := migratePostgres(ctx, db, len(pgMigrations), log); err != nil {
		db.Close()
		pool.Close()
		return nil, err
	}
	p := &Postgres{base: newBase(db, &postgresDialect, cfg.Now, log, false), pool: pool}
	lctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		p.listen(lctx, cfg.Keepalive)
	}()
	return p, nil
}

// Close stops listening and closes the pool.
func (p *Postgres) Close() error {
	p.cancel()
	p.done.Wait()
	err := p.raw.Close()
	p.pool.Close()
	return err
}
