package control

import (
	"fmt"
	"time"
)

// SecretKind names the secret being tried.
type SecretKind int

// Secrets the SFU verifies through its Policy.
const (
	SecretHostKey SecretKind = iota
	SecretPasscode
)

// maxSecretClients bounds the limiter's memory: once that many clients have
// tried a secret in one meeting, new clients are paced like failed ones.
const maxSecretClients = 4096

// secretLimiter paces guesses per client and per room. Per client: the first
// SecretFreeFail wrong guesses are free, then each needs an exponentially
// growing wait, and after SecretMaxFail the client is refused for the rest of
// the meeting. Per room: past RoomFreeFail wrong guesses in total, attempts
// from anyone are spaced RoomInterval apart. The room pace slows a botnet of
// fresh clients without ever locking out a chair who types the right key.
type secretLimiter struct {
	limits    Limits
	clients   map[secretClient]*secretState
	roomFails int
	roomLast  time.Time
}

type secretClient struct {
	kind   SecretKind
	client string
}

type secretState struct {
	fails int
	last  time.Time
}

func newSecretLimiter(l Limits) secretLimiter {
	return secretLimiter{limits: l, clients: make(map[secretClient]*secretState)}
}

// SecretTicket is one admitted attempt: verify the secret, then pass the
// ticket with the result to FinishSecret.
type SecretTicket struct {
	key         secretClient
	participant ParticipantID
}

// BeginSecret asks to try a secret for client (the BrowserID) and, for a
// host key offered from inside the room, participant (empty when the key
// comes with a join). It counts the attempt as a failure until FinishSecret
// reports success, so an attempt abandoned half-way still counts. The error
// is CodeRateLimited (wait and retry) or CodeSecretRefused (no more tries).
func (r *Room) BeginSecret(kind SecretKind, client string, participant ParticipantID) (SecretTicket, error) {
	if client == "" {
		return SecretTicket{}, fmt.Errorf("secret attempt without a client: %w", CodeInvalid)
	}
	now := r.clock.Now()
	s := &r.secrets
	key := secretClient{kind: kind, client: client}
	st := s.clients[key]
	if st == nil {
		if len(s.clients) >= maxSecretClients {
			return SecretTicket{}, fmt.Errorf("too many clients tried a secret: %w", CodeRateLimited)
		}
		st = &secretState{}
	}
	if err := s.check(st, now); err != nil {
		return SecretTicket{}, err
	}
	s.clients[key] = st
	st.fails++
	st.last = now
	s.roomFails++
	s.roomLast = now
	return SecretTicket{key: key, participant: participant}, nil
}

func (s *secretLimiter) check(st *secretState, now time.Time) error {
	l := s.limits
	if st.fails >= l.SecretMaxFail {
		return fmt.Errorf("%d wrong attempts: %w", st.fails, CodeSecretRefused)
	}
	if st.fails >= l.SecretFreeFail {
		wait := l.SecretBackoff << min(st.fails-l.SecretFreeFail, 30)
		if wait > l.SecretMaxWait || wait <= 0 {
			wait = l.SecretMaxWait
		}
		if now.Before(st.last.Add(wait)) {
			return fmt.Errorf("retry after %v: %w", st.last.Add(wait).Sub(now), CodeRateLimited)
		}
	}
	if s.roomFails >= l.RoomFreeFail && now.Before(s.roomLast.Add(l.RoomInterval)) {
		return fmt.Errorf("room is pacing attempts: %w", CodeRateLimited)
	}
	return nil
}

// FinishSecret records the verification result of an attempt. A wrong secret
// returns CodeBadHostKey or CodeBadPasscode (log it without the secret). A
// right host key for a participant already in the room makes them chair and
// admits them if they were waiting.
func (r *Room) FinishSecret(t SecretTicket, ok bool) ([]Event, error) {
	s := &r.secrets
	if !ok {
		if t.key.kind == SecretPasscode {
			return nil, CodeBadPasscode
		}
		return nil, CodeBadHostKey
	}
	if st := s.clients[t.key]; st != nil && st.fails > 0 {
		st.fails = 0
		s.roomFails = max(0, s.roomFails-1)
	}
	if t.key.kind != SecretHostKey || t.participant == "" {
		return nil, nil
	}
	p := r.people[t.participant]
	if p == nil {
		return nil, fmt.Errorf("claim chair %s: %w", t.participant, CodeUnknownParticipant)
	}
	return r.makeChair(p), nil
}

// makeChair promotes p to chair, admitting it if it waited.
func (r *Room) makeChair(p *participant) []Event {
	wasWaiting := p.waiting != waitNone
	p.role = RoleChair
	if wasWaiting {
		p.waiting = waitNone
		evs := r.admitEvents(p)
		evs = append(evs, r.waitingListEvent())
		return append(evs, r.chairArrived()...)
	}
	evs := []Event{
		r.permsEvent(p),
		{To: toEveryone(), Kind: KindRole, Subject: p.id, Role: p.role},
	}
	return append(evs, r.chairArrived()...)
}
