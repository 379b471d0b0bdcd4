package sfu_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/prometheus/client_golang/prometheus"
)

const (
	rightHostKey = "correct horse battery staple"
	adminToken   = "admin-token-for-tests"
)

// fakeChairs plays the meetings side: fixed settings, one host key, one
// admin token. cost stands for argon2id: each verification takes that long.
type fakeChairs struct {
	set  sfu.RoomSettings
	cost time.Duration
}

func (f fakeChairs) Room(_ context.Context, id string) (sfu.RoomSettings, error) {
	if strings.HasPrefix(id, "missing") {
		return sfu.RoomSettings{}, sfu.ErrNoRoom
	}
	set := f.set
	if set.MaxParticipants == 0 {
		set.MaxParticipants = 200
	}
	return set, nil
}

func (f fakeChairs) VerifyPasscode(_ context.Context, _, passcode string) (bool, error) {
	time.Sleep(f.cost)
	return passcode == "let me in", nil
}

// rightPhonePIN is every fake room's phone PIN.
const rightPhonePIN = "24681357"

func (f fakeChairs) VerifyPhonePIN(_ context.Context, _, pin string) (bool, error) {
	time.Sleep(f.cost)
	return pin == rightPhonePIN, nil
}

// secretaryKey is every fake room's "Secretary" service role key.
const secretaryKey = "secretary-role-key"

func (f fakeChairs) VerifyHostKey(_ context.Context, _, key string) (sfu.ChairKey, bool, error) {
	time.Sleep(f.cost)
	if key == secretaryKey {
		return sfu.ChairKey{Role: "Secretary"}, true, nil
	}
	return sfu.ChairKey{}, key == rightHostKey, nil
}

func (fakeChairs) IsAdminToken(_ context.Context, token string) bool { return token == adminToken }

type controlServer struct {
	url string
	srv *sfu.Server
	reg *prometheus.Registry
}

// startControlled runs a Server with room control on loopback. A client
// may name its browser cookie in the query (?bid=...), standing in for the
// cookie jar that loadtest clients lack.
func startControlled(t *testing.T, set sfu.RoomSettings, limits control.Limits) *controlServer {
	t.Helper()
	return startControlledWith(t, fakeChairs{set: set}, limits)
}

// startControlledWith runs a Server on loopback with the given schedule
// side. A request names its source address in the query (?from=127.0.0.x)
// when the test wants clients at several addresses.
func startControlledWith(t *testing.T, rooms sfu.Rooms, limits control.Limits) *controlServer {
	t.Helper()
	return startControlledConfig(t, rooms, sfu.ControlConfig{Limits: limits})
}

// startControlledConfig is startControlledWith with the whole control
// configuration.
func startControlledConfig(t *testing.T, rooms sfu.Rooms, cc sfu.ControlConfig) *controlServer {
	t.Helper()
	level := slog.LevelWarn + 1
	if os.Getenv("SFU_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	reg := prometheus.NewRegistry()
	s, err := sfu.New(sfu.Config{LoopbackOnly: true, MessagesPerSecond: 200, MessageBurst: 400, Registerer: reg,
		Control: cc, ClientOf: clientFromQuery, CookieKey: testCookieKey}, rooms, log)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pagePath { // stands for the meeting and join pages
			s.EnsureBrowserCookie(w, r)
			return
		}
		if bid := r.URL.Query().Get("bid"); bid != "" {
			r.AddCookie(&http.Cookie{Name: sfu.BrowserCookie, Value: bid})
		}
		s.ServeHTTP(w, r)
	}))
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			hs.Close()
		})
	})
	return &controlServer{url: "ws" + strings.TrimPrefix(hs.URL, "http"), srv: s, reg: reg}
}

// pagePath on a controlled test server gives out browser cookies as the
// meeting and join pages do (sfu.Server.EnsureBrowserCookie).
const pagePath = "/page"

// clientFromQuery takes the client address from ?from= when a test gives
// one (several loopback clients standing for several addresses), else from
// the connection.
func clientFromQuery(r *http.Request) sfu.Client {
	if a, err := netip.ParseAddr(r.URL.Query().Get("from")); err == nil {
		return sfu.Client{Addr: a}
	}
	return sfu.DirectClient(r)
}

// testCookieKey signs the browser cookies of the controlled test servers.
var testCookieKey = []byte("hearth sfu tests' browser cookies")

// bid is the cookie of a browser that loaded a page a day ago: a browser id
// (32 hex digits) made from a short tag, signed with testCookieKey.
func bid(tag string) string {
	return sfu.SignBrowserCookie(testCookieKey, bidHex(tag), time.Now().Add(-24*time.Hour))
}

// bidHex makes a well-formed browser id (32 hex digits) from a short tag.
func bidHex(tag string) string {
	const hex = "0123456789abcdef"
	b := []byte(strings.Repeat("0", 32))
	for i := 0; i < len(tag) && i < 32; i++ {
		b[31-i] = hex[tag[len(tag)-1-i]%16]
	}
	return string(b)
}

// dialMedia joins with a Pion client from the browser with id browser.
func (cs *controlServer) dialMedia(t *testing.T, room, name, browser string, audio, video bool) *loadtest.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := loadtest.Dial(ctx, cs.url+"?bid="+browser, loadtest.Options{Room: room, Name: name,
		Audio: audio, Video: video, Loopback: true, PacketInterval: drillInterval()})
	if err != nil {
		t.Fatalf("dial %s: %v", name, err)
	}
	t.Cleanup(c.Close)
	return c
}

// drillInterval paces synthetic media at one packet (or video frame) per
// 60 ms, 100 ms under the race detector: 41 clients on the shared 2-core
// machine at full rates starve ICE of CPU.
func drillInterval() time.Duration {
	if raceEnabled {
		return 100 * time.Millisecond
	}
	return 60 * time.Millisecond
}

// sigClient is a signaling-only client with a browser cookie.
type sigClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func (cs *controlServer) signal(t *testing.T, browser string) *sigClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	if browser != "" {
		h.Set("Cookie", sfu.BrowserCookie+"="+browser)
	}
	ws, _, err := websocket.Dial(ctx, cs.url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &sigClient{t: t, ws: ws}
}

func (c *sigClient) send(m map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("send %v: %v", m["type"], err)
	}
}

// next returns the next message for which match holds, or a message of
// type "closed".
func (c *sigClient) next(match func(m map[string]any) bool) map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		_, b, err := c.ws.Read(ctx)
		if err != nil {
			return map[string]any{"type": "closed", "code": float64(websocket.CloseStatus(err))}
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("non-JSON from server: %q", b)
		}
		if m["type"] == "closed" || match(m) {
			return m
		}
	}
}

func isType(types ...string) func(map[string]any) bool {
	return func(m map[string]any) bool {
		for _, t := range types {
			if m["type"] == t {
				return true
			}
		}
		return false
	}
}

func isEvent(event string) func(map[string]any) bool {
	return func(m map[string]any) bool { return m["type"] == "control" && m["event"] == event }
}

// join sends a join and returns the first joined, error or waiting reply.
func (c *sigClient) join(room, name string, auth map[string]any) map[string]any {
	c.t.Helper()
	msg := map[string]any{"type": "join", "room": room, "name": name}
	if auth != nil {
		msg["auth"] = auth
	}
	c.send(msg)
	return c.next(func(m map[string]any) bool {
		return m["type"] == "joined" || m["type"] == "error" || (m["type"] == "control" && m["event"] == "waiting")
	})
}

// controlEvents decodes the control events a loadtest client received so
// far, without blocking.
func controlEvents(c *loadtest.Client) []map[string]any {
	var out []map[string]any
	for {
		select {
		case m := <-c.Events:
			var v map[string]any
			if json.Unmarshal(m.Raw, &v) == nil {
				out = append(out, v)
			}
		default:
			return out
		}
	}
}
