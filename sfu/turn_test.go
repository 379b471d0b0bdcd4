package sfu_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/pion/turn/v4"
)

// TestEmbeddedTURN checks that joined carries a short-lived credential and
// that the embedded server allocates a relay with it, and refuses a forged one.
func TestEmbeddedTURN(t *testing.T) {
	secret := "0123456789abcdef-test-secret"
	ts := startServer(t, sfu.Config{TURN: sfu.TURNConfig{Enabled: true, Secret: secret, TTL: time.Minute}})
	c := ts.raw(t)
	c.send(`{"type":"join","room":"r","name":"t"}`)
	_, m := c.next("joined")
	servers, _ := m["iceServers"].([]any)
	if len(servers) != 1 {
		t.Fatalf("iceServers = %v", m["iceServers"])
	}
	srv := servers[0].(map[string]any)
	url := srv["urls"].([]any)[0].(string)
	user, pass := srv["username"].(string), srv["credential"].(string)
	if !strings.HasPrefix(url, "turn:127.0.0.1:") || !strings.HasSuffix(user, ":"+m["id"].(string)) {
		t.Fatalf("turn server %v", srv)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "turn:"), "?transport=udp")
	if err := allocate(t, addr, user, pass); err != nil {
		t.Fatalf("allocation with the minted credential: %v", err)
	}
	if err := allocate(t, addr, user, "forged"); err == nil {
		t.Fatal("allocation with a forged credential succeeded")
	}
}

func allocate(t *testing.T, addr, user, pass string) error {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cl, err := turn.NewClient(&turn.ClientConfig{STUNServerAddr: addr, TURNServerAddr: addr,
		Conn: conn, Username: user, Password: pass, Realm: "hearth", RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := cl.Allocate()
	if err != nil {
		return err
	}
	return relay.Close()
}

func TestOriginCheck(t *testing.T) {
	s, err := sfu.New(sfu.Config{LoopbackOnly: true, AllowedOrigins: []string{"meet.example.org"}}, loadtest.OpenRooms{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { _ = s.Close(); hs.Close() })
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for origin, ok := range map[string]bool{"https://meet.example.org": true, "https://evil.example": false} {
		ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		if (err == nil) != ok {
			t.Errorf("origin %s: err %v", origin, err)
		}
		if err == nil {
			_ = ws.CloseNow()
		} else if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %s: want 403, got %v", origin, resp)
		}
	}
}
