package sfu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestJoinBurstRosters: people joining at the same moment each end up with
// the same view of the room (the joined reply's list, then participant
// events): everyone, nobody twice, nobody missing.
func TestJoinBurstRosters(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{MaxParticipants: 100}, control.Limits{})
	const rounds, burst = 4, 12
	for round := range rounds {
		room := fmt.Sprint("burst", round)
		clients := make([]*sigClient, burst)
		for i := range clients {
			clients[i] = cs.signal(t, bid(fmt.Sprintf("%d%02d", round, i)))
		}
		views := make([]roster, burst)
		errs := make(chan error, burst)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				v, err := watchRoster(c.ws, room, fmt.Sprint("p", i), burst)
				views[i] = v
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		everyone := map[string]bool{}
		for _, v := range views {
			everyone[v.self] = true
		}
		for i, v := range views {
			want := maps.Clone(everyone)
			delete(want, v.self)
			if !maps.Equal(v.others, want) {
				t.Errorf("round %d: p%d sees %d others %v, want %d", round, i, len(v.others),
					slices.Sorted(maps.Keys(v.others)), len(want))
			}
		}
	}
}

// roster is one client's view of the room: its own id and who else is in.
type roster struct {
	self   string
	others map[string]bool
	seen   []string // message types, for the failure report
}

// watchRoster joins and follows the participant list until it holds want
// people (itself included) and stays so for a moment, or times out; it
// reports a participant listed or announced twice.
func watchRoster(ws *websocket.Conn, room, name string, want int) (roster, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"type": "join", "room": room, "name": name})
	if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
		return roster{}, err
	}
	msgs := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			// One read for the socket's whole life: coder/websocket closes
			// the connection when a read's context ends.
			_, b, err := ws.Read(context.Background())
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	v := roster{others: map[string]bool{}}
	var settle <-chan time.Time
	for {
		select {
		case b := <-msgs:
			if err := v.apply(b); err != nil {
				return v, fmt.Errorf("%s: %w", name, err)
			}
			if v.self != "" && len(v.others) == want-1 {
				settle = time.After(300 * time.Millisecond)
			}
		case err := <-readErr:
			return v, fmt.Errorf("%s: read: %w", name, err)
		case <-settle:
			return v, nil
		case <-ctx.Done():
			return v, fmt.Errorf("%s: timed out (id %q) with %d others after %v", name, v.self, len(v.others), v.seen)
		}
	}
}

func (v *roster) apply(b []byte) error {
	var m struct {
		Type         string `json:"type"`
		ID           string `json:"id"`
		Event        string `json:"event"`
		Participants []struct {
			ID string `json:"id"`
		} `json:"participants"`
		Who struct {
			ID string `json:"id"`
		} `json:"participant"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	v.seen = append(v.seen, m.Type+"/"+m.Event)
	switch {
	case m.Type == "error":
		return fmt.Errorf("refused: %s", b)
	case m.Type == "joined":
		if v.self != "" {
			return fmt.Errorf("joined twice")
		}
		v.self = m.ID
		for _, p := range m.Participants {
			if v.others[p.ID] {
				return fmt.Errorf("listed twice: %s", p.ID)
			}
			v.others[p.ID] = true
		}
	case m.Type == "participant" && m.Event == "joined":
		if v.self == "" {
			return fmt.Errorf("participant event before joined")
		}
		if v.others[m.Who.ID] {
			return fmt.Errorf("announced twice: %s", m.Who.ID)
		}
		v.others[m.Who.ID] = true
	case m.Type == "participant" && m.Event == "left":
		delete(v.others, m.Who.ID)
	}
	return nil
}
