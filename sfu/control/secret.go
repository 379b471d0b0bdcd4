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
	// SecretPhonePIN is what a telephone caller types in the passcode's
	// place; it admits as the passcode does and has a limiter of its own.
	SecretPhonePIN
)

// maxSecretClients bounds the limiter's memory: once that many clients have
// tried a secret in one meeting, new clients are refused until the room
// forgets them with its state.
const maxSecretClients = 4096

// Guessing alerts: the chairs hear of a burst of wrong secrets at most once
// per guessAlertEvery, counted over guessWindow.
const (
	guessWindow     = time.Minute
	guessAlertEvery = 30 * time.Second
	maxGuessCount   = 1000 // the count saturates here, so memory stays bounded
)

// secretLimiter paces guesses per client. The first SecretFreeFail wrong
// guesses are free, then each needs an exponentially growing wait, and after
// SecretMaxFail the client is refused for the rest of the meeting. A client
// is a browser that presented its cookie, or else its address (the SFU
// chooses the key), so dropping the cookie does not reset the count.
//
// There is no room-wide pace: one would let a flood of fresh clients take
// every slot and keep the chair out. The cost of guessing is bounded where
// it is spent (the SFU's verify gate, which takes turns by address), and
// the chairs are told when guessing goes on.
type secretLimiter struct {
	limits  Limits
	clients map[secretClient]*secretState
	fails   []time.Time // wrong secrets in the last guessWindow, oldest first
	alerted time.Time   // when the chairs were last told
	// dirty are the clients whose count changed since SecretCounts last
	// ran; carried are the counts of the room's previous node, by keyed
	// hash under salt (secretcarry.go).
	dirty   map[secretClient]struct{}
	carried map[string]secretState
	salt    []byte
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
	return secretLimiter{limits: l, clients: make(map[secretClient]*secretState), dirty: map[secretClient]struct{}{}}
}

// SecretTicket is one admitted attempt: verify the secret, then pass the
// ticket with the result to FinishSecret.
type SecretTicket struct {
	key         secretClient
	participant ParticipantID
	clean       bool
	// limited is the refusal the client's limiter would have given (see
	// BeginLikelySecret); nil when within its limit.
	limited error
}

// Clean reports whether the client had no wrong attempt before this one.
func (t SecretTicket) Clean() bool { return t.clean }

// BeginSecret asks to try a secret for client (a browser id or an address
// key) and, for a host key offered from inside the room, participant
// (empty when the key comes with a join). It counts the attempt as a
// failure until FinishSecret reports success, so an attempt abandoned
// half-way still counts. The error is CodeRateLimited (wait and retry) or
// CodeSecretRefused (no more tries); a refused attempt counts as a guess,
// and the events may tell the chairs that guessing is going on.
func (r *Room) BeginSecret(kind SecretKind, client string, participant ParticipantID) (SecretTicket, []Event, error) {
	t, err := r.beginSecret(kind, client, participant)
	if err == nil {
		err = t.limited
	}
	if err != nil {
		return SecretTicket{}, r.noteGuess(), err
	}
	return t, nil, nil
}

// BeginLikelySecret is BeginSecret for a secret that passed the room's
// fingerprint, which the right secret always does and a wrong guess once
// in 65,536: it is never refused for the client's limit, so that no limit
// keeps the rightful holder out (a first-time browser sharing its address,
// and so its count, with a guessing flood). It still counts. If the
// secret turns out wrong, FinishSecret returns the refusal the limiter
// would have given, so a client past its limit is told the same whether
// or not its guess passed the fingerprint.
func (r *Room) BeginLikelySecret(kind SecretKind, client string, participant ParticipantID) (SecretTicket, error) {
	return r.beginSecret(kind, client, participant)
}

func (r *Room) beginSecret(kind SecretKind, client string, participant ParticipantID) (SecretTicket, error) {
	if client == "" {
		return SecretTicket{}, fmt.Errorf("secret attempt without a client: %w", CodeInvalid)
	}
	now := r.clock.Now()
	s := &r.secrets
	key := secretClient{kind: kind, client: client}
	t := SecretTicket{key: key, participant: participant}
	st := s.clients[key]
	if st == nil {
		if len(s.clients) >= maxSecretClients {
			// Not remembered (memory stays bounded); a likely secret is still tried.
			t.limited = fmt.Errorf("too many clients tried a secret: %w", CodeRateLimited)
			return t, nil
		}
		st = s.takeCarried(key)
		if st.fails > 0 {
			s.clients[key] = st // refused or not, it counts on from here
		}
	}
	if t.limited = s.check(st, now); t.limited != nil {
		return t, nil // not counted here: BeginSecret refuses it, a likely one counts in FinishSecret
	}
	s.clients[key] = st
	t.clean = st.fails == 0
	st.fails++
	st.last = now
	s.dirty[key] = struct{}{}
	return t, nil
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
	return nil
}

// FinishSecret records the verification result of an attempt. A wrong secret
// returns CodeBadHostKey or CodeBadPasscode (log it without the secret), and
// may return an event that tells the chairs guessing is going on. A right
// host key for a participant already in the room makes them chair, under
// the key's service role (zero for none), and admits them if they were
// waiting.
func (r *Room) FinishSecret(t SecretTicket, ok bool, service ServiceRole) ([]Event, error) {
	s := &r.secrets
	if !ok {
		evs := r.noteGuess()
		if t.limited != nil {
			return evs, t.limited
		}
		if t.key.kind == SecretPasscode || t.key.kind == SecretPhonePIN {
			return evs, CodeBadPasscode
		}
		return evs, CodeBadHostKey
	}
	if st := s.clients[t.key]; st != nil && t.limited == nil {
		// A right secret forgives the client's count, but not one it was
		// past: that count may be an address's that a flood shares.
		st.fails = 0
		s.dirty[t.key] = struct{}{}
	}
	if t.key.kind != SecretHostKey || t.participant == "" {
		return nil, nil
	}
	p := r.people[t.participant]
	if p == nil {
		return nil, fmt.Errorf("claim chair %s: %w", t.participant, CodeUnknownParticipant)
	}
	return r.makeChair(p, service), nil
}

// noteGuess counts a wrong or refused secret and, past GuessAlert in a minute, tells
// the chairs (at most every guessAlertEvery), so that they can lock the
// room or turn on the waiting room while it goes on.
func (r *Room) noteGuess() []Event {
	s := &r.secrets
	now := r.clock.Now()
	s.prune(now)
	s.fails = append(s.fails, now)
	if len(s.fails) > maxGuessCount { // the count saturates; memory stays bounded
		s.fails = s.fails[len(s.fails)-maxGuessCount:]
	}
	if len(s.fails) < s.limits.GuessAlert || now.Sub(s.alerted) < guessAlertEvery {
		return nil
	}
	s.alerted = now
	return []Event{{To: toChairs(), Kind: KindGuessing, Count: len(s.fails)}}
}

// Guesses is how many wrong or refused secrets were tried in the last minute (at
// most maxGuessCount). Chairs see it in
// their state, so that one who arrives during guessing learns of it.
func (r *Room) Guesses() int {
	r.secrets.prune(r.clock.Now())
	return len(r.secrets.fails)
}

func (s *secretLimiter) prune(now time.Time) {
	cut := 0
	for cut < len(s.fails) && now.Sub(s.fails[cut]) > guessWindow {
		cut++
	}
	s.fails = s.fails[cut:]
}

// makeChair promotes p to chair under a service role (zero for none),
// admitting it if it waited.
func (r *Room) makeChair(p *participant, service ServiceRole) []Event {
	wasWaiting := p.waiting != waitNone
	p.role, p.service = RoleChair, service.sanitized()
	if wasWaiting {
		p.waiting = waitNone
		evs := r.admitEvents(p)
		evs = append(evs, r.waitingListEvent())
		return append(evs, r.chairArrived()...)
	}
	evs := []Event{
		r.permsEvent(p),
		{To: toEveryone(), Kind: KindRole, Subject: p.id, Role: p.role, Label: p.service.Label},
	}
	return append(evs, r.chairArrived()...)
}
