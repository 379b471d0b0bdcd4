package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// cookiesOf requests path with the given headers and returns the Set-Cookie
// lines and the HSTS header.
func cookiesOf(t *testing.T, srv *httptest.Server, path string, header ...string) ([]string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Values("Set-Cookie"), resp.Header.Get("Strict-Transport-Security")
}

// wsCookies opens the signaling WebSocket and returns its Set-Cookie lines
// (none: only the pages issue browser cookies) and HSTS header.
func wsCookies(t *testing.T, srv *httptest.Server, header http.Header) ([]string, string) {
	t.Helper()
	c, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+uiSignalPath,
		&websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		t.Fatal(err)
	}
	c.CloseNow()
	return resp.Header.Values("Set-Cookie"), resp.Header.Get("Strict-Transport-Security")
}

func allSecure(cookies []string) bool {
	for _, c := range cookies {
		if !hasSecure(c) {
			return false
		}
	}
	return len(cookies) > 0
}

func anySecure(cookies []string) bool {
	for _, c := range cookies {
		if hasSecure(c) {
			return true
		}
	}
	return false
}

// Behind a TLS-terminating proxy, cookies are Secure and HSTS is sent when a
// trusted proxy says https, or when --public-url is https; a client cannot
// claim https for itself (issue 10, point 5).
func TestCookiesSecureBehindProxy(t *testing.T) {
	https := []string{"X-Forwarded-Proto", "https"}
	for _, tc := range []struct {
		name   string
		cfg    func(*serveConfig)
		header []string
		secure bool
	}{
		{"no proxy trusted, client claims https", func(*serveConfig) {}, https, false},
		{"loopback proxy trusted, https", func(c *serveConfig) { c.TrustedProxies = "127.0.0.1" }, https, true},
		{"loopback CIDR trusted, https", func(c *serveConfig) { c.TrustedProxies = "10.0.0.0/8, 127.0.0.0/8" }, https, true},
		{"trusted proxy says http", func(c *serveConfig) { c.TrustedProxies = "127.0.0.1" }, []string{"X-Forwarded-Proto", "http"}, false},
		{"client's https, proxy appended http", func(c *serveConfig) { c.TrustedProxies = "127.0.0.1" }, []string{"X-Forwarded-Proto", "https, http"}, false},
		{"another proxy trusted", func(c *serveConfig) { c.TrustedProxies = "10.1.2.3" }, https, false},
		{"public URL is https", func(c *serveConfig) { c.PublicURL = "https://meet.example.org" }, nil, true},
		{"public URL is http", func(c *serveConfig) { c.PublicURL = "http://meet.example.org" }, https, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testAppWith(t, tc.cfg)
			cookies, hsts := cookiesOf(t, srv, "/?tz=Europe/London", tc.header...)
			_, home := get(t, srv.URL+"/")
			slug := regexp.MustCompile(`href="/m/([a-z0-9-]+)"`).FindStringSubmatch(home)[1]
			joinc, _ := cookiesOf(t, srv, "/m/"+slug+"/join", tc.header...) // the browser id
			cookies = append(cookies, joinc...)
			h := http.Header{}
			for i := 0; i+1 < len(tc.header); i += 2 {
				h.Add(tc.header[i], tc.header[i+1])
			}
			_, wsHSTS := wsCookies(t, srv, h)
			if len(cookies) < 2 || len(joinc) == 0 {
				t.Fatalf("no cookie set: time zone and join page %q", cookies)
			}
			if tc.secure {
				if !allSecure(cookies) || hsts == "" || wsHSTS == "" {
					t.Errorf("want Secure cookies and HSTS: pages %q %q, WebSocket %q", cookies, hsts, wsHSTS)
				}
			} else if anySecure(cookies) || hsts != "" || wsHSTS != "" {
				t.Errorf("want plain cookies, no HSTS: pages %q %q, WebSocket %q", cookies, hsts, wsHSTS)
			}
		})
	}
}

func TestTrustedProxiesFlag(t *testing.T) {
	c, err := parseServe(nil, envOf("HEARTH_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, ::1"))
	if err != nil || c.TrustedProxies == "" {
		t.Fatalf("env twin: %v", err)
	}
	if _, err := parseServe([]string{"--trusted-proxies", "10.0.0.0/33"}, envOf()); err == nil ||
		!strings.Contains(err.Error(), "--trusted-proxies") {
		t.Fatalf("bad CIDR: %v", err)
	}
}

// The media server's verify gate takes turns by client address: behind a
// trusted proxy that is the nearest untrusted hop of X-Forwarded-For, and
// a client cannot pick its own by prepending to the header.
func TestClientAddressBehindProxy(t *testing.T) {
	p, err := newHTTPSPolicy(serveConfig{TrustedProxies: "127.0.0.1, 10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		remote string
		xff    []string
		want   string
	}{
		{"203.0.113.9:5000", nil, "203.0.113.9"},
		{"203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"}, // not from a proxy: header ignored
		{"127.0.0.1:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"127.0.0.1:5000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},             // a forged first hop is skipped
		{"127.0.0.1:5000", []string{"6.6.6.6", "198.51.100.1, 10.1.2.3"}, "198.51.100.1"}, // two proxies
		{"127.0.0.1:5000", []string{"garbage, 198.51.100.1"}, "198.51.100.1"},
		{"127.0.0.1:5000", []string{"198.51.100.1, garbage"}, "127.0.0.1"},
		{"[::1]:5000", []string{"198.51.100.1"}, "::1"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/rtc", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := p.client(r).Addr.String(); got != tc.want {
			t.Errorf("%s %v: got %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}
