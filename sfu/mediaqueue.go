package sfu

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/prometheus/client_golang/prometheus"
)

// mediaQueueLen bounds the packets waiting for one subscriber's writer:
// about 200 ms of everything a subscriber of a large room receives. A
// writer that keeps up holds a handful; one that cannot (its connection
// is slower than its share of the room) loses the newest packets.
const mediaQueueLen = 1024

// counterBatch is how many forwarded copies a writer counts before adding
// them to the server's counter (the publisher's own count is exact).
const counterBatch = 64

// inPacket is one packet a publisher sent, shared read-only by every
// subscriber it is queued for. The last holder returns it to its track's
// pool, if it has one: video packets have none, as each subscriber's
// ring of sent packets keeps referring to them for NACKs (resend.go); the
// garbage collector frees them.
type inPacket struct {
	buf  [1500]byte
	pkt  rtp.Packet // unmarshalled from buf: its payload and extensions point into it
	refs atomic.Int32
	pool *sync.Pool
}

func (in *inPacket) hold() { in.refs.Add(1) }

func (in *inPacket) release() {
	if in.refs.Add(-1) == 0 && in.pool != nil {
		in.pool.Put(in)
	}
}

// outPacket is one packet queued for one subscriber: the shared packet
// with the sequence number and timestamp this subscriber's forwarder gave
// it.
type outPacket struct {
	dt  *downTrack
	in  *inPacket
	seq uint16
	ts  uint32
	// resend: the subscriber asked for this packet again (resend.go).
	resend bool
}

// mediaQueue is one subscriber's bounded packet queue and the goroutine
// that writes it, so that a publisher's reader never waits on a
// subscriber: it queues and moves on, and a full queue drops the packet
// and counts it. Each subscriber's packets leave in the order they were
// queued.
type mediaQueue struct {
	ch chan outPacket
	// dropped counts the packets this subscriber's queue had no room for.
	dropped   atomic.Uint64
	droppedBy prometheus.Counter // the server's, reason "queue"
	forwarded [2]prometheus.Counter

	// Owned by the writer goroutine.
	pending [2]int // forwarded copies not yet added to the counters (audio, video)
	tseq    uint16 // the next transport-wide sequence number (downTrack.send)
}

func newMediaQueue(met *metrics) *mediaQueue {
	return &mediaQueue{
		ch:        make(chan outPacket, mediaQueueLen),
		droppedBy: met.dropped.WithLabelValues("queue"),
		forwarded: [2]prometheus.Counter{
			met.forwarded.WithLabelValues("audio"), met.forwarded.WithLabelValues("video"),
		},
	}
}

// push queues a packet without waiting; false when the queue is full
// (the packet is dropped and counted). Publisher reader goroutines.
func (q *mediaQueue) push(op outPacket) bool {
	op.in.hold()
	select {
	case q.ch <- op:
		return true
	default:
		op.in.release()
		q.dropped.Add(1)
		q.droppedBy.Inc()
		return false
	}
}

// run writes queued packets until ctx ends.
func (q *mediaQueue) run(ctx context.Context) {
	defer q.flush()
	for n := 0; ; n++ {
		var op outPacket
		select {
		case op = <-q.ch:
			// A packet already waiting is taken without the two-way
			// select below, which cost 3% of the server's CPU; the end of
			// ctx is still seen within counterBatch packets.
			if n%counterBatch == 0 && ctx.Err() != nil {
				op.in.release()
				q.discard()
				return
			}
		default:
			select {
			case op = <-q.ch:
			case <-ctx.Done():
				q.discard()
				return
			}
		}
		q.write(op)
		if q.pending[0]+q.pending[1] >= counterBatch {
			q.flush()
		}
		if len(q.ch) > 0 {
			// A backlog (this writer was kept from running) goes out
			// interleaved with the other subscribers' rather than as one
			// burst into one client's socket buffer, which would overflow
			// it as the reader-side fan-out never did.
			runtime.Gosched()
		}
	}
}

// write sends one packet if its publisher's gate is still open: a gate
// that closed while the packet waited drops it, and the gate's await
// waits for a write in progress (gate.go).
func (q *mediaQueue) write(op outPacket) {
	up := op.dt.up
	if up.deps.gate.enter(up.video) && op.dt.send(op, &q.tseq) {
		up.deps.sent.Add(1)
		q.pending[kindIndex(up.video)]++
	}
	up.deps.gate.leave()
	op.in.release()
}

// flush adds the forwarded copies to the server's counters, counterBatch
// at a time rather than per packet: every subscriber's writer adds to the
// same counters.
func (q *mediaQueue) flush() {
	for i, n := range q.pending {
		if n > 0 {
			q.forwarded[i].Add(float64(n))
			q.pending[i] = 0
		}
	}
}

// discard returns what is left in the queue to its pools.
func (q *mediaQueue) discard() {
	for {
		select {
		case op := <-q.ch:
			op.in.release()
		default:
			return
		}
	}
}

func kindIndex(video bool) int {
	if video {
		return 1
	}
	return 0
}
