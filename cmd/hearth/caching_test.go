package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testAppWith is testApp with the config adjusted by the test.
func testAppWith(t *testing.T, adjust func(*serveConfig)) *httptest.Server {
	t.Helper()
	cfg := serveConfig{DataDir: t.TempDir(), Demo: true, AdminToken: "a-test-admin-token-123", LogFormat: "text",
		LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true}}
	adjust(&cfg)
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	return srv
}

// hostLinkedPaths are responses that embed absolute URLs, built from the
// Host header when no public URL is set.
var hostLinkedPaths = []struct{ method, path string }{
	{"GET", "/calendar/all.ics"},
	{"GET", "/calendar/program/AA.ics"},
	{"GET", "/api/meeting-guide.json"},
	{"GET", "/api/meeting-guide/program/AA.json"},
	{"PROPFIND", "/dav/public/calendars/all/"},
	{"GET", "/dav/public/calendars/all/"},
	{"GET", "/api/meetings"},
	{"GET", "/subscribe"},
}

func cacheControlOf(t *testing.T, srv *httptest.Server, method, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, nil)
	req.Host = "evil.example"
	if method == "PROPFIND" {
		req.Header.Set("Depth", "1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Cache-Control")
}

// Without --public-url no response that embeds Host-derived URLs may be kept
// by a shared cache (issue 10, point 10).
func TestNoSharedCachingWithoutPublicURL(t *testing.T) {
	srv := testAppWith(t, func(*serveConfig) {})
	for _, p := range hostLinkedPaths {
		code, cc := cacheControlOf(t, srv, p.method, p.path)
		if code >= 400 {
			t.Errorf("%s %s: %d", p.method, p.path, code)
		}
		lc := strings.ToLower(cc)
		if strings.Contains(lc, "public") || strings.Contains(lc, "s-maxage") ||
			(!strings.Contains(lc, "private") && !strings.Contains(lc, "no-store")) {
			t.Errorf("%s %s: Cache-Control %q, want private or no-store", p.method, p.path, cc)
		}
	}
	if _, cc := cacheControlOf(t, srv, "GET", "/static/css/hearth.css"); !strings.Contains(cc, "public") {
		t.Errorf("static asset: Cache-Control %q, want public (it embeds no URL)", cc)
	}
}

// With --public-url the feeds keep their shared caching.
func TestSharedCachingWithPublicURL(t *testing.T) {
	srv := testAppWith(t, func(c *serveConfig) { c.PublicURL = "https://meet.example.org" })
	if _, cc := cacheControlOf(t, srv, "GET", "/calendar/all.ics"); !strings.Contains(cc, "public") {
		t.Errorf("feed with a public URL: Cache-Control %q, want public", cc)
	}
	// The API's JSON carries a $schema link that Huma builds from the Host
	// (or X-Forwarded-Host) whatever the public URL.
	if _, cc := cacheControlOf(t, srv, "GET", "/api/meetings"); !strings.Contains(cc, "private") {
		t.Errorf("API with a public URL: Cache-Control %q, want private", cc)
	}
}

func TestPrivateCacheControl(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "private",
		"public, max-age=300":            "private, max-age=300",
		"no-cache":                       "private, no-cache",
		"no-store":                       "no-store",
		"private, max-age=5":             "private, max-age=5",
		"public, s-maxage=60, max-age=5": "private, max-age=5",
	} {
		if got := privateCacheControl(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
