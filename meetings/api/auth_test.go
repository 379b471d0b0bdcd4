package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/store"
)

// countingVerifier wraps a verification and records how many ran and the
// most that ran at once.
type countingVerifier struct {
	inner            func(hash, token string) bool
	calls, now, most atomic.Int64
}

func (c *countingVerifier) verify(hash, token string) bool {
	c.calls.Add(1)
	n := c.now.Add(1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			break
		}
	}
	defer c.now.Add(-1)
	return c.inner(hash, token)
}

func openStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{Path: filepath.Join(t.TempDir(), "db")}, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// generatedToken sets up a store with a generated admin token, as on a
// first start, and returns the token.
func generatedToken(t *testing.T, st meetings.Store) string {
	t.Helper()
	var logged strings.Builder
	if _, err := NewAdmin(context.Background(), st, "", slog.New(slog.NewJSONHandler(&logged, nil))); err != nil {
		t.Fatal(err)
	}
	var rec struct{ Token string }
	json.Unmarshal([]byte(logged.String()), &rec)
	if rec.Token == "" {
		t.Fatalf("no token logged: %s", logged.String())
	}
	return rec.Token
}

func serveAdmin(t *testing.T, st meetings.Store, admin *Admin) *harness {
	t.Helper()
	h := &harness{t: t, now: time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)}
	s, err := New(Config{Now: h.clock}, st, admin, quiet())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

// A flood of wrong admin tokens, right after a restart (before the real
// token has been seen), neither keeps the real admin out nor runs more than
// a couple of argon2id checks (issue 10, point 6).
func TestAdminTokenFloodDoesNotStarveTheAdmin(t *testing.T) {
	st := openStore(t)
	token := generatedToken(t, st)
	cv := &countingVerifier{inner: meetings.VerifySecret}
	admin, err := NewAdmin(context.Background(), st, "", quiet(), WithVerifier(cv.verify)) // the restart
	if err != nil {
		t.Fatal(err)
	}
	h := serveAdmin(t, st, admin)
	stop := make(chan struct{})
	var sent, refused atomic.Int64
	started := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, _ := h.do("POST", "/api/groups", fmt.Sprintf("wrong-token-%d-%d-xxxxxxxx", w, i), group("x"))
				if resp.StatusCode != http.StatusUnauthorized {
					refused.Add(1)
				}
				if sent.Add(1) == 200 {
					once.Do(func() { close(started) })
				}
			}
		}()
	}
	<-started
	resp, body := h.do("POST", "/api/groups", token, group("g"))
	during := sent.Load()
	resp2, body2 := h.do("PUT", "/api/groups/g", token, group("g"))
	close(stop)
	wg.Wait()
	if resp.StatusCode != http.StatusCreated || resp2.StatusCode != http.StatusOK {
		t.Fatalf("the real token during the flood: %d %s, then %d %s", resp.StatusCode, body, resp2.StatusCode, body2)
	}
	if sent.Load() <= during {
		t.Fatal("the flood had stopped before the real token was checked")
	}
	if n := refused.Load(); n != 0 {
		t.Errorf("%d wrong tokens got something other than 401", n)
	}
	// The fingerprint turns away all but 1 in 65,536 wrong tokens; the
	// real token ran argon2id once.
	if calls, most := cv.calls.Load(), cv.most.Load(); calls > 3 || most > MaxConcurrentVerifications {
		t.Errorf("%d wrong tokens ran %d argon2id checks, %d at once", sent.Load(), calls, most)
	}
	t.Logf("%d wrong tokens, %d argon2id checks", sent.Load(), cv.calls.Load())
}

// blockingVerifier holds every verification until released.
type blockingVerifier struct {
	countingVerifier
	entered chan struct{}
	release chan struct{}
}

// newBlockingVerifier's verifications answer whether the token is right
// (without argon2id's cost, which only slows the test down).
func newBlockingVerifier(right string) *blockingVerifier {
	b := &blockingVerifier{entered: make(chan struct{}, 100), release: make(chan struct{})}
	b.inner = func(_, token string) bool {
		b.entered <- struct{}{}
		<-b.release
		return token == right
	}
	return b
}

// A database from before the fingerprint (only the argon2id hash stored):
// every token runs argon2id, so the checks are bounded and the queue full
// answers ErrBusy at once; the first success stores the fingerprint, and
// from then on the real token skips the queue entirely.
func TestAdminTokenChecksBounded(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	token, _ := meetings.NewToken()
	hash, _ := meetings.HashSecret(token)
	st.PutSetting(ctx, AdminTokenSetting, hash)
	bv := newBlockingVerifier(token)
	admin, err := NewAdmin(ctx, st, "", quiet(), WithVerifier(bv.verify))
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, MaxConcurrentVerifications+MaxQueuedVerifications)
	for i := range MaxConcurrentVerifications + MaxQueuedVerifications - 1 {
		go func() { results <- admin.Check(fmt.Sprintf("wrong-token-number-%d", i)) }()
	}
	for range MaxConcurrentVerifications {
		<-bv.entered // both slots busy
	}
	go func() { results <- admin.Check(token) }() // the last place in the queue
	waitFor(t, func() bool { return len(admin.queue) == cap(admin.queue) })
	if err := admin.Check("one-wrong-token-too-many"); err != ErrBusy {
		t.Fatalf("full queue: %v, want ErrBusy", err)
	}
	close(bv.release)
	var ok, wrong int
	for range cap(admin.queue) {
		switch err := <-results; err {
		case nil:
			ok++
		case ErrWrongToken:
			wrong++
		default:
			t.Fatalf("queued check: %v", err)
		}
	}
	if ok != 1 || wrong != cap(admin.queue)-1 || bv.most.Load() > MaxConcurrentVerifications {
		t.Fatalf("%d right, %d wrong, %d at once", ok, wrong, bv.most.Load())
	}
	// Known now: the right token costs nothing and waits for nothing, even
	// with the queue full again.
	calls := bv.calls.Load()
	for range cap(admin.queue) {
		admin.queue <- struct{}{}
	}
	if err := admin.Check(token); err != nil || bv.calls.Load() != calls {
		t.Fatalf("known token with a full queue: %v (%d more checks)", err, bv.calls.Load()-calls)
	}
	// The first success stored the fingerprint: after a restart wrong tokens
	// are turned away without argon2id.
	if _, err := st.Setting(ctx, AdminCheckSetting); err != nil {
		t.Fatalf("fingerprint not stored after the first success: %v", err)
	}
	cv := &countingVerifier{inner: meetings.VerifySecret}
	restarted, _ := NewAdmin(ctx, st, "", quiet(), WithVerifier(cv.verify))
	for i := range 1000 {
		restarted.Check(fmt.Sprintf("another-wrong-token-%d", i))
	}
	if cv.calls.Load() > 2 {
		t.Errorf("1000 wrong tokens after the restart ran %d argon2id checks", cv.calls.Load())
	}
}

// A wrong token that gets past the fingerprint costs argon2id once, not on
// every replay.
func TestAdminTokenReplayedFailureIsFree(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	generatedToken(t, st)
	cv := &countingVerifier{inner: meetings.VerifySecret}
	admin, _ := NewAdmin(ctx, st, "", quiet(), WithVerifier(cv.verify))
	var collide string
	for i := 0; collide == ""; i++ {
		if c := fmt.Sprintf("colliding-guess-%d", i); admin.check.matches(c) {
			collide = c
		}
	}
	for range 20 {
		if err := admin.Check(collide); err != ErrWrongToken {
			t.Fatalf("colliding wrong token: %v", err)
		}
	}
	if n := cv.calls.Load(); n != 1 {
		t.Fatalf("a colliding wrong token sent 20 times ran argon2id %d times, want 1", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

// Every write operation checks the admin token before it reads or validates
// the request: no token or a wrong one gets 401 whatever the body, never a
// 422 or 413 about it, and nothing changes (issue 10, point 7).
func TestWritesCheckTokenBeforeBody(t *testing.T) {
	h := newHarness(t)
	h.seed(meeting("m"))
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	_, spec := h.do("GET", "/openapi.json", "", nil)
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	bodies := []any{nil, "{not json", `{"slug": 5, "name": []}`, `{"recurrence": {"start": "0000-01-03"}}`,
		strings.Repeat("x", 70<<10)}
	ops := 0
	for path, methods := range doc.Paths {
		for method, op := range methods {
			if len(op.Security) == 0 {
				continue
			}
			ops++
			for _, p := range []string{
				strings.NewReplacer("{slug}", "m", "{date}", "2026-03-02", "{id}", "1").Replace(path),
				strings.NewReplacer("{slug}", "NO SUCH", "{date}", "not-a-date", "{id}", "x").Replace(path),
			} {
				for _, token := range []string{"", "not-the-admin-token-at-all"} {
					for _, body := range bodies {
						resp, out := h.do(strings.ToUpper(method), strings.ReplaceAll(p, " ", "%20"), token, body)
						if resp.StatusCode != http.StatusUnauthorized ||
							!strings.Contains(resp.Header.Get("Content-Type"), "problem+json") ||
							!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
							t.Errorf("%s %s token %q body %.20v: %d %.200s", method, p, token, body, resp.StatusCode, out)
						}
					}
				}
			}
		}
	}
	if ops != 18 {
		t.Errorf("%d operations declare the admin token, want the 14 writes, the token check and the 3 service-role operations", ops)
	}
	m, _ := h.store.Meeting(context.Background(), "m")
	if gs, _ := h.store.Groups(context.Background()); len(gs) != 1 || len(m.Exceptions) != 0 || m.Sequence != 0 {
		t.Fatalf("refused writes changed the store: %d groups, meeting %+v", len(gs), m)
	}
}

// TestCheckAdminToken: the admin pages check a token at sign-in, with no
// effect: 204 for the right one, 401 with a problem for any other.
func TestCheckAdminToken(t *testing.T) {
	h := newHarness(t)
	if resp, out := h.do("GET", "/api/admin/token", testToken, nil); resp.StatusCode != http.StatusNoContent || len(out) != 0 {
		t.Errorf("right token: %d %s", resp.StatusCode, out)
	}
	for _, token := range []string{"", "not-the-admin-token-at-all"} {
		if resp, _ := h.do("GET", "/api/admin/token", token, nil); resp.StatusCode != http.StatusUnauthorized ||
			!strings.Contains(resp.Header.Get("Content-Type"), "problem+json") {
			t.Errorf("token %q: %d %s", token, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}
