package control

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestRoomChatLimit: thirty members each within their own limit cannot
// flood the room together; chairs are not held back by them.
func TestRoomChatLimit(t *testing.T) {
	r, clk := newTestRoom(t, Settings{})
	join(t, r, "c", GrantHostKey)
	sent, limited := 0, 0
	for i := range 30 {
		id := fmt.Sprint("m", i)
		join(t, r, id, GrantNone)
		_, err := r.Handle(ParticipantID(id), SendChat{Text: "spam"})
		switch {
		case err == nil:
			sent++
		case errors.Is(err, CodeRateLimited):
			limited++
		default:
			t.Fatal(err)
		}
	}
	if sent != 20 || limited != 10 {
		t.Fatalf("sent %d, limited %d; want 20, 10", sent, limited)
	}
	mustHandle(t, r, "c", SendChat{Text: "please stop"})
	clk.Advance(200 * time.Millisecond)
	mustHandle(t, r, "m29", SendChat{Text: "one more after the refill"})
}

// delivered resolves the events of a chat post to the ids that receive the
// message, sorted, each once.
func delivered(t *testing.T, r *Room, evs []Event) []ParticipantID {
	t.Helper()
	var ids []ParticipantID
	for _, ev := range evs {
		if ev.Kind != KindChat {
			t.Fatalf("unexpected %+v", ev)
		}
		for _, id := range r.Recipients(ev.To) {
			if slices.Contains(ids, id) {
				t.Fatalf("%s gets the message twice: %+v", id, evs)
			}
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestChatModes: in every chat mode, who may post what to whom, and who
// receives it. Chair "c", co-chair "co", members "m" and "t".
func TestChatModes(t *testing.T) {
	all := []ParticipantID{"c", "co", "m", "t"}
	chairsAnd := func(ids ...ParticipantID) []ParticipantID {
		return slices.Sorted(slices.Values(append([]ParticipantID{"c", "co"}, ids...)))
	}
	tests := []struct {
		mode ChatMode
		from string
		cmd  SendChat
		want []ParticipantID // nil with err set: refused
		err  Code
	}{
		{ChatEveryone, "m", SendChat{Text: "hi"}, all, ""},
		{ChatEveryone, "m", SendChat{Text: "hi", ToChairs: true}, chairsAnd("m"), ""},
		{ChatEveryone, "m", SendChat{Text: "hi", To: "t"}, nil, CodePrivateChat},
		{ChatEveryone, "m", SendChat{Text: "hi", To: "c"}, nil, CodePrivateChat},
		{ChatEveryone, "c", SendChat{Text: "hi", To: "m"}, chairsAnd("m"), ""},
		{ChatChairs, "m", SendChat{Text: "sent as everyone"}, chairsAnd("m"), ""},
		{ChatChairs, "m", SendChat{Text: "hi", ToChairs: true}, chairsAnd("m"), ""},
		{ChatChairs, "m", SendChat{Text: "hi", To: "t"}, nil, CodePrivateChat},
		{ChatChairs, "c", SendChat{Text: "welcome all"}, all, ""},
		{ChatChairs, "co", SendChat{Text: "welcome all"}, all, ""},
		{ChatChairs, "c", SendChat{Text: "answer", To: "m"}, chairsAnd("m"), ""},
		{ChatChairs, "co", SendChat{Text: "answer", To: "t"}, chairsAnd("t"), ""},
		{ChatChairs, "co", SendChat{Text: "chairs only", ToChairs: true}, chairsAnd(), ""},
		{ChatChairs, "c", SendChat{Text: "hi", To: "nobody"}, nil, CodeUnknownParticipant},
		{ChatChairs, "c", SendChat{Text: "hi", To: "c"}, nil, CodeInvalid},
		{ChatOff, "m", SendChat{Text: "hi"}, nil, CodeChatOff},
		{ChatOff, "m", SendChat{Text: "hi", ToChairs: true}, nil, CodeChatOff},
		{ChatOff, "c", SendChat{Text: "chairs still talk"}, all, ""},
		{ChatOff, "c", SendChat{Text: "answer", To: "t"}, chairsAnd("t"), ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.mode, tc.from, tc.cmd.Text), func(t *testing.T) {
			r, _ := fixture(t)
			mustHandle(t, r, "c", SetChat{Mode: tc.mode})
			before := snapshot(r)
			evs, err := r.Handle(ParticipantID(tc.from), tc.cmd)
			if tc.err != "" {
				if !errors.Is(err, tc.err) || snapshot(r) != before {
					t.Fatalf("got %v, want %s and no change", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := delivered(t, r, evs); !slices.Equal(got, tc.want) {
				t.Fatalf("delivered to %v, want %v", got, tc.want)
			}
			// A page that (re)loads is sent the same: the history is
			// filtered per participant.
			for _, id := range all {
				sees := len(r.ChatHistoryFor(id)) == 1
				if sees != slices.Contains(tc.want, id) {
					t.Errorf("history of %s has the message: %v", id, sees)
				}
			}
		})
	}
}

// TestChatModeSwitch: the mode comes from the room settings, a chair
// changes it, every member hears the new mode, and a bad mode is refused.
func TestChatModeSwitch(t *testing.T) {
	r, _ := newTestRoom(t, Settings{ChatMode: ChatChairs})
	join(t, r, "c", GrantHostKey)
	join(t, r, "m", GrantNone)
	if got := r.Switches().ChatMode; got != ChatChairs {
		t.Fatalf("mode at start %s", got)
	}
	evs := mustHandle(t, r, "c", SetChat{Mode: ChatOff})
	i := slices.IndexFunc(evs, func(e Event) bool { return e.Kind == KindControl && e.Control == ControlChat })
	if i < 0 || evs[i].Mode != ChatOff || evs[i].Value || evs[i].To != toEveryone() || perms(t, r, "m").Chat {
		t.Fatalf("set chat off: %+v", evs)
	}
	if _, err := r.Handle("c", SetChat{Mode: "members"}); !errors.Is(err, CodeInvalid) {
		t.Fatalf("bad mode: %v", err)
	}
	if _, err := r.Handle("m", SetChat{Mode: ChatEveryone}); !errors.Is(err, CodeNotChair) {
		t.Fatalf("member sets chat: %v", err)
	}
	if _, err := NewRoom(Config{Clock: newClock(), Settings: Settings{ChatMode: "members"}}); err == nil {
		t.Fatal("room with a bad chat mode")
	}
}

// TestUndoSecure: Secure limits chat to the chairs (never opening a chat
// that was off) and UndoSecure restores every switch as it was; members
// stay muted until they unmute themselves.
func TestUndoSecure(t *testing.T) {
	for _, mode := range []ChatMode{ChatEveryone, ChatChairs, ChatOff} {
		t.Run(string(mode), func(t *testing.T) {
			r, _ := fixture(t)
			mustHandle(t, r, "c", SetChat{Mode: mode})
			mustHandle(t, r, "c", SetWaitingRoom{On: true})
			before := r.Switches()
			if _, err := r.Handle("co", UndoSecure{}); !errors.Is(err, CodeNotSecured) {
				t.Fatalf("undo without secure: %v", err)
			}
			mustHandle(t, r, "co", Secure{})
			wantMode := map[ChatMode]ChatMode{ChatEveryone: ChatChairs, ChatChairs: ChatChairs, ChatOff: ChatOff}[mode]
			if got := r.Switches().ChatMode; got != wantMode {
				t.Fatalf("chat after secure %s, want %s", got, wantMode)
			}
			mustHandle(t, r, "co", Secure{}) // twice: undo still restores the first state
			if _, err := r.Handle("m", UndoSecure{}); !errors.Is(err, CodeNotChair) {
				t.Fatalf("member undoes secure: %v", err)
			}
			evs := mustHandle(t, r, "co", UndoSecure{})
			if got := r.Switches(); got != before {
				t.Fatalf("after undo %+v, want %+v", got, before)
			}
			if !slices.ContainsFunc(evs, func(e Event) bool { return e.Control == ControlChat && e.Mode == mode }) {
				t.Fatalf("undo does not announce the chat mode: %+v", evs)
			}
			if p := perms(t, r, "m"); p.Audio || !p.SelfUnmute {
				t.Fatalf("member after undo %+v", p)
			}
		})
	}
}
