package sfu

import (
	"errors"
	"net"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// ICE-TCP connections write through a bounded queue of their own. Pion's
// TCP mux otherwise writes each packet straight to the socket, so a member
// whose TCP link is congested makes every write to it block. Pion's own
// write buffer (TCPMuxParams.WriteBufferSize) would not block either, but
// it drops without telling anyone; this one counts what it drops.
const (
	// tcpQueuePackets bounds the packets waiting for one ICE-TCP
	// connection: about 150 KB, under a second of a member's media.
	tcpQueuePackets = 128
	// tcpSendBuffer caps the kernel's send buffer for an ICE-TCP
	// connection. Left to itself it grows to net.ipv4.tcp_wmem's maximum
	// (4 MiB by default): seconds of stale media queued for a slow member
	// before anything is dropped.
	tcpSendBuffer = 256 << 10
)

var errTCPQueueFull = errors.New("sfu: ICE-TCP send queue full")

// boundedListener hands Pion's TCP mux connections that never block a
// writer.
type boundedListener struct {
	net.Listener
	dropped prometheus.Counter
}

func (l boundedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(tcpSendBuffer)
	}
	return newBoundedConn(c, l.dropped), nil
}

// boundedConn queues each Write (Pion writes one framed packet per call)
// and a goroutine of its own writes the queue to the socket; when the
// queue is full the packet is dropped and counted, as a congested UDP path
// would lose it.
type boundedConn struct {
	net.Conn
	q       chan *[]byte
	dropped prometheus.Counter
	closed  chan struct{}
	once    sync.Once
	bufs    sync.Pool // of *[]byte
}

func newBoundedConn(c net.Conn, dropped prometheus.Counter) *boundedConn {
	bc := &boundedConn{Conn: c, q: make(chan *[]byte, tcpQueuePackets), dropped: dropped, closed: make(chan struct{})}
	go bc.drain()
	return bc
}

func (c *boundedConn) Write(b []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	bp, _ := c.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = append((*bp)[:0], b...)
	select {
	case c.q <- bp:
		return len(b), nil
	default:
		c.bufs.Put(bp)
		c.dropped.Inc()
		return 0, errTCPQueueFull
	}
}

// drain writes the queue to the socket until the connection closes. A
// failed write drops the packet; Pion's reader notices a dead connection.
func (c *boundedConn) drain() {
	for {
		select {
		case bp := <-c.q:
			_, _ = c.Conn.Write(*bp)
			c.bufs.Put(bp)
		case <-c.closed:
			return
		}
	}
}

func (c *boundedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}
