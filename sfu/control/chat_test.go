package control

import (
	"errors"
	"fmt"
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
