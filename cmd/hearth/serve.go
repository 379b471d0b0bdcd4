package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/dialin"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearth-recovery/hearth/calendar"
	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/api"
	"github.com/hearth-recovery/hearth/meetings/demo"
	"github.com/hearth-recovery/hearth/ui/i18n"
)

// shutdownGrace is how long open requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 15 * time.Second

// app is everything the HTTP routes and the areas' wiring share.
type app struct {
	cfg     serveConfig
	log     *slog.Logger
	store   meetings.Store
	admin   *api.Admin
	api     *api.Server
	metrics *prometheus.Registry
	sfu     *sfu.Server
	// nodes lists the other nodes when rooms are leased (wire_nodes.go);
	// nil for a single node.
	nodes  *nodeList
	dialin *dialin.Gateway // nil when dial-in is off
	// calendar serves the feeds, CalDAV and the Meeting Guide export.
	calendar http.Handler
	// feeds is the iCalendar feed handler inside calendar; the subscribe
	// page asks it how big each feed is.
	feeds *calendar.Handler
	// cat is the message catalogs (catalogs), loaded once at start.
	cat *i18n.Catalog
	// closers run in reverse order at shutdown (the store is the first added,
	// so it closes last); areas append theirs in newApp.
	closers []func(context.Context) error
}

func runServe(ctx context.Context, args []string, e env) error {
	cfg, err := parseServe(args, e.getenv)
	if err != nil {
		return err
	}
	log := newLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
	return serve(ctx, cfg, log, nil)
}

// serve runs until ctx is cancelled, then shuts down gracefully. ready, when
// set, receives the listening address (tests listen on 127.0.0.1:0).
func serve(ctx context.Context, cfg serveConfig, log *slog.Logger, ready func(addr string)) error {
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: routes(a), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(sfu.RedactAddresses(log.Handler()), slog.LevelWarn)}
	if cfg.MetricsAddr != "" {
		_, stop, err := a.serveMetrics(cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("Hearth is listening", "addr", ln.Addr().String(), "url", localURL(ln.Addr()), "data", cfg.DataDir)
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	a.drain()
	log.Info("shutting down", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newApp opens the store, sets up the admin token, seeds the demo when asked
// and builds the API. Other areas construct their parts in wire_<area>.go
// and are called from here.
func newApp(ctx context.Context, cfg serveConfig, log *slog.Logger) (*app, error) {
	st, err := openStore(ctx, cfg.DataDir, cfg.Database, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, metrics: newRegistry()}
	a.closers = append(a.closers, func(context.Context) error { return st.Close() })
	if err := a.build(ctx); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) build(ctx context.Context) error {
	var err error
	if a.admin, err = api.NewAdmin(ctx, a.store, a.cfg.AdminToken, a.log); err != nil {
		return err
	}
	if a.cfg.Demo {
		if _, err := demo.Seed(ctx, a.store, time.Now(), a.log); err != nil {
			return err
		}
	}
	if a.api, err = api.New(api.Config{}, a.store, a.admin, a.log); err != nil {
		return err
	}
	if err := a.buildCalendar(); err != nil {
		return err
	}
	if err := a.buildSFU(ctx); err != nil {
		return err
	}
	return a.buildDialin()
}

func (a *app) close() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](ctx); err != nil {
			a.log.Warn("close", "err", err)
		}
	}
}

// localURL is a clickable URL for the log; ":8080" becomes localhost.
func localURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		if ok {
			return fmt.Sprintf("http://localhost:%d", tcp.Port)
		}
		return "http://" + addr.String()
	}
	return "http://" + addr.String()
}
