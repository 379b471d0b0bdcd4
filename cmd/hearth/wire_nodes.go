package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hearth-recovery/hearth/meetings/store"
	"github.com/hearth-recovery/hearth/sfu"
)

// leaseTTL is how long a room lease lasts unless its owner renews it
// (every leaseTTL/3): a node that dies loses its rooms within this time.
const leaseTTL = 15 * time.Second

// validateNodeURL checks --node-url, which a node on a shared PostgreSQL
// needs: the address members are redirected to for the rooms it runs.
func validateNodeURL(nodeURL, database string) error {
	if nodeURL == "" {
		if database != "" {
			return errors.New("--database needs --node-url: this node's public address (https://node2.meet.example.org), where members of the rooms it runs are sent")
		}
		return nil
	}
	u, err := url.Parse(nodeURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--node-url %q must be an http(s) URL such as https://node2.meet.example.org", nodeURL)
	}
	if database == "" {
		return errors.New("--node-url needs --database: nodes share rooms through PostgreSQL")
	}
	return nil
}

// nodeConfig makes the media server one node of several when the schedule
// is on PostgreSQL; with SQLite it stays the only node.
func (a *app) nodeConfig(cfg *sfu.Config) error {
	pg, ok := a.store.(*store.Postgres)
	if !ok {
		return nil
	}
	nodeURL := strings.TrimSuffix(a.cfg.NodeURL, "/")
	l, err := pg.Leases(nodeURL, leaseTTL)
	if err != nil {
		return err
	}
	cfg.Node = sfu.NodeConfig{URL: nodeURL, Leases: leaseBook{l}, RenewEvery: leaseTTL / 3}
	// Pages come from the public address (any node behind the balancer);
	// their signaling socket may be sent to this node.
	if u, err := url.Parse(a.cfg.PublicURL); err == nil && u.Host != "" {
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, u.Host)
	}
	return nil
}

// leaseBook is the store's lease book as the media server's Leases.
type leaseBook struct{ l *store.Leases }

func (b leaseBook) Claim(ctx context.Context, room string) (sfu.Lease, error) {
	l, err := b.l.Claim(ctx, room)
	return sfu.Lease(l), err
}

func (b leaseBook) Renew(ctx context.Context, held []sfu.Lease, load sfu.NodeLoad) ([]string, error) {
	ls := make([]store.Lease, len(held))
	for i, h := range held {
		ls[i] = store.Lease(h)
	}
	return b.l.Renew(ctx, ls, store.NodeLoad(load))
}

func (b leaseBook) Release(ctx context.Context, l sfu.Lease) error {
	return b.l.Release(ctx, store.Lease(l))
}
