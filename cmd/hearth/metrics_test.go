package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func getWith(t *testing.T, url, token string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// /metrics shows how many rooms and participants are live: on the main
// address it needs the admin token (issue 10, point 11).
func TestMetricsNeedAdminToken(t *testing.T) {
	srv := testApp(t, true)
	get(t, srv.URL+"/api/meetings")
	for _, token := range []string{"", "not-the-admin-token-at-all"} {
		code, h, body := getWith(t, srv.URL+"/metrics", token)
		if code != http.StatusUnauthorized || strings.Contains(body, "hearth_") ||
			!strings.Contains(h.Get("Content-Type"), "problem+json") || h.Get("WWW-Authenticate") == "" {
			t.Errorf("/metrics with token %q: %d %.200s", token, code, body)
		}
	}
	code, _, body := getWith(t, srv.URL+"/metrics", "a-test-admin-token-123")
	if code != 200 || !strings.Contains(body, `hearth_http_requests_total{code="200",route="GET /api/meetings"} 1`) {
		t.Errorf("/metrics with the admin token: %d %.300s", code, body)
	}
}

// --metrics-addr serves /metrics on its own address without the token, and
// nothing else there.
func TestMetricsAddr(t *testing.T) {
	cfg := serveConfig{DataDir: t.TempDir(), AdminToken: "a-test-admin-token-123", LogFormat: "text", LogLevel: "info",
		RTC: rtcConfig{LoopbackOnly: true}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	routes(a) // registers the HTTP collectors, as serve does
	addr, stop, err := a.serveMetrics("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if code, _, body := getWith(t, "http://"+addr+"/metrics", ""); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics address: %d %.200s", code, body)
	}
	if code, _, _ := getWith(t, "http://"+addr+"/api/meetings", ""); code != http.StatusNotFound {
		t.Errorf("the metrics address serves the API: %d", code)
	}
	c, err := parseServe([]string{"--metrics-addr", "127.0.0.1:9090"}, envOf())
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("--metrics-addr: %+v %v", c.MetricsAddr, err)
	}
	if c, _ := parseServe(nil, envOf("HEARTH_METRICS_ADDR", "127.0.0.1:9191")); c.MetricsAddr != "127.0.0.1:9191" {
		t.Errorf("HEARTH_METRICS_ADDR: %q", c.MetricsAddr)
	}
}
