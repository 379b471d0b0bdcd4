package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/demo"
	"github.com/hearth-recovery/hearth/sfu/dialin"
	"github.com/hearth-recovery/hearth/sfu/dialin/dialintest"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

func TestParseDialinFlags(t *testing.T) {
	c, err := parseServe([]string{"--sip-listen", ":5060", "--sip-allow", "203.0.113.0/24, 198.51.100.7"},
		envOf("HEARTH_SIP_RTP_PORTS", "30000-30099", "HEARTH_SIP_LANGUAGE", "es"))
	if err != nil || c.Dialin.Listen != ":5060" || c.Dialin.RTPPorts != "30000-30099" || c.Dialin.Language != "es" {
		t.Fatalf("dial-in flags: %+v %v", c.Dialin, err)
	}
	// Digest alone (any address may try it), the password from the environment.
	c, err = parseServe([]string{"--sip-listen", ":5060", "--sip-auth-user", "trunk"},
		envOf("HEARTH_SIP_AUTH_PASSWORD", "a-long-enough-secret"))
	if err != nil || c.Dialin.AuthUser != "trunk" || c.Dialin.AuthPass != "a-long-enough-secret" || c.Dialin.Realm != "hearth" {
		t.Fatalf("digest flags: %v", err)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--sip-listen", ":5060"}, "--sip-allow or --sip-auth-user must name"},
		{[]string{"--sip-listen", ":5060", "--sip-auth-user", "trunk"}, "go together"},
		{[]string{"--sip-listen", ":5060", "--sip-auth-user", "trunk", "--sip-auth-password", "short"}, "at least 16"},
		{[]string{"--sip-listen", ":5060", "--sip-auth-user", `tr"unk`, "--sip-auth-password", "a-long-enough-secret"}, "quotes"},
		{[]string{"--sip-listen", ":5060", "--sip-allow", "trunk.example"}, "not an IP or CIDR"},
		{[]string{"--sip-listen", ":5060", "--sip-allow", "0.0.0.0/0", "--sip-rtp-ports", "9-5"}, "--sip-rtp-ports"},
		{[]string{"--sip-listen", ":5060", "--sip-allow", "0.0.0.0/0", "--sip-language", "de"}, "--sip-language"},
		{[]string{"--sip-listen", "5060", "--sip-allow", "0.0.0.0/0"}, "host:port"},
	} {
		if _, err := parseServe(tc.args, envOf()); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v: error %v, want one naming %q", tc.args, err, tc.says)
		}
	}
}

// From the binary's wiring: a baresip phone dials hearth's SIP port, types
// a demo meeting's phone ID, and a member in that room sees "Phone caller
// 1" join.
func TestDialinEndToEnd(t *testing.T) {
	dialintest.NeedTool(t, "baresip")
	cfg := serveConfig{DataDir: t.TempDir(), Demo: true, AdminToken: "a-test-admin-token-123", LogFormat: "text",
		LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true},
		Dialin: dialinConfig{Listen: "127.0.0.1:0", RTPPorts: "41000-41199", Allow: "127.0.0.1", Language: "en", MaxCalls: 4}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	m := openDemoMeeting(t, a.store)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	watcher, err := loadtest.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+uiSignalPath,
		loadtest.Options{Room: m.Slug, Name: "Watcher", Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()

	tone := make([]int16, 8000*60)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	ph := dialintest.Start(t, "5550199", tone)
	ph.Dial(t, a.dialin.Port())
	waitUntil(t, "the call to be answered", func() bool { return strings.Contains(ph.Output(), "Call established") })
	// Typed over the prompt: the first key cuts it short.
	ph.Keys(t, meetings.PhoneID(m.ID)+"#")
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev := <-watcher.Events:
			if ev.Type == "participant" && strings.Contains(string(ev.Raw), `"Phone caller 1"`) {
				ph.Do(t, "hangup", "")
				return
			}
		case <-deadline:
			t.Fatalf("the caller never joined:\n%s", ph.Output())
		}
	}
}

// From the binary's wiring, a meeting with a passcode: the admin makes its
// phone PIN through the API (shown once), a baresip phone types the phone
// ID and that PIN and joins.
func TestDialinPINEndToEnd(t *testing.T) {
	dialintest.NeedTool(t, "baresip")
	const admin = "a-test-admin-token-123"
	cfg := serveConfig{DataDir: t.TempDir(), Demo: true, AdminToken: admin, LogFormat: "text",
		LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true},
		Dialin: dialinConfig{Listen: "127.0.0.1:0", RTPPorts: "41300-41399", Allow: "127.0.0.1", Language: "en", MaxCalls: 4}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	var m meetings.Meeting
	all, _ := a.store.ListMeetings(context.Background(), meetings.Filter{})
	for _, x := range all {
		if x.Room.HasPasscode() && !x.Room.WaitingRoom && !x.Room.LockedUntilChair {
			m = x
		}
	}
	if m.Slug == "" {
		t.Fatal("no demo meeting with a passcode alone")
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/meetings/"+m.Slug+"/phone-pin", nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		PhonePIN string `json:"phone_pin"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(out.PhonePIN) != 8 {
		t.Fatalf("phone PIN reset: %d %+v", resp.StatusCode, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	watcher, err := loadtest.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+uiSignalPath,
		loadtest.Options{Room: m.Slug, Name: "Watcher", Loopback: true, Auth: map[string]string{"passcode": demo.Passcode}})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	ph := dialintest.Start(t, "5550198", make([]int16, 8000*60))
	ph.Dial(t, a.dialin.Port())
	waitUntil(t, "the call to be answered", func() bool { return strings.Contains(ph.Output(), "Call established") })
	ph.Keys(t, meetings.PhoneID(m.ID)+"#"+out.PhonePIN+"#") // typed over the prompts
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev := <-watcher.Events:
			if ev.Type == "participant" && strings.Contains(string(ev.Raw), `"Phone caller 1"`) {
				ph.Do(t, "hangup", "")
				return
			}
		case <-deadline:
			t.Fatalf("the caller never joined:\n%s", ph.Output())
		}
	}
}

// openDemoMeeting is a demo meeting anyone may enter at once.
func openDemoMeeting(t *testing.T, st meetings.Store) meetings.Meeting {
	t.Helper()
	all, err := st.ListMeetings(context.Background(), meetings.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		r := m.Room
		if !r.HasPasscode() && !r.WaitingRoom && !r.LockedUntilChair {
			return m
		}
	}
	t.Fatal("no open demo meeting")
	return meetings.Meeting{}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// With dial-in on, the Meeting Guide feed's conference_phone is the dial-in
// number and the meeting's phone ID, one-tap style; never a PIN.
func TestMeetingGuideShowsDialIn(t *testing.T) {
	cfg := serveConfig{DataDir: t.TempDir(), Demo: true, AdminToken: "a-test-admin-token-123", LogFormat: "text",
		LogLevel: "info", RTC: rtcConfig{LoopbackOnly: true},
		Dialin: dialinConfig{Listen: "127.0.0.1:0", RTPPorts: "41200-41299", Allow: "127.0.0.1", Numbers: "+1 555 0100",
			Language: "en", MaxCalls: 4}}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(a))
	t.Cleanup(func() { srv.Close(); a.close() })
	m := openDemoMeeting(t, a.store)
	code, body := get(t, srv.URL+"/api/meeting-guide.json")
	want := `"conference_phone":"+15550100,,` + meetings.PhoneID(m.ID) + `#"`
	if code != 200 || !strings.Contains(body, want) {
		t.Fatalf("feed: %d, want %s in %.400s", code, want, body)
	}
}

// Only the gateway's own listener names callers by the caller header; on
// the public listener the header is ignored, and a malformed one names no
// one.
func TestGatewayClient(t *testing.T) {
	key := strings.Repeat("ab", 16)
	r := httptest.NewRequest("GET", "/signal", nil)
	r.Header.Set(dialin.CallerHeader, key)
	if _, ok := gatewayClient(r); ok {
		t.Fatal("a public request was taken for the gateway's")
	}
	gw := r.WithContext(context.WithValue(r.Context(), gatewayConn{}, true))
	if c, ok := gatewayClient(gw); !ok || c.Source != "caller:"+key {
		t.Fatalf("gateway request: %+v %v", c, ok)
	}
	gw.Header.Set(dialin.CallerHeader, "not a key")
	if c, ok := gatewayClient(gw); !ok || c.Source != "" {
		t.Fatalf("malformed caller header: %+v", c)
	}
}

// A meeting's phone PIN, chosen or made, is in no feed and no public page:
// iCalendar, CalDAV, Meeting Guide (whose conference_phone carries the
// number and phone ID), the API's public read, the meeting and join pages.
func TestPhonePINNeverInAFeed(t *testing.T) {
	srv := testAppWith(t, func(c *serveConfig) {
		c.Dialin = dialinConfig{Listen: "127.0.0.1:0", RTPPorts: "41400-41499", Allow: "127.0.0.1", Numbers: "+1 555 0100",
			Language: "en", MaxCalls: 4}
	})
	const chosen = "97531864"
	pins := []string{chosen}
	for i, room := range []map[string]any{
		{"passcode": "serenity-now", "phone_pin": chosen},
		{"passcode": "serenity-too"},
	} {
		slug := fmt.Sprint("pin-", i+1)
		body, _ := json.Marshal(map[string]any{
			"slug": slug, "name": "Pin " + slug, "group": "lakeshore-aa", "format": "12-step", "program": "AA",
			"timezone": "UTC", "time": "12:00", "duration": 60, "languages": []string{"en"},
			"recurrence": map[string]any{"freq": "weekly", "weekdays": []int{1}, "start": "2026-01-05"}, "room": room})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/meetings", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+testAdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			PhonePIN string `json:"phone_pin"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || (room["phone_pin"] == nil) != (out.PhonePIN != "") {
			t.Fatalf("create %s: %d, PIN shown %q", slug, resp.StatusCode, out.PhonePIN)
		}
		if out.PhonePIN != "" {
			pins = append(pins, out.PhonePIN)
		}
	}
	if len(pins) != 2 || len(pins[1]) != 8 {
		t.Fatalf("PINs %q", pins)
	}
	for _, path := range []string{"/calendar/all.ics", "/calendar/meeting/pin-1.ics", "/calendar/meeting/pin-2.ics",
		"/dav/public/calendars/all/", "/dav/public/calendars/all/pin-1.ics", "/dav/public/calendars/all/pin-2.ics",
		"/api/meeting-guide.json", "/api/meetings", "/api/meetings/pin-1", "/m/pin-1", "/m/pin-1/join", "/m/pin-2"} {
		code, body := get(t, srv.URL+path)
		if code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
		}
		for _, leak := range append([]string{"argon2", `"phone_pin"`}, pins...) {
			if strings.Contains(body, leak) {
				t.Errorf("%s shows %q", path, leak)
			}
		}
	}
	if _, guide := get(t, srv.URL+"/api/meeting-guide.json"); !strings.Contains(guide, "+15550100,,") {
		t.Error("the Meeting Guide feed lost its conference_phone")
	}
}
