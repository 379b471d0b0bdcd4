package sfu

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// sendQueueLen bounds the messages waiting for one client. Signaling
// messages cannot be dropped one by one without breaking the negotiation,
// so the drop policy is: a client whose queue is full is disconnected.
// It is large because a chair's page takes the brunt of a raid: after
// Secure every raider's chat goes to the chairs, and each removal is
// several events; with 128 the full raid drill on a loaded CI machine
// saw the server close the chair's connection while it removed 30
// raiders. A queued message is a few hundred bytes, so 1,024 of them cost
// a slow client at most a few hundred KiB before it is let go.
const sendQueueLen = 1024

const writeTimeout = 5 * time.Second

// wsConn is one client's signaling socket: a bounded send queue drained by
// one writer goroutine that also sends keepalive pings.
type wsConn struct {
	// c is read without a lock by the session goroutine (reads) and the
	// writer; swap (session goroutine, writer stopped) and kill (another
	// session's goroutine) hold cMu.
	cMu  sync.Mutex
	c    *websocket.Conn
	out  chan []byte
	done chan struct{} // closed by close
	once sync.Once
	// farewell is closed once a writer has sent the close frame after
	// close (farewellOnce: a resumed session may have had several writers).
	farewell     chan struct{}
	farewellOnce sync.Once
	// closeCode is the status the writer sends when it stops.
	closeCode   atomic.Int32
	closeReason atomic.Value
	dropped     func() // counts a client dropped for being slow
	// The current writer; set by the session goroutine.
	writerStop, writerDone chan struct{}
}

func newWSConn(c *websocket.Conn, dropped func()) *wsConn {
	return &wsConn{c: c, out: make(chan []byte, sendQueueLen), done: make(chan struct{}),
		farewell: make(chan struct{}), dropped: dropped}
}

// send queues a JSON message; it never blocks.
func (w *wsConn) send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("sfu: encode message: %w", err)
	}
	select {
	case <-w.done:
		return ErrPeerClosed
	default:
	}
	select {
	case w.out <- b:
		return nil
	default:
		w.dropped()
		w.close(CloseTooSlow, "send queue full")
		return ErrPeerClosed
	}
}

// close asks the writer to flush and close with code; the first call wins.
func (w *wsConn) close(code int, reason string) {
	w.once.Do(func() {
		w.closeCode.Store(int32(code))
		w.closeReason.Store(reason)
		close(w.done)
	})
}

// startWriter runs a writer for the current connection. Call stopWriter
// before swapping the connection.
func (w *wsConn) startWriter(ping time.Duration) {
	w.writerStop = make(chan struct{})
	w.writerDone = make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		w.writeLoop(ping, stop)
	}(w.writerStop, w.writerDone)
}

// stopWriter ends the current writer without ending the session and waits
// for it; queued messages stay queued for the next connection.
func (w *wsConn) stopWriter() {
	close(w.writerStop)
	<-w.writerDone
}

// swap replaces the connection of a resumed session. The session goroutine
// calls it while no writer runs, so no lock is needed.
func (w *wsConn) swap(c *websocket.Conn) {
	w.cMu.Lock()
	w.c = c
	w.cMu.Unlock()
}

// kill drops the current connection so that its reader returns.
func (w *wsConn) kill() {
	w.cMu.Lock()
	c := w.c
	w.cMu.Unlock()
	_ = c.CloseNow()
}

// writeLoop sends queued messages and keepalive pings until the session
// closes (then it flushes and sends the close frame) or until stop. A
// failed write or ping drops the connection so that the reader notices.
func (w *wsConn) writeLoop(ping time.Duration, stop chan struct{}) {
	t := time.NewTicker(ping)
	defer t.Stop()
	for {
		select {
		case b := <-w.out:
			if !w.write(b) {
				_ = w.c.CloseNow()
				return
			}
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), ping)
			err := w.c.Ping(ctx)
			cancel()
			if err != nil {
				_ = w.c.CloseNow()
				return
			}
		case <-stop:
			return
		case <-w.done:
			w.flush()
			reason, _ := w.closeReason.Load().(string)
			_ = w.c.Close(websocket.StatusCode(w.closeCode.Load()), reason)
			w.farewellOnce.Do(func() { close(w.farewell) })
			return
		}
	}
}

// closed reports whether the session was closed on purpose.
func (w *wsConn) closed() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func (w *wsConn) flush() {
	for {
		select {
		case b := <-w.out:
			if !w.write(b) {
				return
			}
		default:
			return
		}
	}
}

func (w *wsConn) write(b []byte) bool {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	return w.c.Write(ctx, websocket.MessageText, b) == nil
}
