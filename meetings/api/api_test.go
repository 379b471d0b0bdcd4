package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/store"
)

const testToken = "test-admin-token-0123456789"

type harness struct {
	t     *testing.T
	srv   *httptest.Server
	store *store.SQLite
	mu    sync.Mutex // guards now: the server reads it on its own goroutines
	now   time.Time
}

func (h *harness) setNow(t time.Time) {
	h.mu.Lock()
	h.now = t
	h.mu.Unlock()
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "db")}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	admin, err := NewAdmin(ctx, st, testToken, quiet())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: st, now: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)} // a Monday
	s, err := New(Config{Now: h.clock}, st, admin, quiet())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

// do sends a request; token "" sends no Authorization header.
func (h *harness) do(method, path, token string, body any, header ...string) (*http.Response, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func (h *harness) mustStatus(want int, method, path string, body any) []byte {
	h.t.Helper()
	resp, out := h.do(method, path, testToken, body)
	if resp.StatusCode != want {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out
}

func group(slug string) GroupJSON {
	return GroupJSON{Slug: slug, Name: "Group " + slug, Program: "AA", TraditionURL: "https://example.org/7th"}
}

// meeting is a valid Monday/Wednesday 19:00 Los Angeles meeting.
func meeting(slug string) MeetingInput {
	return MeetingInput{Slug: slug, Name: "Meeting " + slug, Group: "g", Format: "12-step", Program: "AA",
		Types: []string{"O"}, Languages: []string{"en"}, Timezone: "America/Los_Angeles", Time: "19:00", Duration: 60,
		Recurrence: RecurrenceJSON{Freq: "weekly", Weekdays: []int{1, 3}, Start: "2026-01-05"},
		Room:       RoomJSON{MaxParticipants: 30}}
}

func (h *harness) seed(ms ...MeetingInput) {
	h.t.Helper()
	h.mustStatus(http.StatusCreated, "POST", "/api/groups", group("g"))
	for _, m := range ms {
		h.mustStatus(http.StatusCreated, "POST", "/api/meetings", m)
	}
}

func TestAdminAuth(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "not-the-admin-token-at-all", http.StatusUnauthorized},
		{"right token", testToken, http.StatusCreated},
	} {
		resp, body := h.do("POST", "/api/groups", tc.token, group("g-"+strings.ReplaceAll(tc.name, " ", "-")))
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.want, body)
		}
		if tc.want == http.StatusUnauthorized && (!strings.Contains(resp.Header.Get("Content-Type"), "problem+json") ||
			!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer")) {
			t.Errorf("%s: content type %q, want problem JSON", tc.name, resp.Header.Get("Content-Type"))
		}
	}
	if gs, _ := h.store.Groups(context.Background()); len(gs) != 1 {
		t.Fatalf("unauthorised writes changed the store: %d groups", len(gs))
	}
}

func TestGeneratedAdminToken(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "db")}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logged bytes.Buffer
	a, err := NewAdmin(ctx, st, "", slog.New(slog.NewJSONHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Token, Use, Level string }
	json.Unmarshal(logged.Bytes(), &rec)
	if rec.Level != "WARN" || rec.Token == "" || !strings.Contains(rec.Use, "Bearer "+rec.Token) {
		t.Fatalf("token not announced once at WARN with usage: %s", logged.String())
	}
	hash, _ := st.Setting(ctx, AdminTokenSetting)
	if strings.Contains(hash, rec.Token) || !a.Verify(rec.Token) || a.Verify("wrong") {
		t.Fatal("stored hash or verification wrong")
	}
	logged.Reset()
	again, err := NewAdmin(ctx, st, "", slog.New(slog.NewJSONHandler(&logged, nil)))
	if err != nil || logged.Len() != 0 || !again.Verify(rec.Token) {
		t.Fatalf("second start: err %v, log %q", err, logged.String())
	}
}

type problemJSON struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location, Message string
	} `json:"errors"`
}

func TestValidationProblems(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("base"))
	bad := func(f func(m *MeetingInput)) MeetingInput { m := meeting("x"); f(&m); return m }
	for _, tc := range []struct {
		body     MeetingInput
		location string
		says     string
	}{
		{bad(func(m *MeetingInput) { m.Slug = "Bad Slug" }), "body.slug", "lowercase"},
		{bad(func(m *MeetingInput) { m.Name = "" }), "body.name", "required"},
		{bad(func(m *MeetingInput) { m.Group = "" }), "body.group", "required"},
		{bad(func(m *MeetingInput) { m.Format = "chat" }), "body.format", `"chat"`},
		{bad(func(m *MeetingInput) { m.Program = "XA" }), "body.program", `"XA"`},
		{bad(func(m *MeetingInput) { m.Types = []string{"XYZ"} }), "body.types", `unknown type code "XYZ"`},
		{bad(func(m *MeetingInput) { m.Languages = []string{"English"} }), "body.languages", "BCP 47"},
		{bad(func(m *MeetingInput) { m.Timezone = "America/New_Yrok" }), "body.timezone", `"America/New_Yrok" is not an IANA timezone`},
		{bad(func(m *MeetingInput) { m.Time = "7pm" }), "body.time", "HH:MM"},
		{bad(func(m *MeetingInput) { m.Duration = 5 }), "body.duration", "between"},
		{bad(func(m *MeetingInput) { m.Recurrence.Until = "2025-01-01" }), "body.recurrence", "before the first date"},
		{bad(func(m *MeetingInput) { m.Recurrence.Start = "soon" }), "body.recurrence.start", "YYYY-MM-DD"},
		{bad(func(m *MeetingInput) { m.Recurrence.Start = "0000-01-03" }), "body.recurrence", "first date 0000-01-03 must be between 2000-01-01 and 2100-12-31"},
		{bad(func(m *MeetingInput) { m.Recurrence.Until = "2999-01-01" }), "body.recurrence", "end date 2999-01-01 must be between"},
		{bad(func(m *MeetingInput) { m.Recurrence.Freq = "daily" }), "body.recurrence", `"daily"`},
		{bad(func(m *MeetingInput) { m.Room.MaxParticipants = 1 }), "body.room.max_participants", "between 2"},
		{bad(func(m *MeetingInput) { m.Room.ChatMode = "members" }), "body.room.chat_mode", "chairs"},
		{bad(func(m *MeetingInput) { p := "12"; m.Room.Passcode = &p }), "body.room.passcode", "4 to 64"},
		{bad(func(m *MeetingInput) { p, n := "serenity", "12ab56"; m.Room.Passcode, m.Room.PhonePIN = &p, &n }), "body.room.phone_pin", "6 to 16 digits"},
		{bad(func(m *MeetingInput) { n := "24681357"; m.Room.PhonePIN = &n }), "body.room.phone_pin", "needs a passcode"},
	} {
		resp, out := h.do("POST", "/api/meetings", testToken, tc.body)
		var p problemJSON
		json.Unmarshal(out, &p)
		found := false
		for _, e := range p.Errors {
			found = found || (e.Location == tc.location && strings.Contains(e.Message, tc.says))
		}
		if resp.StatusCode != http.StatusUnprocessableEntity || !found ||
			!strings.Contains(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: status %d, want 422 naming %q: %s", tc.location, resp.StatusCode, tc.says, out)
		}
	}
	if ms, _ := h.store.ListMeetings(context.Background(), meetings.Filter{}); len(ms) != 1 {
		t.Fatalf("invalid input was stored: %d meetings", len(ms))
	}
}

func TestExceptionAndQueryProblems(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("m"))
	for _, tc := range []struct {
		method, path string
		body         any
		want         int
		says         string
	}{
		{"PUT", "/api/meetings/m/exceptions/2026-03-03", ExceptionInput{Kind: "cancelled", Reason: "x"}, 422, "is not a date on which"},
		{"PUT", "/api/meetings/m/exceptions/2026-03-03", ExceptionInput{Kind: "cancelled", Reason: "x"}, 422, `"location":"path.date"`},
		{"PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "moved", NewDuration: 5}, 422, `"location":"body.new_duration"`},
		{"PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "cancelled"}, 422, "reason is required"},
		{"PUT", "/api/meetings/m/exceptions/2101-03-07", ExceptionInput{Kind: "cancelled", Reason: "x"}, 422, `"location":"path.date"`},
		{"PUT", "/api/meetings/m/exceptions/2101-03-07", ExceptionInput{Kind: "cancelled", Reason: "x"}, 422, "date 2101-03-07 must be between 2000-01-01 and 2100-12-31"},
		{"PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "moved", NewDate: "0000-03-02"}, 422, `"location":"body.new_date"`},
		{"PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "gone", Reason: "x"}, 422, `kind "gone"`},
		{"PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "moved", NewTime: "25:00"}, 422, "HH:MM"},
		{"PUT", "/api/meetings/nope/exceptions/2026-03-02", ExceptionInput{Kind: "note", Reason: "x"}, 404, "nope"},
		{"GET", "/api/occurrences?tz=America/New_Yrok", nil, 422, `"America/New_Yrok" is not an IANA timezone`},
		{"GET", "/api/occurrences?from=2026-03-09T00:00:00Z&to=2026-03-02T00:00:00Z", nil, 422, "ends"},
		{"GET", "/api/meetings?after=6pm", nil, 422, "HH:MM"},
		{"POST", "/api/groups", GroupJSON{Slug: "h", Name: "H", TraditionURL: "ftp://x"}, 422, "http(s)"},
		{"POST", "/api/groups", GroupJSON{Slug: "h", Name: "H", Venmo: "lakeside"}, 422, `"location":"body.venmo"`},
		{"POST", "/api/groups", GroupJSON{Slug: "h", Name: "H", Square: "$123"}, 422, "Cash App cashtag"},
		{"POST", "/api/groups", GroupJSON{Slug: "h", Name: "H", PayPal: "paypal.me/x"}, 422, `"location":"body.paypal"`},
		{"POST", "/api/groups", GroupJSON{Slug: "h", Name: "H", PayPal: strings.Repeat("a", 21)}, 422, "paypal"},
		{"POST", "/api/groups", group("g"), 409, "already exists"},
		{"DELETE", "/api/groups/g", nil, 409, "delete or move them first"},
		{"GET", "/api/meetings/nope", nil, 404, "not found"},
	} {
		resp, out := h.do(tc.method, tc.path, testToken, tc.body)
		if resp.StatusCode != tc.want || !strings.Contains(strings.ReplaceAll(string(out), `\"`, `"`), tc.says) {
			t.Errorf("%s %s: status %d, want %d with %q: %s", tc.method, tc.path, resp.StatusCode, tc.want, tc.says, out)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t)
	h.seed()
	m := meeting("big")
	m.Notes = strings.Repeat("a", 70<<10)
	resp, out := h.do("POST", "/api/meetings", testToken, m)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("70 KiB body: status %d: %.200s", resp.StatusCode, out)
	}
}

func TestETag(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("m"))
	resp, _ := h.do("GET", "/api/meetings/m", "", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" {
		t.Fatalf("first GET: %d, ETag %q", resp.StatusCode, etag)
	}
	resp, body := h.do("GET", "/api/meetings/m", "", nil, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Fatalf("conditional GET: %d %s", resp.StatusCode, body)
	}
	h.mustStatus(200, "PUT", "/api/meetings/m/exceptions/2026-03-02", ExceptionInput{Kind: "note", Reason: "Speaker night"})
	resp, _ = h.do("GET", "/api/meetings/m", "", nil, "If-None-Match", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a change: %d, same ETag %v", resp.StatusCode, resp.Header.Get("ETag") == etag)
	}
}

func TestHostKey(t *testing.T) {
	h := newHarness(t)
	h.mustStatus(201, "POST", "/api/groups", group("g"))
	var created MeetingJSON
	json.Unmarshal(h.mustStatus(201, "POST", "/api/meetings", meeting("m")), &created)
	if created.HostKeyOnce == "" {
		t.Fatal("create did not return the host key")
	}
	var reset HostKeyJSON
	json.Unmarshal(h.mustStatus(200, "POST", "/api/meetings/m/host-key", nil), &reset)
	m, _ := h.store.Meeting(context.Background(), "m")
	if !meetings.VerifySecret(m.Room.HostKeyHash, reset.HostKey) || meetings.VerifySecret(m.Room.HostKeyHash, created.HostKeyOnce) {
		t.Fatal("reset key does not replace the first")
	}
	_, body := h.do("GET", "/api/meetings/m", "", nil)
	if strings.Contains(string(body), "host_key") || strings.Contains(string(body), "argon2") {
		t.Fatalf("public read shows a secret: %s", body)
	}
}

// TestChatModeField: the room's chat mode at the start is written and read
// through the API; a meeting created without one reads "everyone".
func TestChatModeField(t *testing.T) {
	h := newHarness(t)
	m, plain := meeting("m"), meeting("plain")
	m.Room.ChatMode = "chairs"
	h.seed(m, plain)
	for slug, want := range map[string]string{"m": "chairs", "plain": "everyone"} {
		var got MeetingJSON
		json.Unmarshal(h.mustStatus(200, "GET", "/api/meetings/"+slug, nil), &got)
		if got.Room.ChatMode != want {
			t.Fatalf("%s: chat_mode %q, want %q", slug, got.Room.ChatMode, want)
		}
	}
	if s, _ := h.store.Meeting(context.Background(), "m"); s.Room.ChatMode != meetings.ChatChairs {
		t.Fatalf("stored %q", s.Room.ChatMode)
	}
}

// TestTraditionFields: a group's 7th-Tradition link and handles go in and
// come back out through the API.
func TestTraditionFields(t *testing.T) {
	h := newHarness(t)
	g := group("g")
	g.TraditionURL, g.Venmo, g.Square, g.PayPal = "https://example.org/give", "@lakeside-aa", "$LakesideAA", "LakesideAA"
	h.mustStatus(201, "POST", "/api/groups", g)
	var got GroupJSON
	json.Unmarshal(h.mustStatus(200, "GET", "/api/groups/g", nil), &got)
	if got.TraditionURL != g.TraditionURL || got.Venmo != g.Venmo || got.Square != g.Square || got.PayPal != g.PayPal {
		t.Fatalf("got %+v", got)
	}
}

func TestPasscodeNeverServed(t *testing.T) {
	h := newHarness(t)
	m := meeting("m")
	pass := "serenity"
	m.Room.Passcode = &pass
	h.seed(m)
	_, body := h.do("GET", "/api/meetings/m", "", nil)
	var got MeetingJSON
	json.Unmarshal(body, &got)
	if !got.Room.HasPasscode || strings.Contains(string(body), pass) || strings.Contains(string(body), "argon2") {
		t.Fatalf("passcode handling: %s", body)
	}
	// An update without a passcode keeps it; "" removes it.
	m.Room.Passcode = nil
	h.mustStatus(200, "PUT", "/api/meetings/m", m)
	if st, _ := h.store.Meeting(context.Background(), "m"); !st.Room.HasPasscode() {
		t.Fatal("update without passcode removed it")
	}
	empty := ""
	m.Room.Passcode = &empty
	h.mustStatus(200, "PUT", "/api/meetings/m", m)
	if st, _ := h.store.Meeting(context.Background(), "m"); st.Room.HasPasscode() {
		t.Fatal("empty passcode did not remove it")
	}
}

// The phone PIN: made and shown once when a passcode is set, settable,
// reset on its own, gone with the passcode, never served afterwards; bad
// PINs are RFC 9457 problems that change nothing.
func TestPhonePIN(t *testing.T) {
	h := newHarness(t)
	h.mustStatus(201, "POST", "/api/groups", group("g"))
	m := meeting("m")
	pass := "serenity"
	m.Room.Passcode = &pass
	var created MeetingJSON
	json.Unmarshal(h.mustStatus(201, "POST", "/api/meetings", m), &created)
	st, _ := h.store.Meeting(context.Background(), "m")
	if len(created.PhonePINOnce) != 8 || !created.Room.HasPhonePIN || !meetings.VerifySecret(st.Room.PhonePINHash, created.PhonePINOnce) {
		t.Fatalf("create with a passcode: PIN %q, stored %+v", created.PhonePINOnce, st.Room)
	}
	_, body := h.do("GET", "/api/meetings/m", "", nil)
	if strings.Contains(string(body), created.PhonePINOnce) || strings.Contains(string(body), `"phone_pin"`) ||
		!strings.Contains(string(body), `"has_phone_pin":true`) {
		t.Fatalf("public read and the PIN: %s", body)
	}

	// An update that leaves both out keeps the PIN; a chosen PIN replaces it.
	m.Room.Passcode = nil
	var up MeetingJSON
	json.Unmarshal(h.mustStatus(200, "PUT", "/api/meetings/m", m), &up)
	if st2, _ := h.store.Meeting(context.Background(), "m"); up.PhonePINOnce != "" || st2.Room.PhonePINHash != st.Room.PhonePINHash {
		t.Fatalf("plain update: shown %q, PIN changed %v", up.PhonePINOnce, st2.Room.PhonePINHash != st.Room.PhonePINHash)
	}
	chosen := "1357924680"
	m.Room.PhonePIN = &chosen
	json.Unmarshal(h.mustStatus(200, "PUT", "/api/meetings/m", m), &up)
	if st, _ = h.store.Meeting(context.Background(), "m"); up.PhonePINOnce != "" || !meetings.VerifySecret(st.Room.PhonePINHash, chosen) {
		t.Fatalf("chosen PIN: shown %q", up.PhonePINOnce)
	}
	bad := "123"
	m.Room.PhonePIN = &bad
	resp, out := h.do("PUT", "/api/meetings/m", testToken, m)
	if resp.StatusCode != 422 || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") ||
		!strings.Contains(string(out), "body.room.phone_pin") {
		t.Fatalf("bad PIN: %d %s", resp.StatusCode, out)
	}
	if st2, _ := h.store.Meeting(context.Background(), "m"); st2.Room.PhonePINHash != st.Room.PhonePINHash || st2.Sequence != st.Sequence {
		t.Fatal("a refused PIN changed the meeting")
	}

	// A new passcode brings a new PIN.
	m.Room.PhonePIN, pass = nil, "new-passcode"
	m.Room.Passcode = &pass
	json.Unmarshal(h.mustStatus(200, "PUT", "/api/meetings/m", m), &up)
	if st, _ = h.store.Meeting(context.Background(), "m"); up.PhonePINOnce == "" || !meetings.VerifySecret(st.Room.PhonePINHash, up.PhonePINOnce) {
		t.Fatalf("new passcode: shown %q", up.PhonePINOnce)
	}

	var reset PhonePINJSON
	json.Unmarshal(h.mustStatus(200, "POST", "/api/meetings/m/phone-pin", nil), &reset)
	if st, _ = h.store.Meeting(context.Background(), "m"); !meetings.VerifySecret(st.Room.PhonePINHash, reset.PhonePIN) ||
		meetings.VerifySecret(st.Room.PhonePINHash, up.PhonePINOnce) {
		t.Fatalf("reset PIN %q does not replace the last", reset.PhonePIN)
	}

	// Removing the passcode removes the PIN; then a PIN alone is refused.
	empty := ""
	m.Room.Passcode = &empty
	h.mustStatus(200, "PUT", "/api/meetings/m", m)
	if st, _ = h.store.Meeting(context.Background(), "m"); st.Room.PhonePINHash != "" {
		t.Fatal("the PIN outlived the passcode")
	}
	resp, out = h.do("POST", "/api/meetings/m/phone-pin", testToken, nil)
	if resp.StatusCode != 409 || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") ||
		!strings.Contains(string(out), "no passcode") {
		t.Fatalf("PIN reset without a passcode: %d %s", resp.StatusCode, out)
	}
	m.Room.Passcode, m.Room.PhonePIN = nil, &chosen
	if resp, out = h.do("PUT", "/api/meetings/m", testToken, m); resp.StatusCode != 422 || !strings.Contains(string(out), "needs a passcode") {
		t.Fatalf("PIN without a passcode: %d %s", resp.StatusCode, out)
	}
}
