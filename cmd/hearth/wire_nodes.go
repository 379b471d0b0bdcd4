package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
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
	cfg.Node = sfu.NodeConfig{URL: nodeURL, Leases: leaseBook{l}, Attempts: leaseBook{l}, RenewEvery: leaseTTL / 3}
	nodes := &nodeList{leases: l, log: a.log}
	a.nodes = nodes
	// Pages come from the public address (any node behind the balancer);
	// their signaling socket may be sent to this node.
	if u, err := url.Parse(a.cfg.PublicURL); err == nil && u.Host != "" {
		cfg.AllowedOrigins = append(cfg.AllowedOrigins, u.Host)
	}
	domain, warning := cookieDomain(a.cfg.PublicURL, nodeURL)
	if warning != "" {
		a.log.Warn(warning)
	}
	cfg.CookieDomain = domain
	nodes.under = nodesUnder(nodeURL, domain)
	return nil
}

// nodesUnder is the pages' connect-src for every node named under the
// public host (wss://*.meet.example.org:*), so that a page opened before
// a node joined may still be sent to it; "" when the nodes are not named
// under it (each is then listed as the database knows it).
func nodesUnder(nodeURL, domain string) string {
	u, err := url.Parse(nodeURL)
	if domain == "" || err != nil || strings.ContainsAny(domain, " ;'*") {
		return ""
	}
	scheme := "ws"
	if u.Scheme == "https" {
		scheme = "wss"
	}
	return scheme + "://*." + domain + ":*"
}

// cookieDomain is the browser cookie's domain on a node of several: the
// public host name, when the node's own name is under it, so that the
// cookie the pages set (bars and the verify gate's clean lane key on it)
// reaches the node a member is sent to. Otherwise the cookie stays
// host-only and the warning says what that costs.
func cookieDomain(publicURL, nodeURL string) (domain, warning string) {
	pub, err1 := url.Parse(publicURL)
	node, err2 := url.Parse(nodeURL)
	if err1 != nil || err2 != nil || pub.Hostname() == "" {
		return "", ""
	}
	switch {
	case node.Hostname() == pub.Hostname():
		return "", "" // one name: the cookie is the same
	case sfu.HostUnder(node.Hostname(), pub.Hostname()):
		return strings.ToLower(pub.Hostname()), ""
	}
	return "", fmt.Sprintf("--node-url %s is not under --public-url's host %s: browsers do not bring the pages' cookie to this node, "+
		"so bars and the guessing limits count a browser sent here by its address; name the nodes under the public name "+
		"(node1.%s)", nodeURL, pub.Hostname(), pub.Hostname())
}

// nodeList is the signaling origins of the live nodes, for the pages'
// Content-Security-Policy: a room page may be sent to any of them.
type nodeList struct {
	leases *store.Leases
	log    *slog.Logger

	// under, when set, stands for every node named under the public
	// host (nodesUnder): listed first, whatever the database says.
	under string

	mu      sync.Mutex // guards origins and fetched
	origins []string
	fetched time.Time
}

// get returns the origins, asking the database at most every few seconds;
// when it does not answer, the last list stands.
func (n *nodeList) get() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if time.Since(n.fetched) < leaseTTL/3 {
		return n.origins
	}
	n.fetched = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	urls, err := n.leases.Nodes(ctx)
	if err != nil {
		n.log.Warn("list nodes", "err", err)
		if n.origins == nil && n.under != "" {
			n.origins = []string{n.under}
		}
		return n.origins
	}
	n.origins = n.origins[:0:0]
	if n.under != "" {
		n.origins = append(n.origins, n.under)
	}
	for _, u := range urls {
		if o := wsOrigin(u); o != "" {
			n.origins = append(n.origins, o)
		}
	}
	return n.origins
}

// wsOrigin is the WebSocket origin of a node URL: ws://host:port for
// http, wss://host for https.
func wsOrigin(nodeURL string) string {
	u, err := url.Parse(nodeURL)
	if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " ;'") {
		return ""
	}
	if u.Scheme == "https" {
		return "wss://" + u.Host
	}
	return "ws://" + u.Host
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

// nodeOrigins is the pages' list of nodes to connect to; nil for a single
// node.
func (a *app) nodeOrigins() func() []string {
	if a.nodes == nil {
		return nil
	}
	return a.nodes.get
}

func (b leaseBook) SaveState(ctx context.Context, l sfu.Lease, version int64, state []byte) error {
	return b.l.SaveState(ctx, store.Lease(l), version, string(state))
}

func (b leaseBook) State(ctx context.Context, room string) (int64, []byte, error) {
	v, s, err := b.l.State(ctx, room)
	if s == "" {
		return v, nil, err
	}
	return v, []byte(s), err
}

func (b leaseBook) SaveAttempts(ctx context.Context, counts []sfu.AttemptCount) error {
	as := make([]store.Attempt, len(counts))
	for i, c := range counts {
		as[i] = store.Attempt(c)
	}
	return b.l.SaveAttempts(ctx, as)
}

func (b leaseBook) Attempts(ctx context.Context, room string) ([]sfu.AttemptCount, error) {
	as, err := b.l.Attempts(ctx, room)
	counts := make([]sfu.AttemptCount, len(as))
	for i, a := range as {
		counts[i] = sfu.AttemptCount(a)
	}
	return counts, err
}

// drain lets a node of several stop gracefully: no new room comes here, the
// rooms it runs get --drain-timeout to finish, and those still running are
// then handed to the other nodes. The HTTP server keeps answering
// meanwhile (pages, and joins it sends elsewhere).
func (a *app) drain() {
	if a.nodes == nil {
		return
	}
	a.log.Info("draining: no new rooms here; waiting for this node's rooms to finish", "timeout", a.cfg.DrainTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.DrainTimeout)
	defer cancel()
	a.sfu.Drain(ctx)
}
