package sfu_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
)

// leaseBook is the shared lease table of the nodes of one test, as the
// PostgreSQL store keeps it: a room not leased goes to place (or to the
// claimer when place is empty).
type leaseBook struct {
	mu     sync.Mutex
	leases map[string]sfu.Lease
	place  string
	claims int
	// holdRelease, when set, keeps each Release waiting until it is
	// closed; releaseStarted hears when one starts.
	holdRelease    chan struct{}
	releaseStarted chan struct{}
	// states and versions are the rooms' carried state.
	states   map[string][]byte
	versions map[string]int64
}

func newBook() *leaseBook {
	return &leaseBook{leases: map[string]sfu.Lease{}, states: map[string][]byte{}, versions: map[string]int64{}}
}

// bookView is one node's view of the book.
type bookView struct {
	b    *leaseBook
	node string
}

func (v bookView) Claim(_ context.Context, room string) (sfu.Lease, error) {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	v.b.claims++
	if l, ok := v.b.leases[room]; ok {
		return l, nil
	}
	l := sfu.Lease{Room: room, Node: v.node, Epoch: 1}
	if v.b.place != "" {
		l.Node = v.b.place
	}
	v.b.leases[room] = l
	return l, nil
}

func (v bookView) Renew(_ context.Context, held []sfu.Lease, _ sfu.NodeLoad) ([]string, error) {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	var lost []string
	for _, h := range held {
		if v.b.leases[h.Room] != h {
			lost = append(lost, h.Room)
		}
	}
	return lost, nil
}

func (v bookView) Release(_ context.Context, l sfu.Lease) error {
	v.b.mu.Lock()
	hold, started := v.b.holdRelease, v.b.releaseStarted
	v.b.mu.Unlock()
	if hold != nil {
		select {
		case started <- struct{}{}:
		default:
		}
		<-hold
	}
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	if v.b.leases[l.Room] == l {
		delete(v.b.leases, l.Room)
	}
	return nil
}

func (v bookView) SaveState(_ context.Context, l sfu.Lease, version int64, state []byte) error {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	if v.b.leases[l.Room] == l && version > v.b.versions[l.Room] {
		v.b.versions[l.Room], v.b.states[l.Room] = version, state
	}
	return nil
}

func (v bookView) State(_ context.Context, room string) (int64, []byte, error) {
	v.b.mu.Lock()
	defer v.b.mu.Unlock()
	return v.b.versions[room], v.b.states[room], nil
}

// move gives room to node, as a new owner's claim after expiry does.
func (b *leaseBook) move(room, node string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.leases[room]
	b.leases[room] = sfu.Lease{Room: room, Node: node, Epoch: l.Epoch + 1}
}

// startNode runs one media server as a node on book, its signaling at
// /rtc; it returns the node's base URL and its signaling URL.
func startNode(t *testing.T, book *leaseBook) (string, string) {
	t.Helper()
	var s *sfu.Server
	return startNodeWith(t, book, &s)
}

// startNodeWith is startNode that also hands back the server.
func startNodeWith(t *testing.T, book *leaseBook, out **sfu.Server) (string, string) {
	t.Helper()
	var h http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	cfg := sfu.Config{LoopbackOnly: true,
		Node: sfu.NodeConfig{URL: hs.URL, Leases: bookView{b: book, node: hs.URL}, RenewEvery: 50 * time.Millisecond}}
	s, err := sfu.New(cfg, loadtest.OpenRooms{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	*out = s
	mux := http.NewServeMux()
	mux.Handle("GET /rtc", s)
	h = mux
	t.Cleanup(func() { s.Close(); hs.Close() })
	return hs.URL, "ws" + strings.TrimPrefix(hs.URL, "http") + "/rtc"
}

func dialNode(t *testing.T, url, room, name string) *loadtest.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := loadtest.Dial(ctx, url, loadtest.Options{Room: room, Name: name, Audio: true, Loopback: true})
	if err != nil {
		t.Fatalf("dial %s: %v", name, err)
	}
	t.Cleanup(c.Close)
	return c
}

// Members who reach a node that does not run their room are sent to the
// one that does, and meet there: each hears the other.
func TestNodesRedirectToOwner(t *testing.T) {
	book := newBook()
	a, aSignal := startNode(t, book)
	_, bSignal := startNode(t, book)
	_, cSignal := startNode(t, book)
	book.place = a

	x := dialNode(t, bSignal, "room", "x")
	y := dialNode(t, cSignal, "room", "y")
	if x.URL != aSignal || y.URL != aSignal {
		t.Fatalf("joined at %s and %s, want both at the owner %s", x.URL, y.URL, aSignal)
	}
	waitFor(t, 20*time.Second, "audio both ways on the owner", func() bool {
		return received(x, y.ID, false, 20) && received(y, x.ID, false, 20)
	})
}

// A node whose lease another node took closes the room; its members
// reconnect, are sent to the new owner, whose refusal of the old session
// makes them join afresh there.
func TestNodesLeaseLost(t *testing.T) {
	book := newBook()
	_, aSignal := startNode(t, book)
	b, bSignal := startNode(t, book)
	x := dialNode(t, aSignal, "room", "x")
	if x.URL != aSignal {
		t.Fatalf("joined at %s, want %s", x.URL, aSignal)
	}
	book.move("room", b)
	for {
		m := <-x.Events
		if m.Type == "closed" {
			if m.Code != fmt.Sprint(websocket.StatusCode(sfu.CloseMoved)) {
				t.Fatalf("closed with %s, want 4005 (moved)", m.Code)
			}
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := x.Resume(ctx, aSignal)
	if err == nil || !strings.Contains(err.Error(), "bad-resume") {
		t.Fatalf("resume after the move: %v, want bad-resume from the new owner", err)
	}
	y := dialNode(t, aSignal, "room", "y")
	z := dialNode(t, bSignal, "room", "z")
	if y.URL != bSignal || z.URL != bSignal {
		t.Fatalf("joined at %s and %s, want both at the new owner %s", y.URL, z.URL, bSignal)
	}
	waitFor(t, 20*time.Second, "audio on the new owner", func() bool { return received(z, y.ID, false, 20) })
}

// A room that does not exist is refused on the spot: nothing is claimed.
func TestNodesUnknownRoomNotClaimed(t *testing.T) {
	book := newBook()
	_, aSignal := startNode(t, book)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := loadtest.Dial(ctx, aSignal, loadtest.Options{Room: "missing-room", Name: "x", Loopback: true})
	var moved *loadtest.Redirect
	if err == nil || errors.As(err, &moved) || !strings.Contains(err.Error(), "no-room") {
		t.Fatalf("join of an unknown room: %v", err)
	}
	book.mu.Lock()
	defer book.mu.Unlock()
	if book.claims != 0 || len(book.leases) != 0 {
		t.Fatalf("an unknown room was claimed: %d claims, %v", book.claims, book.leases)
	}
}

// A node that stops gracefully hands its rooms over when they outlast the
// drain: the lease is released and its members, sent away, land on the
// node placement picks now.
func TestNodesDrainHandsOver(t *testing.T) {
	book := newBook()
	var a *sfu.Server
	aURL, aSignal := startNodeWith(t, book, &a)
	b, bSignal := startNode(t, book)
	x := dialNode(t, aSignal, "room", "x")
	if x.URL != aSignal {
		t.Fatalf("joined at %s, want %s", x.URL, aSignal)
	}
	book.mu.Lock()
	book.place = b // placement skips the draining node
	book.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	a.Drain(ctx)
	for m := range x.Events {
		if m.Type == "closed" {
			if m.Code != fmt.Sprint(websocket.StatusCode(sfu.CloseMoved)) {
				t.Fatalf("closed with %s, want moved", m.Code)
			}
			break
		}
	}
	book.mu.Lock()
	_, leased := book.leases["room"]
	book.mu.Unlock()
	if leased {
		t.Fatalf("the draining node %s kept its lease", aURL)
	}
	y := dialNode(t, aSignal, "room", "y")
	if y.URL != bSignal {
		t.Fatalf("after the hand-over joined at %s, want %s", y.URL, bSignal)
	}
}

// A join that comes while the node gives up its room's idle lease waits for
// that and claims the room afresh, and the member stays. (Before, the join
// took the lease the release then deleted, and the next renewal found the
// lease lost and sent the member away.)
func TestNodesJoinDuringRelease(t *testing.T) {
	book := newBook()
	hold, started := make(chan struct{}), make(chan struct{}, 1)
	book.holdRelease, book.releaseStarted = hold, started
	a, aSignal := startNode(t, book)
	x := dialNode(t, aSignal, "room", "x")
	x.Leave() // the meeting ends here: its lease goes idle
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the idle lease was never released")
	}
	joined := make(chan *loadtest.Client, 1)
	errs := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := loadtest.Dial(ctx, aSignal, loadtest.Options{Room: "room", Name: "y", Audio: true, Loopback: true})
		if err != nil {
			errs <- err
			return
		}
		joined <- c
	}()
	time.Sleep(300 * time.Millisecond) // the join reaches the lease while the release waits
	close(hold)
	var y *loadtest.Client
	select {
	case y = <-joined:
		t.Cleanup(y.Close)
	case err := <-errs:
		t.Fatalf("join: %v", err)
	}
	// Ten renewal rounds: none may find the lease lost.
	quiet := time.After(500 * time.Millisecond)
	for {
		select {
		case m := <-y.Events:
			if m.Type == "closed" {
				t.Fatalf("the member was sent away (%s) after joining during the release", m.Code)
			}
			continue
		case <-quiet:
		}
		break
	}
	book.mu.Lock()
	l, ok := book.leases["room"]
	book.mu.Unlock()
	if !ok || l.Node != a {
		t.Fatalf("the room's lease is %+v (held: %v), want this node's", l, ok)
	}
}
