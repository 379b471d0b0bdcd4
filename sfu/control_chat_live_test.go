package sfu_test

import (
	"testing"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestChatModesLive: over real signaling, in a room that starts in
// chairs-only chat, a member's message sent as to everyone reaches the
// chairs and its sender but no other member; a chair answers one member
// privately; a member may not write to one person; the chair opens the chat
// to everyone and every page hears the mode.
func TestChatModesLive(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{ChatMode: "chairs"}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("r", "Chair", map[string]any{"adminToken": adminToken}))
	chair.subscribe()
	a, b := cs.signal(t, bid("a")), cs.signal(t, bid("b"))
	annID := mustJoined(t, a.join("r", "Ann", nil))
	bobID := mustJoined(t, b.join("r", "Bob", nil))
	if st := b.subscribe(); st["switches"].(map[string]any)["chatMode"] != "chairs" {
		t.Fatalf("state %v", st)
	}
	a.subscribe()

	chatText := func(c *sigClient) map[string]any {
		t.Helper()
		m := c.next(isEvent("chat"))
		ch, _ := m["chat"].(map[string]any)
		if ch == nil {
			t.Fatalf("no chat in %v", m)
		}
		return ch
	}
	a.send(map[string]any{"type": "chat", "text": "question for the chair"})
	for _, c := range []*sigClient{chair, a} {
		if ch := chatText(c); ch["text"] != "question for the chair" || ch["toChairs"] != true {
			t.Fatalf("chairs-only message arrived as %v", ch)
		}
	}
	chair.send(map[string]any{"type": "chat", "text": "private answer", "target": annID})
	if ch := chatText(a); ch["text"] != "private answer" || ch["to"] != annID {
		t.Fatalf("answer arrived as %v", ch)
	}
	a.send(map[string]any{"type": "chat", "text": "psst", "target": bobID})
	expectCode(t, a.next(isType("error")), control.CodePrivateChat)

	// Bob's next chat is the chair's public one: nothing before it reached him.
	chair.send(map[string]any{"type": "chat", "text": "welcome all"})
	if ch := chatText(b); ch["text"] != "welcome all" {
		t.Fatalf("member Bob received %v", ch)
	}
	if st := b.subscribe(); len(st["chat"].([]any)) != 1 {
		t.Fatalf("Bob's history has private messages: %v", st["chat"])
	}

	b.send(map[string]any{"type": "set-chat", "mode": "everyone"})
	expectCode(t, b.next(isType("error")), control.CodeNotChair)
	chair.send(map[string]any{"type": "set-chat", "mode": "everyone"})
	ev := b.next(func(m map[string]any) bool { return isEvent("control")(m) && m["control"] == "chat" })
	if ev["mode"] != "everyone" || ev["value"] != true {
		t.Fatalf("mode announcement %v", ev)
	}
	a.send(map[string]any{"type": "chat", "text": "hello everyone"})
	if ch := chatText(b); ch["text"] != "hello everyone" || ch["toChairs"] != nil {
		t.Fatalf("public message arrived as %v", ch)
	}
	chair.send(map[string]any{"type": "set-chat", "mode": "members"})
	expectCode(t, chair.next(isType("error")), control.CodeInvalid)
}
