package sfu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

// TestChairNeverCountsAgainstCapacity: with the waiting room on, a crowd
// parked in it (raiders, say) fills the meeting's capacity; the chair with
// the host key still gets in, and capacity is counted once, by the room
// controller: admitted members only.
func TestChairNeverCountsAgainstCapacity(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{WaitingRoom: true, MaxParticipants: 3}, control.Limits{})
	for i := range 5 {
		w := cs.signal(t, bid(fmt.Sprint("w", i)))
		if m := w.join("cap", fmt.Sprint("waiting", i), nil); m["event"] != "waiting" {
			t.Fatalf("member %d: want waiting, got %v", i, m)
		}
	}
	chair := cs.signal(t, bid("chair"))
	mustJoined(t, chair.join("cap", "Chair", map[string]any{"hostKey": rightHostKey}))
	if st := chair.subscribe(); st["role"] != "chair" || waitingLen(st) != 5 {
		t.Fatalf("chair state %v", st)
	}
	co := cs.signal(t, bid("chair2"))
	mustJoined(t, co.join("cap", "Second chair", map[string]any{"adminToken": adminToken}))
}

// TestEveryRoomIsControlled: the only way to build a media server takes the
// schedule side whole, so a passcode room can never be served open.
func TestEveryRoomIsControlled(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{PasscodeRequired: true}, control.Limits{})
	m := cs.signal(t, bid("m"))
	expectCode(t, m.join("locked-room", "Member", nil), control.CodeBadPasscode)
	m2 := cs.signal(t, bid("m2"))
	mustJoined(t, m2.join("locked-room", "Member", map[string]any{"passcode": "let me in"}))
	if _, err := sfu.New(sfu.Config{LoopbackOnly: true}, nil, nil); err == nil {
		t.Fatal("a server without its rooms' controls was built")
	}
}

// countingChairs counts verifications and notes how many had started when
// the right host key and the right passcode were verified. It keeps no
// fingerprints: its secrets stand for ones stored before them.
type countingChairs struct {
	fakeChairs
	calls                     atomic.Int64
	hostAt, passcodeAt, pinAt atomic.Int64
	lucky                     atomic.Int64 // verifications of wrong guesses that passed the fingerprint
}

func (c *countingChairs) count(secret string) int64 {
	if strings.HasPrefix(secret, luckyGuess) {
		c.lucky.Add(1)
	}
	return c.calls.Add(1)
}

func (c *countingChairs) VerifyHostKey(ctx context.Context, room, key string) (sfu.ChairKey, bool, error) {
	n := c.count(key)
	if key == rightHostKey {
		c.hostAt.Store(n)
	}
	return c.fakeChairs.VerifyHostKey(ctx, room, key)
}

func (c *countingChairs) VerifyPhonePIN(ctx context.Context, room, pin string) (bool, error) {
	n := c.count(pin)
	if pin == rightPhonePIN {
		c.pinAt.Store(n)
	}
	return c.fakeChairs.VerifyPhonePIN(ctx, room, pin)
}

func (c *countingChairs) VerifyPasscode(ctx context.Context, room, code string) (bool, error) {
	n := c.count(code)
	if code == "let me in" {
		c.passcodeAt.Store(n)
	}
	return c.fakeChairs.VerifyPasscode(ctx, room, code)
}

// luckyGuess starts the wrong guesses that pass the fingerprint, as one
// in 65,536 does.
const luckyGuess = "lucky"

// screeningChairs are countingChairs whose secrets have fingerprints
// (sfu.SecretScreener, as cmd's from meetings.ScreenSecret): the right
// secrets, the admin token and the lucky guesses pass; every other guess
// is turned away without a verification.
type screeningChairs struct{ *countingChairs }

func (c screeningChairs) ScreenSecret(_ context.Context, _ string, kind control.SecretKind, secret string) (sfu.SecretScreen, error) {
	right := map[control.SecretKind]string{control.SecretHostKey: rightHostKey, control.SecretPasscode: "let me in",
		control.SecretPhonePIN: rightPhonePIN}[kind]
	if secret == right || strings.HasPrefix(secret, luckyGuess) || kind == control.SecretHostKey && secret == adminToken {
		return sfu.ScreenMaybe, nil
	}
	return sfu.ScreenWrong, nil
}

// guessFlood is a lockout attack: loops that each open a fresh signaling
// socket about 25 times a second and join with a wrong host key or
// passcode. Without cookies they present none; with fresh cookies every
// attempt presents a browser id never seen before, made up (freshCookie)
// or issued by the server's page just before (pageCookie: whatever the
// page gives out to the attacker's address). from spreads the loops over
// client addresses ("" is the connection's own). Every 8th guess of a loop
// is a lucky one (luckyGuess), the same each time: where secrets have
// fingerprints it is verified once and then remembered as wrong.
//
// firstVisit: the chair and the member load the page for the first time
// during the flood even when the flood takes every cookie their address is
// issued (pageCookie), so they come without one. preCollected: before each
// of them arrives, the attacker spends that many cookies the page issued
// at their address an hour before, all at once.
type guessFlood struct {
	loops        int
	freshCookie  bool
	pageCookie   bool
	firstVisit   bool
	preCollected int
	from         []string
	attempts     atomic.Int64
	issued       atomic.Int64 // cookies the page gave the flood
	answered     sync.Map     // error code -> *atomic.Int64
}

func (f *guessFlood) run(ctx context.Context, t *testing.T, url, room string) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range f.loops {
		wg.Go(func() {
			tick := time.NewTicker(40 * time.Millisecond)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				guess := fmt.Sprint("guess-", i, "-", n)
				if n%8 == 7 {
					guess = luckyGuess
				}
				auth := guessAuth(n%3, guess, i*1000+n)
				from := ""
				if len(f.from) > 0 {
					from = f.from[i%len(f.from)]
				}
				cookie := ""
				switch {
				case f.freshCookie:
					cookie = bidHex(fmt.Sprintf("%04x%06x", i, n))
				case f.pageCookie:
					if cookie = pageCookie(ctx, url, from); cookie != "" {
						f.issued.Add(1)
					}
				}
				f.attempts.Add(1)
				f.count(attempt(ctx, url, room, cookie, from, auth))
			}
		})
	}
	return &wg
}

// guessAuth is a join's auth guessing the kind's secret (0 host key, 1
// passcode, 2 phone PIN).
func guessAuth(kind int, guess string, pin int) map[string]any {
	switch kind {
	case 1:
		return map[string]any{"passcode": guess}
	case 2:
		if guess != luckyGuess {
			guess = fmt.Sprintf("%08d", pin)
		}
		return map[string]any{"phonePin": guess}
	}
	return map[string]any{"hostKey": guess}
}

// burst spends the cookies collected before (preCollected, issued an hour
// ago at the connection's own address), one guess of the kind each, all at
// once, and returns once they are all sent and waiting for their answers.
func (f *guessFlood) burst(ctx context.Context, url, room string, kind int, tag string) *sync.WaitGroup {
	var wg, sent sync.WaitGroup
	for j := range f.preCollected {
		sent.Add(1)
		wg.Go(func() {
			cookie := sfu.SignBrowserCookie(testCookieKey, bidHex(fmt.Sprintf("%s%04d", tag, j)), time.Now().Add(-time.Hour))
			f.attempts.Add(1)
			f.count(attemptSent(ctx, url, room, cookie, "", guessAuth(kind, fmt.Sprint("collected-", tag, j), j), sent.Done))
		})
	}
	sent.Wait()
	time.Sleep(20 * time.Millisecond) // read and queued by the server
	return &wg
}

func (f *guessFlood) count(code string) {
	v, _ := f.answered.LoadOrStore(code, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func (f *guessFlood) summary() string {
	var parts []string
	f.answered.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%s %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(parts)
	return fmt.Sprint(f.attempts.Load(), " attempts (", f.issued.Load(), " with a cookie the page issued): ", parts)
}

// pageCookie loads the page that gives out browser cookies, as a client at
// from, and returns the cookie it was given ("" if none).
func pageCookie(ctx context.Context, wsURL, from string) string {
	u := "http" + strings.TrimPrefix(wsURL, "ws") + pagePath
	if from != "" {
		u += "?from=" + from
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == sfu.BrowserCookie {
			return ck.Value
		}
	}
	return ""
}

// attempt opens one signaling socket, joins with auth and returns the
// answer's code ("joined", "waiting", an error code, or "failed").
func attempt(ctx context.Context, url, room, cookie, from string, auth map[string]any) string {
	return attemptSent(ctx, url, room, cookie, from, auth, func() {})
}

// attemptSent is attempt, calling sent once the join is written (or failed).
func attemptSent(ctx context.Context, url, room, cookie, from string, auth map[string]any, sent func()) string {
	var once sync.Once
	defer once.Do(sent)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	h := http.Header{}
	if cookie != "" {
		h.Set("Cookie", sfu.BrowserCookie+"="+cookie)
	}
	if from != "" {
		url += "?from=" + from
	}
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return "failed"
	}
	defer ws.CloseNow()
	b, _ := json.Marshal(map[string]any{"type": "join", "room": room, "name": "guesser", "auth": auth})
	if ws.Write(ctx, websocket.MessageText, b) != nil {
		return "failed"
	}
	once.Do(sent)
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			return "failed"
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		switch {
		case m["type"] == "error":
			return fmt.Sprint(m["code"])
		case m["type"] == "joined", m["event"] == "waiting":
			return "joined"
		}
	}
}

// TestRaidDrillLockout: a guessing flood (the audit's four loops at 4x and,
// in the full drill, 16x) runs while the chair and a member arrive, each
// for the first time, so that their secrets must really be verified (here
// each verification takes 80 ms, as argon2id does). Whatever the flood
// does, the chair's host key and the member's passcode get in on the first
// try, with at most a few verifications run ahead of theirs; the chair
// learns that guessing is going on. A waiting-room flood then parks raiders
// up to the room's capacity and the chair still gets in.
//
// Each guessing flood runs against secrets with fingerprints (what Hearth
// stores) and, but for the two it needs them against, against secrets
// stored before fingerprints. With HEARTH_RAID_COMPARE set those two also
// run without fingerprints, to measure (they are then only logged).
func TestRaidDrillLockout(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of signaling sockets a second")
	}
	scale := 4
	if os.Getenv("HEARTH_RAID_FULL") != "" && !raceEnabled {
		scale = 16
	}
	compare := os.Getenv("HEARTH_RAID_COMPARE") != ""
	for _, sc := range []struct {
		name          string
		f             *guessFlood
		needsScreened bool
	}{
		{"cookieless, from the chair's own address", &guessFlood{loops: 4 * scale}, false},
		{"a fresh cookie per attempt, from four other addresses", &guessFlood{loops: 4 * scale, freshCookie: true,
			from: []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}}, false},
		{"fresh cookie, own address", &guessFlood{loops: 4 * scale, freshCookie: true}, false},
		{"cookies the page issued, own address", &guessFlood{loops: 4 * scale, pageCookie: true}, false},
		{"cookies the page issued, own address, the chair's first visit", &guessFlood{loops: 4 * scale, pageCookie: true,
			firstVisit: true}, true},
		{"40 cookies collected before the chair's, own address", &guessFlood{loops: 4 * scale, preCollected: 40}, true},
	} {
		t.Run(sc.name, func(t *testing.T) { lockoutRound(t, sc.f, true, false) })
		if !sc.needsScreened || compare {
			t.Run(sc.name+", stored before fingerprints", func(t *testing.T) {
				lockoutRound(t, sc.f, false, sc.needsScreened)
			})
		}
	}
	t.Run("waiting-room flood", waitingRoomFlood)
	t.Run("waiting-room flood, the chair arriving during it", waitingRoomFloodArriving)
}

// lockoutRound runs an attack three times on a fresh server, the secrets
// with fingerprints (screened) or without; measureOnly logs what the chair,
// member and caller got instead of requiring them in.
func lockoutRound(t *testing.T, attack *guessFlood, screened, measureOnly bool) {
	for round := range 3 {
		f := &guessFlood{loops: attack.loops, freshCookie: attack.freshCookie, pageCookie: attack.pageCookie,
			firstVisit: attack.firstVisit, preCollected: attack.preCollected, from: attack.from}
		counting := &countingChairs{fakeChairs: fakeChairs{set: sfu.RoomSettings{PasscodeRequired: true, SecretsVersion: "v1"},
			cost: 80 * time.Millisecond}}
		var rooms sfu.Rooms = counting
		if screened {
			rooms = screeningChairs{counting}
		}
		cs := startControlledWith(t, rooms, control.Limits{})
		room := fmt.Sprint("lockout", round)
		ctx, stop := context.WithCancel(context.Background())
		wg := f.run(ctx, t, cs.url, room)
		time.Sleep(time.Second) // the flood is on

		// The chair and the member load the page during the flood, their
		// first visit, so their cookies are younger than the flood's. When
		// the flood itself collects cookies from the page at their address,
		// it takes every one the address is issued: they then come without
		// one (firstVisit) or with theirs from an earlier visit.
		chairCookie, memberCookie := bid("chair"), bid("member")
		if !f.pageCookie || f.firstVisit {
			chairCookie, memberCookie = pageCookie(ctx, cs.url, ""), pageCookie(ctx, cs.url, "")
		}
		var chairState map[string]any
		arrive := func(kind int, cookie, name string, auth map[string]any, at *atomic.Int64) (string, time.Duration, int64) {
			if f.preCollected > 0 {
				defer f.burst(ctx, cs.url, room, kind, name).Wait()
			}
			before := counting.calls.Load()
			start := time.Now()
			c := cs.signal(t, cookie)
			m := c.join(room, name, auth)
			took, ahead := time.Since(start), at.Load()-before-1
			got := fmt.Sprint(m["code"])
			if m["type"] == "joined" {
				got = "joined"
			} else if !measureOnly {
				t.Errorf("round %d: %s: want joined, got %v", round, name, m)
			}
			if name == "Chair" && got == "joined" {
				chairState = c.subscribe()
			}
			return got, took, ahead
		}
		chairGot, chairTook, chairAhead := arrive(0, chairCookie, "Chair", map[string]any{"hostKey": rightHostKey}, &counting.hostAt)
		memberGot, memberTook, memberAhead := arrive(1, memberCookie, "Member", map[string]any{"passcode": "let me in"},
			&counting.passcodeAt)
		// A telephone caller with the PIN, as the dial-in gateway joins:
		// its calling number's hash is its cookie.
		callerGot, callerTook, callerAhead := arrive(2, bid("phone"), "Phone caller 1", map[string]any{"phonePin": rightPhonePIN},
			&counting.pinAt)
		st := chairState

		time.Sleep(500 * time.Millisecond)
		stop()
		wg.Wait()
		t.Logf("round %d (fingerprints %v; chair's cookie %v, member's %v): chair %s after %v (%d verifications ahead), "+
			"member %s after %v (%d ahead), caller %s after %v (%d ahead); %d verifications, %d of lucky guesses; flood: %s",
			round, screened, chairCookie != "", memberCookie != "", chairGot, chairTook, chairAhead, memberGot, memberTook,
			memberAhead, callerGot, callerTook, callerAhead, counting.calls.Load(), counting.lucky.Load(), f.summary())
		if measureOnly {
			continue
		}
		// Turns are by address: at most one verification per flooding
		// address, plus those already running, can go ahead of either.
		if limit := int64(len(f.from) + 1 + 2); chairAhead > limit || memberAhead > limit || callerAhead > limit {
			t.Errorf("round %d: %d, %d and %d verifications ran ahead of the chair, the member and the caller, want at most %d",
				round, chairAhead, memberAhead, callerAhead, limit)
		}
		// With fingerprints, no guess but a lucky one is ever verified, and
		// a lucky one once per kind: the wrong ones never reach argon2id.
		if screened && (counting.calls.Load()-counting.lucky.Load() != 3 || counting.lucky.Load() > 3) {
			t.Errorf("round %d: %d verifications, %d of them lucky guesses; want the 3 right secrets and at most 3 lucky ones",
				round, counting.calls.Load(), counting.lucky.Load())
		}
		if right, other := secretOutcomes(t, cs); right < 3 || other < 8 {
			t.Errorf("round %d: secret attempts counted right %v, others %v", round, right, other)
		}
		if g, _ := st["guesses"].(float64); g < 10 {
			t.Errorf("round %d: the chair's state shows %v guesses, want the flood's", round, st["guesses"])
		}
	}
}

// waitingRoomFlood: raiders fill the waiting room to the room's capacity
// and beyond; the chair arriving then is admitted, sees them waiting, and
// turns them all away at once.
func waitingRoomFlood(t *testing.T) {
	cs := startControlled(t, sfu.RoomSettings{WaitingRoom: true, MaxParticipants: 10}, control.Limits{WaitingMax: 40})
	var wg sync.WaitGroup
	var waiting atomic.Int64
	for i := range 40 {
		wg.Go(func() {
			c := cs.signal(t, bid(fmt.Sprint("raider", i)))
			if m := c.join("flood", fmt.Sprint("raider", i), nil); m["event"] == "waiting" {
				waiting.Add(1)
			}
		})
	}
	wg.Wait()
	late := cs.signal(t, bid("late"))
	expectCode(t, late.join("flood", "One too many", nil), control.CodeFull)
	chair := cs.signal(t, bid("chair"))
	mustJoined(t, chair.join("flood", "Chair", map[string]any{"hostKey": rightHostKey}))
	st := chair.subscribe()
	if int64(waitingLen(st)) != waiting.Load() || waiting.Load() != 40 {
		t.Fatalf("chair sees %d waiting of %d", waitingLen(st), waiting.Load())
	}
	chair.send(map[string]any{"type": "deny-all"})
	if m := chair.next(isEvent("waiting-list")); waitingLen(m) != 0 {
		t.Fatalf("after deny-all: %v", m)
	}
	m := cs.signal(t, bid("member"))
	if r := m.join("flood", "Member", nil); r["event"] != "waiting" {
		t.Fatalf("a member after the flood was turned away: %v", r)
	}
}

// secretOutcomes reads hearth_sfu_secret_attempts_total: the right ones and
// all others.
func secretOutcomes(t *testing.T, cs *controlServer) (right, other float64) {
	t.Helper()
	mfs, err := cs.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "hearth_sfu_secret_attempts_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == "right" {
				right += m.GetCounter().GetValue()
			} else {
				other += m.GetCounter().GetValue()
			}
		}
	}
	return right, other
}

// waitingRoomFloodArriving: raiders keep connecting to a room with the
// waiting room on, twice as many as it holds, and the chair arrives while
// they are still coming (not after they parked). The chair gets in on the
// first try, sees those who got a place waiting, and turns them all away
// at once; a member after that can wait again.
func waitingRoomFloodArriving(t *testing.T) {
	const holds = 40
	cs := startControlled(t, sfu.RoomSettings{WaitingRoom: true, MaxParticipants: 10}, control.Limits{WaitingMax: holds})
	var wg sync.WaitGroup
	var waiting, full, other atomic.Int64
	for i := range 2 * holds {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 15 * time.Millisecond) // about 1.2 s of arrivals
			c := cs.signal(t, bidHex(fmt.Sprint("raider", i)))
			switch m := c.join("arriving", fmt.Sprint("raider", i), nil); {
			case m["event"] == "waiting":
				waiting.Add(1)
			case m["code"] == string(control.CodeFull):
				full.Add(1)
			default:
				other.Add(1)
			}
		})
	}
	time.Sleep(300 * time.Millisecond) // about 20 raiders in, 60 still coming
	start := time.Now()
	chair := cs.signal(t, pageCookie(context.Background(), cs.url, ""))
	mustJoined(t, chair.join("arriving", "Chair", map[string]any{"hostKey": rightHostKey}))
	took := time.Since(start)
	st := chair.subscribe()
	seen := waitingLen(st)
	wg.Wait()
	t.Logf("chair in after %v with %d raiders waiting; raiders: %d waiting, %d full, %d other",
		took, seen, waiting.Load(), full.Load(), other.Load())
	if waiting.Load() != holds || full.Load() != holds || other.Load() != 0 {
		t.Fatalf("raiders: %d waiting, %d refused full, %d other; want %d, %d, 0",
			waiting.Load(), full.Load(), other.Load(), holds, holds)
	}
	chair.send(map[string]any{"type": "deny-all"})
	for {
		m := chair.next(isEvent("waiting-list"))
		if waitingLen(m) == 0 {
			break
		}
	}
	m := cs.signal(t, pageCookie(context.Background(), cs.url, ""))
	if r := m.join("arriving", "Member", nil); r["event"] != "waiting" {
		t.Fatalf("a member after the flood was turned away: %v", r)
	}
}

// TestScreenedGuessesNeverVerified: where secrets have fingerprints, a
// wrong guess is refused without a verification (argon2id in Hearth); a
// wrong guess that passes the fingerprint is verified once, however many
// sockets send it at once and however often it is replayed; and a client
// far past its limit still gets in with the right host key, at once.
func TestScreenedGuessesNeverVerified(t *testing.T) {
	counting := &countingChairs{fakeChairs: fakeChairs{set: sfu.RoomSettings{SecretsVersion: "v1"}, cost: 80 * time.Millisecond}}
	cs := startControlledWith(t, screeningChairs{counting}, control.Limits{})
	ctx := context.Background()
	for i := range 30 {
		if got := attempt(ctx, cs.url, "screened", "", "", map[string]any{"hostKey": fmt.Sprint("guess-", i)}); got != string(control.CodeBadHostKey) &&
			got != string(control.CodeRateLimited) && got != string(control.CodeSecretRefused) {
			t.Fatalf("guess %d: %s", i, got)
		}
	}
	if n := counting.calls.Load(); n != 0 {
		t.Fatalf("%d wrong guesses were verified", n)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if got := attempt(ctx, cs.url, "screened", "", "", map[string]any{"hostKey": luckyGuess}); got == "joined" {
				t.Error("a lucky guess got in")
			}
		})
	}
	wg.Wait()
	attempt(ctx, cs.url, "screened", "", "", map[string]any{"hostKey": luckyGuess})
	if n := counting.lucky.Load(); n != 1 {
		t.Fatalf("a wrong guess that passes the fingerprint was verified %d times, want once", n)
	}
	start := time.Now()
	if got := attempt(ctx, cs.url, "screened", "", "", map[string]any{"hostKey": rightHostKey}); got != "joined" {
		t.Fatalf("the right host key from the address past its limit: %s", got)
	}
	t.Logf("the right host key got in after %v from an address with 41 wrong tries", time.Since(start))
}
