package dialin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu"
)

const (
	testMeetingID = "12345"
	testPIN       = "2468"
	testHostKey   = "chair-key-1"
	openMeetingID = "777"
)

// testRooms is the schedule side: "monday" asks for a passcode, "open"
// does not; the host key makes a chair.
type testRooms struct{}

func (testRooms) Room(_ context.Context, id string) (sfu.RoomSettings, error) {
	switch id {
	case "monday":
		return sfu.RoomSettings{PasscodeRequired: true, SecretsVersion: "1"}, nil
	case "open":
		return sfu.RoomSettings{SecretsVersion: "1"}, nil
	}
	return sfu.RoomSettings{}, sfu.ErrNoRoom
}

func (testRooms) VerifyPasscode(_ context.Context, _, p string) (bool, error) {
	return p == testPIN, nil
}

func (testRooms) VerifyHostKey(_ context.Context, _, k string) (bool, error) {
	return k == testHostKey, nil
}

func (testRooms) IsAdminToken(context.Context, string) bool { return false }

type testDirectory struct{}

func (testDirectory) Lookup(_ context.Context, id string) (Meeting, error) {
	switch id {
	case testMeetingID:
		return Meeting{Room: "monday", HasPIN: true}, nil
	case openMeetingID:
		return Meeting{Room: "open"}, nil
	}
	return Meeting{}, ErrUnknownMeeting
}

// harness runs an SFU (with room control) and a gateway on loopback.
type harness struct {
	signal string
	gw     *Gateway
	events chan Event
}

func testLog() *slog.Logger {
	level := slog.LevelError
	if os.Getenv("DIALIN_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func newHarness(t *testing.T, allow ...netip.Prefix) *harness {
	t.Helper()
	if allow == nil {
		allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	srv, err := sfu.New(sfu.Config{LoopbackOnly: true}, testRooms{}, testLog())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	h := &harness{signal: "ws" + strings.TrimPrefix(hs.URL, "http"), events: make(chan Event, 1024)}
	lo := 20000 + 2*(os.Getpid()%4000)
	h.gw, err = New(Config{Listen: "127.0.0.1:0", RTPLow: lo, RTPHigh: lo + 200, AllowFrom: allow,
		Directory: testDirectory{}, SignalURL: h.signal, Loopback: true,
		Observe: func(e Event) { h.events <- e }}, testLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = h.gw.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = srv.Close()
		hs.Close()
	})
	return h
}

// wait returns the next event of kind (and detail, when given); the
// deadline only keeps a broken test from hanging.
func (h *harness) wait(t *testing.T, kind, detail string) Event {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case e := <-h.events:
			if e.Kind == kind && (detail == "" || e.Detail == detail) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s %s event", kind, detail)
		}
	}
}

// needTool finds a test tool: missing fails under CI, skips elsewhere.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required under CI (apt-get install baresip-core)", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// phone is a baresip user agent: its microphone plays a WAV file, it
// records what it hears (sndfile), and a test drives it over ctrl_tcp.
type phone struct {
	dir  string
	ctrl net.Conn
	cmd  *exec.Cmd
	out  *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startPhone(t *testing.T, user string, mic []int16) *phone {
	t.Helper()
	bin := needTool(t, "baresip")
	dir := t.TempDir()
	if err := writeWAV(filepath.Join(dir, "mic.wav"), mic); err != nil {
		t.Fatal(err)
	}
	sipPort, ctrlPort := freePort(t), freePort(t)
	conf := fmt.Sprintf(`poll_method epoll
sip_listen 127.0.0.1:%d
sip_transports udp
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module sndfile.so
module aubridge.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:%d
audio_source aufile,%s
audio_player aubridge,nil
audio_alert aubridge,nil
snd_path %s
rtp_ports 30000-39998
`, sipPort, ctrlPort, filepath.Join(dir, "mic.wav"), dir)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	acct := fmt.Sprintf("<sip:%s@127.0.0.1>;regint=0;audio_codecs=PCMU\n", user)
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(acct), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &phone{dir: dir, out: &lockedBuffer{}}
	p.cmd = exec.Command(bin, "-f", dir)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.Stdin = strings.NewReader("")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		if t.Failed() {
			t.Logf("baresip output:\n%s", p.out.String())
		}
	})
	for range 100 {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort))
		if err == nil {
			p.ctrl = c
			go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(c)) }()
			return p
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("baresip control port did not open:\n%s", p.out.String())
	return nil
}

// do sends one ctrl_tcp command (a netstring of JSON).
func (p *phone) do(t *testing.T, command, params string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": "t"})
	if _, err := fmt.Fprintf(p.ctrl, "%d:%s,", len(b), b); err != nil {
		t.Fatal(err)
	}
}

func (p *phone) dial(t *testing.T, gw *Gateway) {
	p.do(t, "dial", fmt.Sprintf("sip:hearth@127.0.0.1:%d", gw.Port()))
}

// keys sends DTMF (RFC 4733) one key at a time.
func (p *phone) keys(t *testing.T, keys string) {
	for _, k := range keys {
		p.do(t, "sndcode", string(k))
	}
}

// heard returns what the phone recorded from the call (after it ended).
func (p *phone) heard(t *testing.T) []int16 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.dir, "dump-*-dec.wav"))
	if len(files) == 0 {
		t.Fatalf("baresip recorded nothing:\n%s", p.out.String())
	}
	pcm, rate, err := readWAV(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 {
		t.Fatalf("recording at %d Hz", rate)
	}
	return pcm
}
