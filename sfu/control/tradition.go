package control

import (
	"fmt"
	"time"
)

// The 7th Tradition card: a chair shows everyone the group's contribution
// links (and their QR codes) for a few minutes. The room only knows that the
// card is up and until when; the links themselves come from the group's
// record on the meeting page, never from signaling, so that nobody in the
// room can put a link of their own in front of everyone.

// TraditionMax is the longest a chair may show the card for at once.
const TraditionMax = 15 * time.Minute

// ShowTradition shows the 7th-Tradition card to everyone for Duration
// (1 second to TraditionMax). Showing it again restarts the countdown.
type ShowTradition struct{ Duration time.Duration }

// HideTradition takes the card down before its time.
type HideTradition struct{}

func (ShowTradition) Name() string  { return "show-tradition" }
func (HideTradition) Name() string  { return "hide-tradition" }
func (ShowTradition) minRole() Role { return RoleCoChair }
func (HideTradition) minRole() Role { return RoleCoChair }

func (c ShowTradition) apply(r *Room, from *participant) ([]Event, error) {
	if c.Duration < time.Second || c.Duration > TraditionMax {
		return nil, fmt.Errorf("7th-Tradition card for %v outside 1s..%v: %w", c.Duration, TraditionMax, CodeInvalid)
	}
	r.tradition = r.clock.Now().Add(c.Duration)
	return []Event{{To: toEveryone(), Kind: KindTradition, By: from.id, Until: r.tradition}}, nil
}

func (HideTradition) apply(r *Room, from *participant) ([]Event, error) {
	if r.Tradition().IsZero() {
		return nil, fmt.Errorf("hide 7th-Tradition card: %w", CodeNoTradition)
	}
	r.tradition = time.Time{}
	return []Event{{To: toEveryone(), Kind: KindTradition, By: from.id}}, nil
}

// Tradition returns until when the 7th-Tradition card is shown; zero when
// it is not (pages take it down themselves when the time comes).
func (r *Room) Tradition() time.Time {
	if !r.tradition.IsZero() && !r.clock.Now().Before(r.tradition) {
		return time.Time{}
	}
	return r.tradition
}
