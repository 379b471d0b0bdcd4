package sfu

import (
	"context"
	"github.com/coder/websocket"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/time/rate"
)

// opQueueLen bounds the work waiting for a peer's actor loop.
const opQueueLen = 256

// Peer is one participant: a signaling socket and one PeerConnection. Its
// actor loop (run) alone touches the PeerConnection; everything else asks
// it through do. The server is always the offerer.
type Peer struct {
	id   string
	name string // set by Room.add, changed by Room.rename, under the room's mu; never logged
	srv  *Server
	room *Room
	ws   *wsConn
	log  *slog.Logger

	// clientID is where the client connects from; set before the session
	// starts, never logged.
	clientID
	// signalPath is the path the client's WebSocket reached, for the URL
	// of a redirect to another node.
	signalPath string
	// resumeToken lets a client whose network dropped take this session
	// back (never logged); reattach carries its new connection to the
	// session goroutine.
	resumeToken string
	reattach    chan *websocket.Conn
	// announced: the joined reply is queued, so room broadcasts may follow.
	announced atomic.Bool

	ctx    context.Context // ends when the peer goes away
	cancel context.CancelFunc
	ops    chan func()

	actorWG   sync.WaitGroup // the actor loop
	wg        sync.WaitGroup // track reader and RTCP goroutines
	goMu      sync.Mutex     // guards stopping and wg.Add against leave's wg.Wait
	stopping  bool
	leaveOnce sync.Once

	// gate is checked by every track this peer publishes (room control).
	gate *mediaGate
	// forwarded counts the copies of this peer's packets written to
	// subscribers (Forwarded).
	forwarded atomic.Uint64
	// out queues the packets this peer subscribes to; its own goroutine
	// writes them (mediaqueue.go).
	out *mediaQueue

	// simMu guards simUps: Pion calls onTrack from its own goroutines,
	// once per simulcast layer.
	simMu  sync.Mutex
	simUps map[*webrtc.RTPReceiver]*upTrack

	// videoCodec is the codec the client asked to publish in (join);
	// set before the actor loop starts.
	videoCodec string
	// audioOnly: no video slot, no video subscriptions (join). Set before
	// media starts, then read only.
	audioOnly bool
	// bwe estimates the subscriber's downlink (bwe.go); set when media
	// starts, before the writer and RTCP readers that feed it.
	bwe estimator
	// nackBudget bounds the packets resent to this subscriber (resend.go).
	nackBudget *rate.Limiter
	// feedbackBudget bounds the TWCC feedback the estimator takes from
	// this subscriber (bwe.go).
	feedbackBudget *rate.Limiter

	// Owned by the actor loop.
	pc         *webrtc.PeerConnection
	awaiting   bool                      // an offer is out, no answer yet
	again      bool                      // renegotiate once the answer is in
	pendingICE []webrtc.ICECandidateInit // candidates before the first answer
	downs      map[*upTrack]*downTrack
	unbound    []*downTrack   // added since the last answer
	pinned     []string       // publishers whose video the client asked for (select)
	receive    receiveMode    // the video the member wants (receive-video)
	sizes      map[string]int // publisher id ("" for all) -> video height the client shows
	hold       layerHold      // when the estimate last cut a layer (layers.go)
}

func newPeer(srv *Server, ws *wsConn) *Peer {
	p := &Peer{
		id: newID(), srv: srv, ws: ws,
		ops:         make(chan func(), opQueueLen),
		resumeToken: newID(), reattach: make(chan *websocket.Conn),
		downs: map[*upTrack]*downTrack{}, simUps: map[*webrtc.RTPReceiver]*upTrack{},
		sizes: map[string]int{},
	}
	p.ctx, p.cancel = context.WithCancel(srv.ctx)
	p.log = srv.log.With("peer", p.id[:8])
	p.gate = newMediaGate()
	p.out = newMediaQueue(srv.met)
	p.nackBudget = rate.NewLimiter(nackPerSecond, nackBurst)
	p.feedbackBudget = rate.NewLimiter(feedbackPerSecond, feedbackBurst)
	return p
}

// clientID is what the server knows a client by, beside its participant
// id: its browser (control bars the id) and its address's key.
type clientID struct {
	browser browser
	source  string // Server.sourceKey of its address
}

// limiterKey is the client the secret limiter counts failures for: the
// browser when it holds a signed cookie, or else its address, so that
// dropping the cookie or making one up does not reset the count.
func (id clientID) limiterKey() string {
	if id.browser.signed {
		return "b:" + id.browser.id
	}
	return "a:" + id.source
}

// ID is the participant's identifier, shared with the other clients.
func (p *Peer) ID() string { return p.id }

// Name is the display name (unique in the room). Never log it.
func (p *Peer) Name() string { return p.name }

// Info describes the participant to others.
// Call it under the room's lock (Room.info), which guards the name.
func (p *Peer) Info() ParticipantInfo {
	return ParticipantInfo{ID: p.id, Name: p.name, Audio: p.gate.micOn.Load(), Video: p.gate.camOn.Load()}
}

// Send queues a message for this participant.
func (p *Peer) Send(msg any) error { return p.ws.send(msg) }

// farewellTimeout bounds how long Disconnect lets the writer flush the
// queued messages and the close frame before the session is cut.
const farewellTimeout = time.Second

// Disconnect closes the participant's signaling with a WebSocket close code
// and reason; its media and membership end with it. Media stops at once;
// the queued messages (such as the event saying why) and the close frame
// are flushed first, for at most farewellTimeout, so that the client can
// tell the person what happened. It never blocks.
func (p *Peer) Disconnect(code int, reason string) {
	p.SetMediaGate(false, false)
	p.ws.close(code, reason)
	go func() {
		t := time.NewTimer(farewellTimeout)
		defer t.Stop()
		select {
		case <-p.ws.farewell:
		case <-t.C:
		case <-p.ctx.Done():
		}
		p.cancel()
	}()
}

// SetMediaGate sets whether this participant may send audio and video.
// Checked on the packet path for every packet, whatever track it comes
// on. A packet checked just before may still be being written: AwaitGate
// waits for it.
func (p *Peer) SetMediaGate(audio, video bool) { p.gate.set(audio, video) }

// AwaitGate returns once every packet checked against the gate before the
// call has been written: after SetMediaGate closed a kind, nothing of it
// is forwarded from then on. Packets still queued for subscribers are
// checked again when written, so it waits for at most one write per
// subscriber, never for a queue to drain.
func (p *Peer) AwaitGate() { p.gate.await() }

// Forwarded is how many copies of this participant's packets have been
// written to subscribers so far.
func (p *Peer) Forwarded() uint64 { return p.forwarded.Load() }

// Dropped is how many packets for this participant were dropped because
// its send queue was full (it could not take them as fast as they came).
func (p *Peer) Dropped() uint64 { return p.out.dropped.Load() }

// every queues f for the actor loop each period until the peer goes.
func (p *Peer) every(period time.Duration, f func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			p.do(f)
		}
	}
}

// do queues f for the actor loop; false when the peer is gone or stalled.
func (p *Peer) do(f func()) bool {
	select {
	case <-p.ctx.Done():
		return false
	case p.ops <- f:
		return true
	default:
		p.log.Warn("peer op queue full")
		return false
	}
}

// run is the actor loop; it ends when the peer's context does.
func (p *Peer) run() {
	defer p.actorWG.Done()
	for {
		select {
		case f := <-p.ops:
			f()
		case <-p.ctx.Done():
			return
		}
	}
}

// sendPLI asks this publisher for a keyframe on ssrc.
func (p *Peer) sendPLI(ssrc uint32) {
	p.do(func() {
		_ = p.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
	})
}
