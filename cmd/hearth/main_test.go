package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestParseServe(t *testing.T) {
	c, err := parseServe(nil, envOf())
	if err != nil || c.Addr != ":8080" || c.DataDir != "./hearth-data" || c.Demo || c.LogFormat != "text" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = parseServe([]string{"--addr", "127.0.0.1:9000"}, envOf("HEARTH_ADDR", ":7000", "HEARTH_DEMO", "true",
		"HEARTH_DATA", "/srv/hearth", "HEARTH_PUBLIC_URL", "https://meet.example.org/"))
	if err != nil || c.Addr != "127.0.0.1:9000" || !c.Demo || c.DataDir != "/srv/hearth" || c.PublicURL != "https://meet.example.org" {
		t.Fatalf("flag over env: %+v %v", c, err)
	}
	for _, tc := range []struct {
		args []string
		env  func(string) string
		says string
	}{
		{[]string{"--log-format", "xml"}, envOf(), "--log-format"},
		{nil, envOf("HEARTH_LOG_LEVEL", "loud"), "--log-level"},
		{nil, envOf("HEARTH_DEMO", "yes please"), "HEARTH_DEMO"},
		{[]string{"--admin-token", "short"}, envOf(), "16 characters"},
		{[]string{"--public-url", "meet.example.org"}, envOf(), "http(s) URL"},
		{[]string{"extra"}, envOf(), "unexpected"},
		{nil, envOf("HEARTH_DATABASE", "mysql://u:secret@db/hearth"), "PostgreSQL URL"},
	} {
		_, err := parseServe(tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: error %v, want one naming %q (and no password)", tc.args, err, tc.says)
		}
	}
}

func TestRunUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	e := env{getenv: envOf(), stdout: &out, stderr: io.Discard}
	if err := run(context.Background(), []string{"frobnicate"}, e); err == nil || !strings.Contains(err.Error(), "hearth help") {
		t.Fatalf("unknown command: %v", err)
	}
	if err := run(context.Background(), []string{"help"}, e); err != nil || !strings.Contains(out.String(), "serve") {
		t.Fatalf("help: %v %q", err, out.String())
	}
}

func testApp(t *testing.T, demo bool) *httptest.Server {
	t.Helper()
	return testAppRTC(t, demo, rtcConfig{LoopbackOnly: true})
}

// testAppRTC is testApp with the media server's settings chosen by the test.
func testAppRTC(t *testing.T, demo bool, rtc rtcConfig) *httptest.Server {
	t.Helper()
	cfg := serveConfig{DataDir: t.TempDir(), Demo: demo, AdminToken: "a-test-admin-token-123", LogFormat: "text", LogLevel: "info",
		RTC: rtc}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	return srv
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRoutes(t *testing.T) {
	srv := testApp(t, true)
	for _, tc := range []struct{ path, says string }{
		{"/healthz", "ok"},
		{"/api/meetings?program=Recovery%20Dharma", `"total":6`},
		{"/openapi.json", `"openapi":"3.1`},
		{"/openapi.yaml", "openapi: 3.1"},
		{"/docs", "<html"},
	} {
		code, body := get(t, srv.URL+tc.path)
		if code != 200 || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d, want 200 containing %q: %.300s", tc.path, code, tc.says, body)
		}
	}
}

// serve stops cleanly when its context is cancelled (SIGINT/SIGTERM in main).
func TestServeGracefulShutdown(t *testing.T) {
	cfg := serveConfig{Addr: "127.0.0.1:0", DataDir: t.TempDir(), AdminToken: "a-test-admin-token-123", LogFormat: "text", LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true}}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
