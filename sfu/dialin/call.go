package dialin

import (
	"context"
	"errors"
	"fmt"
	"time"
)

const (
	maxTries  = 3  // wrong meeting IDs or PINs before goodbye
	maxDigits = 16 // longer entries are wrong
	// keyWait is how long the IVR waits for the first key after a
	// prompt, and between keys.
	keyWait = 20 * time.Second
)

// errTimeout: the caller typed nothing.
var errTimeout = errors.New("dialin: no keys")

// call is one caller's way through the prompts and into a room. Its
// fields are owned by the call's goroutine (onInvite).
type call struct {
	g    *Gateway
	id   uint64
	m    *media
	key  string // salted hash of the calling number
	lang string
}

// run serves the call until the caller hangs up or is let go.
func (c *call) run(ctx context.Context) {
	mt, ok := c.askMeeting(ctx)
	if !ok {
		c.goodbye(ctx)
		return
	}
	if mt.Language != "" && knownLanguage(mt.Language) && !c.switched() {
		c.lang = mt.Language
	}
	for range maxTries {
		pin := ""
		if mt.HasPIN {
			var err error
			if pin, err = c.ask(ctx, "pin", false); err != nil && !errors.Is(err, errTimeout) {
				return
			}
		}
		mem, seat, err := c.join(ctx, mt, pin)
		var r *refusal
		switch {
		case err == nil:
			c.inRoom(ctx, mem)
			mem.leave()
			c.g.unseat(mt.Room, seat)
			c.goodbye(ctx)
			return
		case ctx.Err() != nil:
			return
		case errors.As(err, &r) && mt.HasPIN && (r.code == "bad-passcode" || r.code == "rate-limited"):
			c.g.observe(c.id, "refused", r.code)
			c.say(ctx, "wrong-pin")
		case errors.As(err, &r):
			c.g.observe(c.id, "refused", r.code)
			c.say(ctx, "refused")
			c.goodbye(ctx)
			return
		default:
			c.g.log.Warn("dial-in could not join the room", "err", err)
			c.say(ctx, "refused")
			c.goodbye(ctx)
			return
		}
	}
	c.goodbye(ctx)
}

// switched reports whether the caller chose a language with '*'.
func (c *call) switched() bool { return c.lang != c.g.cfg.Language }

// askMeeting asks for the meeting ID until one is found or the tries run
// out.
func (c *call) askMeeting(ctx context.Context) (Meeting, bool) {
	for range maxTries {
		id, err := c.ask(ctx, "welcome", true)
		if ctx.Err() != nil {
			return Meeting{}, false
		}
		if err == nil && id != "" {
			mt, err := c.g.cfg.Directory.Lookup(ctx, id)
			if err == nil {
				return mt, true
			}
			if !errors.Is(err, ErrUnknownMeeting) {
				c.g.log.Warn("dial-in meeting lookup", "err", err)
				return Meeting{}, false
			}
		}
		c.say(ctx, "wrong-id")
	}
	return Meeting{}, false
}

// ask plays a prompt and collects keys up to '#'. With languages, '*'
// as the first key switches the prompts' language and asks again.
func (c *call) ask(ctx context.Context, name string, languages bool) (string, error) {
	for {
		played := c.announce(ctx, name)
		digits, err := c.collect(ctx, played)
		if languages && digits == "*" {
			c.lang = nextLanguage(c.lang)
			c.say(ctx, "language")
			continue
		}
		return digits, err
	}
}

// collect reads keys until '#' (or a lone '*' when that is a command).
// The first key cuts the prompt short.
func (c *call) collect(ctx context.Context, played <-chan struct{}) (string, error) {
	var digits []byte
	select { // the wait for a first key starts when the prompt ends
	case <-played:
	case k := <-c.m.keys:
		c.m.stopPrompt()
		if k == '#' || k == '*' {
			return string(k), nil
		}
		digits = append(digits, k)
	case <-ctx.Done():
		return "", ctx.Err()
	}
	timer := time.NewTimer(keyWait)
	defer timer.Stop()
	for {
		select {
		case k := <-c.m.keys:
			c.m.stopPrompt()
			if k == '#' {
				return validEntry(digits)
			}
			if len(digits) == 0 && k == '*' {
				return "*", nil
			}
			digits = append(digits, k)
			timer.Reset(keyWait)
		case <-timer.C:
			return "", errTimeout
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// validEntry accepts 1..maxDigits digits.
func validEntry(d []byte) (string, error) {
	if len(d) == 0 || len(d) > maxDigits {
		return "", fmt.Errorf("dialin: entry of %d keys", len(d))
	}
	for _, k := range d {
		if k < '0' || k > '9' {
			return "", fmt.Errorf("dialin: entry with %q", k)
		}
	}
	return string(d), nil
}

// announce starts a prompt; the channel closes when it ends or is cut
// short.
func (c *call) announce(ctx context.Context, name string) <-chan struct{} {
	played := c.m.play(prompt(c.lang, name))
	go func() {
		select {
		case <-played:
			c.g.observe(c.id, "prompt-done", name)
		case <-ctx.Done():
		}
	}()
	return played
}

// say plays a prompt to the end.
func (c *call) say(ctx context.Context, name string) {
	select {
	case <-c.m.play(prompt(c.lang, name)):
		c.g.observe(c.id, "prompt-done", name)
	case <-ctx.Done():
	}
}

func (c *call) goodbye(ctx context.Context) { c.say(ctx, "goodbye") }

// join takes a seat in the room under the next free caller name.
func (c *call) join(ctx context.Context, mt Meeting, pin string) (*member, int, error) {
	seat := c.g.seat(mt.Room)
	req := joinRequest{room: mt.Room, name: fmt.Sprintf("Phone caller %d", seat), pin: pin,
		identity: c.key, cookie: c.g.cookie(c.key), onWaiting: func() { c.announce(ctx, "waiting") }}
	mem, err := joinRoom(ctx, c.g.api, c.g.cfg.SignalURL, req)
	if err != nil {
		c.g.unseat(mt.Room, seat)
		return nil, 0, err
	}
	return mem, seat, nil
}

// inRoom connects the caller's audio to the room and serves the keypad
// commands (*6 mute, *9 hand) until the call or the seat ends.
func (c *call) inRoom(ctx context.Context, mem *member) {
	c.m.connect(mem, mem.mix)
	defer c.m.connect(nil, nil)
	c.g.observe(c.id, "joined", mem.id)
	c.announce(ctx, "joined")
	star, hand, muted := false, false, false
	for {
		select {
		case <-ctx.Done():
			return
		case <-mem.ended:
			c.g.observe(c.id, "left", mem.reason)
			return
		case n := <-mem.notices:
			muted = n == "muted" || (muted && n == "not-allowed")
			c.announce(ctx, n)
		case k := <-c.m.keys:
			switch {
			case k == '*':
				star = true
				continue
			case star && k == '6':
				_ = mem.selfMute(!muted)
			case star && k == '9':
				hand = !hand
				_ = mem.hand(hand)
				c.announce(ctx, map[bool]string{true: "hand-up", false: "hand-down"}[hand])
			}
			star = false
		}
	}
}
