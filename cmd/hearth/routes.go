package main

import (
	"context"
	"net/http"
	"time"
)

// routes assembles every HTTP route. Each area mounts with one line here;
// its wiring lives in wire_<area>.go.
func routes(a *app) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", a.admin.Require(a.metricsHandler())) // unauthenticated only at --metrics-addr
	a.api.Mount(mux)                                                // /api/..., /openapi.json, /openapi.yaml, /docs
	a.mountCalendar(mux)                                            // /calendar/..., /.well-known/caldav, /dav/..., /api/meeting-guide...
	a.mountUI(mux)                                                  // /, /m/{slug}, /m/{slug}/join, /subscribe, /admin/, /static/
	a.mountSFU(mux)                                                 // /rtc (signaling WebSocket)
	var h http.Handler = a.browserCookies(mux)
	if a.cfg.PublicURL == "" {
		h = privateCaching(h) // links come from the Host header: no shared caching
	}
	https, _ := newHTTPSPolicy(a.cfg) // validated with the config
	return a.instrument(https.secure(h))
}

// healthz answers 200 when the database answers, within a few seconds so
// that a load balancer's probe sees an unreachable database as a failure.
func (a *app) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if _, err := a.store.Changes(ctx); err != nil {
		a.log.Error("health check failed", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
