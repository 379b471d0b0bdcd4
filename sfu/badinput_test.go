package sfu_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
)

// rawClient speaks the protocol by hand, to send what a browser never would.
type rawClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func (ts *testServer) raw(t *testing.T) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, ts.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = ws.CloseNow() })
	return &rawClient{t: t, ws: ws}
}

func (c *rawClient) send(s string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, []byte(s))
}

// next returns the next message of one of the types, skipping others; or
// type "closed" with the close code.
func (c *rawClient) next(types ...string) (string, map[string]any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := c.ws.Read(ctx)
		if err != nil {
			return "closed", map[string]any{"code": float64(websocket.CloseStatus(err))}
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("server sent non-JSON: %q", b)
		}
		typ, _ := m["type"].(string)
		for _, want := range types {
			if typ == want {
				return typ, m
			}
		}
	}
}

func (c *rawClient) expectError(code string) {
	c.t.Helper()
	typ, m := c.next("error")
	if typ != "error" || m["code"] != code {
		c.t.Fatalf("want error %s, got %s %v", code, typ, m)
	}
}

func (c *rawClient) expectClose(code websocket.StatusCode) {
	c.t.Helper()
	typ, m := c.next()
	if typ != "closed" || m["code"] != float64(code) {
		c.t.Fatalf("want close %d, got %s %v", code, typ, m)
	}
}

func TestBadInput(t *testing.T) {
	ts := startServer(t, sfu.Config{MaxMessageBytes: 4096, MessagesPerSecond: 20, MessageBurst: 30})
	a := ts.dial(t, "r", "a", true, true)
	b := ts.dial(t, "r", "b", true, true)
	waitFor(t, 15*time.Second, "media", func() bool { return received(b, a.ID, true, 10) })

	join := `{"type":"join","room":"r","name":"x"}`
	t.Run("first message not join", func(t *testing.T) {
		c := ts.raw(t)
		c.send(`{"type":"answer","sdp":"v=0"}`)
		c.expectError("out-of-order")
		c.expectClose(sfu.CloseRefused)
	})
	t.Run("bad names and rooms", func(t *testing.T) {
		for _, m := range []string{`{"type":"join","room":"r","name":"   "}`,
			`{"type":"join","room":"r","name":"a\u0007"}`, `{"type":"join","room":"","name":"a"}`} {
			c := ts.raw(t)
			c.send(m)
			c.expectError("bad-name")
		}
		c := ts.raw(t)
		c.send(`{"type":"join","room":"missing-1","name":"a"}`)
		c.expectError("no-room")
	})
	t.Run("garbage after join", func(t *testing.T) {
		c := ts.raw(t)
		c.send(join)
		c.next("offer")
		c.send(`{not json`)
		c.expectError("bad-message")
		c.send(`{"type":"answer","sdp":42}`)
		c.expectError("bad-message")
		c.send(`{"type":"no-such-thing"}`)
		c.expectError("unknown-type")
		c.send(`{"type":"answer","sdp":"this is not SDP"}`)
		c.expectError("bad-sdp")
		c.send(`{"type":"answer","sdp":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"}`)
		c.expectError("bad-sdp")
		c.send(`{"type":"candidate","candidate":{"candidate":"candidate:garbage","sdpMid":"0"}}`)
		c.expectError("bad-message")
		c.send(join)
		c.expectError("out-of-order")
		c.send(`{"type":"leave"}`)
		c.expectClose(sfu.CloseNormal)
	})
	t.Run("huge message", func(t *testing.T) {
		c := ts.raw(t)
		c.send(join)
		c.next("joined")
		c.send(`{"type":"mute","pad":"` + strings.Repeat("x", 8000) + `"}`)
		c.expectClose(websocket.StatusMessageTooBig)
	})
	t.Run("flood", func(t *testing.T) {
		c := ts.raw(t)
		c.send(join)
		c.next("joined")
		for range 200 {
			c.send(`{"type":"mute","audio":true,"video":true}`)
		}
		c.expectClose(websocket.StatusPolicyViolation)
	})
	// The room and its members carried on.
	before, _ := b.Recv.Stream(a.ID, true)
	waitFor(t, 10*time.Second, "media after the abuse", func() bool { return received(b, a.ID, true, before.Packets+30) })
	waitFor(t, 10*time.Second, "abusers gone", func() bool { return len(ts.srv.Room("r").Peers()) == 2 })
	for _, s := range b.Recv.Streams() {
		checkIntact(t, "b", s)
	}
}
