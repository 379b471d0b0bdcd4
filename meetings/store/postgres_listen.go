package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// scheduleChannel is the NOTIFY channel the changes trigger sends each new
// revision on.
const scheduleChannel = "hearth_schedule"

// listen keeps one connection listening for new revisions until ctx ends,
// reconnecting with backoff. While it is down the store is not live, so
// reads check the stored revision themselves; each (re)connect drops the
// cache, so the first read reloads in full.
func (p *Postgres) listen(ctx context.Context, keepalive time.Duration) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := p.listenOnce(ctx, keepalive)
		p.setLive(false)
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("schedule listen connection lost; reads check the database until it is back", "err", err)
		if time.Since(start) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (p *Postgres) listenOnce(ctx context.Context, keepalive time.Duration) error {
	c, err := p.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	// The connection leaves the pool: it is blocked reading notifications.
	conn := c.Hijack()
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+scheduleChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Writes committed before LISTEN sent nothing to this node: start over.
	p.mu.Lock()
	p.live = true
	p.listens++
	p.mu.Unlock()
	p.invalidate(-1)
	for {
		wctx, cancel := context.WithTimeout(ctx, keepalive)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			rev, perr := strconv.ParseInt(n.Payload, 10, 64)
			if perr != nil {
				rev = -1 // not ours to parse: drop the cache anyway
			}
			p.invalidate(rev)
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || wctx.Err() != nil:
			// A busy server may take a moment; a dead one never answers.
			pctx, cancel := context.WithTimeout(ctx, max(keepalive, 5*time.Second))
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
			p.mu.Lock()
			p.pings++
			p.mu.Unlock()
		default:
			return err
		}
	}
}

func (p *Postgres) setLive(live bool) {
	p.mu.Lock()
	p.live = live
	p.mu.Unlock()
}
