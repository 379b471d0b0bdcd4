package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestJoinCarriesTURNOverTLS runs the app with the TURN-over-TLS flags and
// joins a room over the real signaling: the joined reply hands the browser
// TURN over UDP, TCP and TLS URLs on the public URL's host (the name a
// certificate covers) with a short-lived credential.
func TestJoinCarriesTURNOverTLS(t *testing.T) {
	certPath, keyPath := writeSelfSigned(t, t.TempDir(), 1)
	srv := testAppWith(t, func(c *serveConfig) {
		c.PublicURL = "https://meet.example.org"
		c.RTC.TURN, c.RTC.TURNPort, c.RTC.TURNTLSPort = true, 0, 0
		c.RTC.TURNTLSCert, c.RTC.TURNTLSKey = certPath, keyPath
	})
	createRoom(t, srv, "turn-room", map[string]any{"max_participants": 10})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+uiSignalPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	b, _ := json.Marshal(map[string]any{"type": "join", "room": "turn-room", "name": "Sam"})
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
	var joined struct {
		Type       string `json:"type"`
		ICEServers []struct {
			URLs       []string `json:"urls"`
			Username   string   `json:"username"`
			Credential string   `json:"credential"`
		} `json:"iceServers"`
	}
	for joined.Type != "joined" {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("no joined reply: %v", err)
		}
		if err := json.Unmarshal(b, &joined); err != nil {
			t.Fatal(err)
		}
	}
	if len(joined.ICEServers) != 1 || joined.ICEServers[0].Username == "" || joined.ICEServers[0].Credential == "" {
		t.Fatalf("iceServers = %+v", joined.ICEServers)
	}
	var kinds []string
	for _, u := range joined.ICEServers[0].URLs {
		scheme, rest, _ := strings.Cut(u, ":")
		if !strings.HasPrefix(rest, "meet.example.org:") {
			t.Errorf("%s: want the public URL's host", u)
		}
		_, transport, _ := strings.Cut(rest, "?transport=")
		kinds = append(kinds, scheme+"/"+transport)
	}
	if strings.Join(kinds, " ") != "turn/udp turn/tcp turns/tcp" {
		t.Errorf("TURN URLs %v, want turn over UDP and TCP and turns over TCP", joined.ICEServers[0].URLs)
	}
}
