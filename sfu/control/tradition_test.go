package control

import (
	"errors"
	"testing"
	"time"
)

// TestTradition: who may show and take down the 7th-Tradition card, with
// what duration, and what everyone is told. A refusal changes nothing.
func TestTradition(t *testing.T) {
	tests := []struct {
		name  string
		from  string
		shown bool // the card is up before the command
		cmd   Command
		err   Code // "" for accepted
		until time.Duration
	}{
		{"chair shows", "c", false, ShowTradition{Duration: 3 * time.Minute}, "", 3 * time.Minute},
		{"co-chair shows", "co", false, ShowTradition{Duration: time.Minute}, "", time.Minute},
		{"chair shows again restarts", "c", true, ShowTradition{Duration: 10 * time.Minute}, "", 10 * time.Minute},
		{"longest", "c", false, ShowTradition{Duration: TraditionMax}, "", TraditionMax},
		{"member shows", "m", false, ShowTradition{Duration: time.Minute}, CodeNotChair, 0},
		{"member shows over a shown card", "m", true, ShowTradition{Duration: 15 * time.Minute}, CodeNotChair, 0},
		{"zero duration", "c", false, ShowTradition{}, CodeInvalid, 0},
		{"negative duration", "c", false, ShowTradition{Duration: -time.Minute}, CodeInvalid, 0},
		{"too long", "c", false, ShowTradition{Duration: TraditionMax + time.Second}, CodeInvalid, 0},
		{"chair hides", "c", true, HideTradition{}, "", 0},
		{"co-chair hides", "co", true, HideTradition{}, "", 0},
		{"member hides", "m", true, HideTradition{}, CodeNotChair, 0},
		{"hide when none", "c", false, HideTradition{}, CodeNoTradition, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, clk := fixture(t)
			if tt.shown {
				mustHandle(t, r, "c", ShowTradition{Duration: 5 * time.Minute})
			}
			before, beforeCard := snapshot(r), r.Tradition()
			evs, err := r.Handle(ParticipantID(tt.from), tt.cmd)
			if tt.err != "" {
				if !errors.Is(err, tt.err) || evs != nil {
					t.Fatalf("got %v, %v; want %s", evs, err, tt.err)
				}
				if snapshot(r) != before || !r.Tradition().Equal(beforeCard) {
					t.Fatal("refused command changed state")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want time.Time
			if tt.until > 0 {
				want = clk.Now().Add(tt.until)
			}
			if len(evs) != 1 || evs[0].Kind != KindTradition || evs[0].To != toEveryone() ||
				evs[0].By != ParticipantID(tt.from) || !evs[0].Until.Equal(want) {
				t.Fatalf("events %+v, want one tradition event to everyone until %v", evs, want)
			}
			if !r.Tradition().Equal(want) {
				t.Fatalf("card until %v, want %v", r.Tradition(), want)
			}
		})
	}
}

// TestTraditionExpires: once its time is up the card is no longer in the
// state that late joiners are sent, and hiding it is refused.
func TestTraditionExpires(t *testing.T) {
	r, clk := fixture(t)
	mustHandle(t, r, "c", ShowTradition{Duration: 2 * time.Minute})
	clk.Advance(2*time.Minute - time.Second)
	if r.Tradition().IsZero() {
		t.Fatal("card down early")
	}
	clk.Advance(time.Second)
	if !r.Tradition().IsZero() {
		t.Fatalf("card still up at its end: %v", r.Tradition())
	}
	if _, err := r.Handle("c", HideTradition{}); !errors.Is(err, CodeNoTradition) {
		t.Fatalf("hide after expiry: %v", err)
	}
}
