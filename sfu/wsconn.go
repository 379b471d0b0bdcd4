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
const sendQueueLen = 128

const writeTimeout = 5 * time.Second

// wsConn is one client's signaling socket: a bounded send queue drained by
// one writer goroutine that also sends keepalive pings.
type wsConn struct {
	c    *websocket.Conn
	out  chan []byte
	done chan struct{} // closed by close
	once sync.Once
	// closeCode is the status the writer sends when it stops.
	closeCode   atomic.Int32
	closeReason atomic.Value
	dropped     func() // counts a client dropped for being slow
}

func newWSConn(c *websocket.Conn, dropped func()) *wsConn {
	return &wsConn{c: c, out: make(chan []byte, sendQueueLen), done: make(chan struct{}), dropped: dropped}
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

// writeLoop runs until close; it then sends what is queued and the close
// frame. The caller waits for it before returning from the HTTP handler.
func (w *wsConn) writeLoop(ping time.Duration) {
	t := time.NewTicker(ping)
	defer t.Stop()
	for {
		select {
		case b := <-w.out:
			if !w.write(b) {
				w.close(CloseNormal, "write failed")
			}
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), ping)
			err := w.c.Ping(ctx)
			cancel()
			if err != nil {
				w.close(CloseViolation, "no pong")
			}
		case <-w.done:
			w.flush()
			reason, _ := w.closeReason.Load().(string)
			_ = w.c.Close(websocket.StatusCode(w.closeCode.Load()), reason)
			return
		}
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
