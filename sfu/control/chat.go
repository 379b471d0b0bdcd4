package control

import (
	"fmt"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// bucket is a token bucket refilled one token per interval, used to pace
// one participant's chat.
type bucket struct {
	tokens int
	last   time.Time
}

func newBucket(burst int, now time.Time) bucket { return bucket{tokens: burst, last: now} }

// take spends a token if one is available at now.
func (b *bucket) take(now time.Time, burst int, every time.Duration) bool {
	b.refill(now, burst, every)
	if b.tokens == 0 {
		return false
	}
	b.spend(now, burst)
	return true
}

// refill adds the tokens earned since the last refill.
func (b *bucket) refill(now time.Time, burst int, every time.Duration) {
	if every > 0 && now.After(b.last) {
		n := int(now.Sub(b.last) / every)
		if n > 0 {
			b.tokens = min(burst, b.tokens+n)
			b.last = b.last.Add(time.Duration(n) * every)
		}
	}
}

// spend uses a token; the caller checked there is one.
func (b *bucket) spend(now time.Time, burst int) {
	if b.tokens == burst {
		b.last = now // a full bucket does not bank idle time
	}
	b.tokens--
}

// chatLog is the meeting's chat, in memory only, oldest first, bounded.
type chatLog struct {
	max    int
	nextID uint64
	msgs   []ChatMessage
}

func (l *chatLog) add(m ChatMessage) ChatMessage {
	l.nextID++
	m.ID = l.nextID
	if len(l.msgs) == l.max {
		l.msgs = slices.Delete(l.msgs, 0, 1)
	}
	l.msgs = append(l.msgs, m)
	return m
}

func (l *chatLog) delete(id uint64) bool {
	i := slices.IndexFunc(l.msgs, func(m ChatMessage) bool { return m.ID == id })
	if i < 0 {
		return false
	}
	l.msgs = slices.Delete(l.msgs, i, i+1)
	return true
}

// deleteFrom removes every message of one sender and returns their ids.
func (l *chatLog) deleteFrom(from ParticipantID) []uint64 {
	var ids []uint64
	l.msgs = slices.DeleteFunc(l.msgs, func(m ChatMessage) bool {
		if m.From == from {
			ids = append(ids, m.ID)
			return true
		}
		return false
	})
	return ids
}

// ChatHistory returns all the chat kept, oldest first.
func (r *Room) ChatHistory() []ChatMessage { return slices.Clone(r.chat.msgs) }

// ChatHistoryFor returns the chat kept that one participant may see, oldest
// first: what a late joiner or a reconnecting page is sent. A member sees
// the public messages and its own private ones; chairs see all.
func (r *Room) ChatHistoryFor(id ParticipantID) []ChatMessage {
	p := r.people[id]
	if p == nil || p.waiting != waitNone {
		return nil
	}
	var out []ChatMessage
	for _, m := range r.chat.msgs {
		if m.visibleTo(p) {
			out = append(out, m)
		}
	}
	return out
}

// chatEvents delivers a posted message to exactly those who may see it,
// each once.
func (r *Room) chatEvents(m ChatMessage) []Event {
	ev := Event{To: toEveryone(), Kind: KindChat, Subject: m.From, Chat: m}
	if !m.ToChairs {
		return []Event{ev}
	}
	ev.To = toChairs()
	evs := []Event{ev}
	for _, id := range []ParticipantID{m.From, m.To} {
		if p := r.people[id]; p != nil && p.role < RoleCoChair {
			one := ev
			one.To = toOne(id)
			evs = append(evs, one)
		}
	}
	return evs
}

// validChat accepts non-blank UTF-8 up to max bytes without control
// characters other than newline and tab.
func validChat(text string, max int) error {
	if len(text) == 0 || len(text) > max {
		return fmt.Errorf("chat must have 1 to %d bytes: %w", max, CodeInvalid)
	}
	if !utf8.ValidString(text) {
		return fmt.Errorf("chat is not UTF-8: %w", CodeInvalid)
	}
	visible := false
	for _, c := range text {
		if unicode.IsControl(c) && c != '\n' && c != '\t' {
			return fmt.Errorf("chat has a control character: %w", CodeInvalid)
		}
		visible = visible || !unicode.IsSpace(c)
	}
	if !visible {
		return fmt.Errorf("chat is blank: %w", CodeInvalid)
	}
	return nil
}
