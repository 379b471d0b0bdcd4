package sfu_test

import (
	"testing"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestReadingLive: over real signaling, the group's readings reach the
// room through RoomSettings; a member who is not the reader cannot show or
// move one (not-reader); the chair's reading reaches the member with its
// text; the named reader moves it and everyone follows; a late joiner gets
// the reading, the position and the reader; Secure takes the role away.
func TestReadingLive(t *testing.T) {
	readings := []sfu.Reading{{ID: "7", Title: "Preamble", Paragraphs: []string{"One.", "Two.", "Three."}}}
	cs := startControlled(t, sfu.RoomSettings{Readings: readings}, control.Limits{})
	chair := cs.signal(t, bid("c"))
	mustJoined(t, chair.join("t", "Chair", map[string]any{"hostKey": rightHostKey}))
	chair.subscribe()
	member := cs.signal(t, bid("m"))
	memberID := mustJoined(t, member.join("t", "Member", nil))
	member.subscribe()

	member.send(map[string]any{"type": "show-reading", "reading": "7"})
	expectCode(t, member.next(isType("error")), control.CodeNotReader)
	chair.send(map[string]any{"type": "show-reading", "reading": "8"})
	expectCode(t, chair.next(isType("error")), control.CodeInvalid)

	chair.send(map[string]any{"type": "show-reading", "reading": "7"})
	ev := member.next(isEvent("reading"))
	r, _ := ev["reading"].(map[string]any)
	if r == nil || r["title"] != "Preamble" || len(r["paragraphs"].([]any)) != 3 || r["paragraph"] != float64(0) {
		t.Fatalf("reading event %v", ev)
	}
	member.send(map[string]any{"type": "move-reading", "paragraph": 2})
	expectCode(t, member.next(isType("error")), control.CodeNotReader)

	chair.send(map[string]any{"type": "set-reader", "target": memberID})
	if ev := member.next(isEvent("reader")); ev["subject"] != memberID {
		t.Fatalf("reader event %v", ev)
	}
	member.send(map[string]any{"type": "move-reading", "paragraph": 2})
	ev = chair.next(isEvent("reading-moved"))
	if r, _ := ev["reading"].(map[string]any); r == nil || r["paragraph"] != float64(2) || r["id"] != "7" || r["paragraphs"] != nil {
		t.Fatalf("move event %v", ev)
	}

	late := cs.signal(t, bid("l"))
	mustJoined(t, late.join("t", "Late", nil))
	late.send(map[string]any{"type": "control-state"})
	st := late.next(isEvent("state"))
	if r, _ := st["reading"].(map[string]any); r == nil || r["paragraph"] != float64(2) || len(r["paragraphs"].([]any)) != 3 ||
		st["reader"] != memberID || len(st["readings"].([]any)) != 1 {
		t.Fatalf("late joiner's state: reading %v reader %v readings %v", st["reading"], st["reader"], st["readings"])
	}

	chair.send(map[string]any{"type": "secure"})
	if ev := member.next(isEvent("reader")); ev["subject"] != nil {
		t.Fatalf("Secure's reader event %v", ev)
	}
	member.send(map[string]any{"type": "move-reading", "paragraph": 1})
	expectCode(t, member.next(isType("error")), control.CodeNotReader)
	chair.send(map[string]any{"type": "close-reading"})
	if ev := member.next(isEvent("reading")); ev["reading"] != nil {
		t.Fatalf("close event %v", ev)
	}
}
