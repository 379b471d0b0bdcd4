package dialin

import (
	"encoding/binary"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
)

var seedOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"

func TestParseOffer(t *testing.T) {
	o, err := parseOffer([]byte(seedOffer))
	if err != nil || o.codec.name != "PCMU" || !o.hasDTMF || o.dtmfPT != 101 || o.addr.Port != 4000 {
		t.Fatalf("offer: %+v %v", o, err)
	}
	for _, bad := range []string{
		"", "garbage", strings.Replace(seedOffer, "8 0 101", "18 101", 1), // no G.711
		strings.Replace(seedOffer, "m=audio 4000", "m=audio 0", 1), // rejected stream
		strings.Replace(seedOffer, "c=IN IP4 127.0.0.1", "c=IN IP4 nowhere", 1),
		seedOffer + strings.Repeat("a=x\r\n", 3000), // too big
	} {
		if _, err := parseOffer([]byte(bad)); err == nil {
			t.Errorf("offer %.60q accepted", bad)
		}
	}
}

func FuzzParseOffer(f *testing.F) {
	f.Add([]byte(seedOffer))
	f.Add([]byte("v=0\r\nm=audio 1 RTP/AVP 0\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := parseOffer(b)
		if err == nil && (o.addr == nil || o.addr.Port == 0 || (o.codec.pt != 0 && o.codec.pt != 8)) {
			t.Fatalf("accepted offer without a usable stream: %+v", o)
		}
	})
}

func FuzzDTMF(f *testing.F) {
	f.Add(uint32(1), []byte{1, 0x80, 0, 160})
	f.Add(uint32(2), []byte{11, 0, 0, 0})
	f.Add(uint32(3), []byte{200, 0})
	f.Fuzz(func(t *testing.T, ts uint32, payload []byte) {
		var d dtmfReader
		k, ok := d.read(ts, payload)
		if ok && !strings.ContainsRune("0123456789*#", rune(k)) {
			t.Fatalf("key %q", k)
		}
		if _, again := d.read(ts, payload); again {
			t.Fatal("one event counted twice")
		}
	})
}

func FuzzEntry(f *testing.F) {
	f.Add([]byte("12345"))
	f.Add([]byte("*"))
	f.Fuzz(func(t *testing.T, d []byte) {
		s, err := validEntry(d)
		if err == nil && (len(s) == 0 || len(s) > maxDigits || strings.Trim(s, "0123456789") != "") {
			t.Fatalf("entry %q accepted", s)
		}
	})
}

// Whatever arrives on the SIP port, the gateway answers with an error or
// drops it, and keeps answering: it still says 200 to an OPTIONS after.
func FuzzSIPDatagram(f *testing.F) {
	h := newHarness(f)
	f.Add([]byte(invite("5550300")))
	f.Add([]byte("OPTIONS sip:hearth@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-x\r\n\r\n"))
	f.Add([]byte("\x00\x01garbage"))
	f.Add([]byte(strings.Replace(invite("5550301"), "Content-Length: ", "Content-Length: 99999", 1)))
	f.Add([]byte(strings.Replace(invite("5550302"), "m=audio 4000 RTP/AVP 0 101", "m=video 4000 RTP/AVP 96", 1)))
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		f.Fatal(err)
	}
	defer conn.Close()
	gw := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: h.gw.Port()}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1400 {
			return
		}
		// Only a call's worth of sockets: an INVITE that passes is
		// answered and waits for keys, bounded by MaxCalls.
		_, _ = conn.WriteToUDP(b, gw)
		if got := rawSIP(t, h.gw, options()); !strings.HasPrefix(got, "SIP/2.0 200") {
			t.Fatalf("after %q the gateway answers OPTIONS with %q", b, got)
		}
	})
}

var optionsSeq int

func options() string {
	optionsSeq++
	return "OPTIONS sip:hearth@127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5998;branch=z9hG4bK-opt" + itoa(optionsSeq) + ";rport\r\n" +
		"From: <sip:probe@127.0.0.1>;tag=p" + itoa(optionsSeq) + "\r\nTo: <sip:hearth@127.0.0.1>\r\n" +
		"Call-ID: options-" + itoa(optionsSeq) + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
}

// A flood of INVITEs: at most maxCallsPerNumber from one number and
// MaxCalls in all are answered; the rest get 486 at once.
func TestInviteFloodIsBounded(t *testing.T) {
	h := newHarness(t)
	answered, busy := 0, 0
	for i := range 20 {
		msg := strings.ReplaceAll(invite("5550400"), "test-call-1", "flood-"+itoa(i))
		msg = strings.ReplaceAll(msg, "z9hG4bK-test1", "z9hG4bK-flood"+itoa(i))
		switch got := rawSIP(t, h.gw, msg); {
		case strings.HasPrefix(got, "SIP/2.0 200"):
			answered++
		case strings.HasPrefix(got, "SIP/2.0 486"):
			busy++
		default:
			t.Fatalf("INVITE %d: %q", i, got)
		}
	}
	if answered != maxCallsPerNumber || busy != 20-maxCallsPerNumber {
		t.Fatalf("%d answered, %d busy", answered, busy)
	}
}

// RTP from an address that is neither the SDP's nor the SIP peer's is
// dropped: its DTMF never reaches the IVR, nor its audio the room; a DTMF
// storm fills at most the bounded key queue.
func TestRTPFromWrongAddressAndDTMFStorm(t *testing.T) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadBuffer(4 << 20) // the storm must not overflow the socket
	o := offer{addr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 4000}, codec: pcmu, dtmfPT: 101, hasDTMF: true}
	var n countingSink
	m := newMedia(conn, o, net.IPv4(127, 0, 0, 3), &n.frames)
	m.connect(&n, nil)
	done := make(chan struct{})
	go func() { defer close(done); m.readLoop() }()
	send := func(from net.IP, pt uint8, ts uint32, payload []byte) {
		c, err := net.DialUDP("udp", &net.UDPAddr{IP: from}, conn.LocalAddr().(*net.UDPAddr))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Timestamp: ts}, Payload: payload}).Marshal()
		_, _ = c.Write(b)
	}
	send(net.IPv4(127, 0, 0, 9), 101, 1, []byte{5, 0x80, 0, 160}) // stranger: dropped
	send(net.IPv4(127, 0, 0, 9), 0, 2, make([]byte, 160))
	// The SIP peer's address latches; then a storm of distinct events.
	c, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 3)}, conn.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 200 {
		p := []byte{byte(i % 10), 0x80, 0, 160}
		b, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, Timestamp: uint32(1000 + i)}, Payload: p}).Marshal()
		_, _ = c.Write(b)
	}
	audio := make([]byte, 12+160)
	binary.BigEndian.PutUint16(audio[0:], 0x8000)
	_, _ = c.Write(audio) // one audio packet marks the end of the storm
	deadline := time.Now().Add(10 * time.Second)
	for n.frames.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_ = conn.Close()
	<-done
	if n.frames.Load() != 1 {
		t.Fatalf("%d audio frames reached the room, want the latched peer's 1", n.frames.Load())
	}
	if len(m.keys) != keyQueue || <-m.keys != '0' {
		t.Fatalf("key queue holds %d (want the first %d of the storm)", len(m.keys), keyQueue)
	}
}

type countingSink struct{ frames atomic.Int64 }

func (*countingSink) callerFrame([]byte) {}
