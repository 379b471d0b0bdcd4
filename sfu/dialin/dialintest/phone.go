// Package dialintest drives a real SIP phone (baresip) in tests: its
// microphone plays a WAV file, it records what it hears, and the test
// dials and types DTMF over baresip's control port.
package dialintest

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// needTool finds a test tool: missing fails under CI, skips elsewhere.
func NeedTool(t testing.TB, name string) string {
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

// freePorts finds n consecutive ports free for TCP and UDP on loopback,
// below the kernel's ephemeral range (32768 and up). baresip binds its
// TLS transport on the SIP port + 1 whatever sip_transports says; that
// odd neighbour of a kernel-chosen port is where the machine's outgoing
// connections and their TIME_WAIT sockets live, so on a busy CI machine it
// was taken five times in a row. Ports below the range are only ever
// bound on purpose.
func freePorts(t testing.TB, n int) int {
	t.Helper()
	for range 200 {
		base := 12000 + 2*rand.IntN(9000) // 12000..29998
		if portsFree(base, n) {
			return base
		}
	}
	t.Fatalf("no %d free consecutive ports below 30000", n)
	return 0
}

func portsFree(base, n int) bool {
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for p := base; p < base+n; p++ {
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return false
		}
		closers = append(closers, l)
		u, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		closers = append(closers, u)
	}
	return true
}

// phone is a baresip user agent: its microphone plays a WAV file, it
// records what it hears (sndfile), and a test drives it over ctrl_tcp.
type Phone struct {
	dir  string
	ctrl net.Conn
	Cmd  *exec.Cmd
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

func Start(t testing.TB, user string, mic []int16) *Phone {
	t.Helper()
	return StartAccount(t, user, mic, "")
}

// StartWithAuth is Start for a phone that answers digest challenges as a
// trunk does, with the given username and password.
func StartWithAuth(t testing.TB, user string, mic []int16, authUser, authPass string) *Phone {
	t.Helper()
	return StartAccount(t, user, mic, fmt.Sprintf(";auth_user=%s;auth_pass=%s", authUser, authPass))
}

// StartAccount is Start with extra baresip account parameters.
func StartAccount(t testing.TB, user string, mic []int16, params string) *Phone {
	t.Helper()
	bin := NeedTool(t, "baresip")
	// The ports are free when chosen but another test process may take one
	// (or baresip's TLS twin, the SIP port + 1) before baresip binds it:
	// choose again then.
	for attempt := 1; ; attempt++ {
		p, taken := start(t, bin, user, mic, params)
		if !taken || attempt == 5 {
			if p == nil {
				t.Fatalf("baresip control port did not open")
			}
			return p
		}
	}
}

// start runs one baresip; taken says its ports were taken meanwhile.
func start(t testing.TB, bin, user string, mic []int16, params string) (p *Phone, taken bool) {
	t.Helper()
	dir := t.TempDir()
	if err := WriteWAV(filepath.Join(dir, "mic.wav"), mic); err != nil {
		t.Fatal(err)
	}
	sipPort, ctrlPort := freePorts(t, 2), freePorts(t, 1)
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
	acct := fmt.Sprintf("<sip:%s@127.0.0.1>;regint=0;audio_codecs=PCMU%s\n", user, params)
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(acct), 0o644); err != nil {
		t.Fatal(err)
	}
	// The cleanup keeps its own pointer: p is nil when this returns taken.
	ph := &Phone{dir: dir, out: &lockedBuffer{}}
	p = ph
	p.Cmd = exec.Command(bin, "-f", dir)
	p.Cmd.Stdout, p.Cmd.Stderr = p.out, p.out
	p.Cmd.Stdin = strings.NewReader("")
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ph.Cmd.Process.Kill()
		_ = ph.Cmd.Wait()
		if t.Failed() {
			t.Logf("baresip output:\n%s", ph.out.String())
		}
	})
	for range 100 {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort))
		if err == nil {
			p.ctrl = c
			go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(c)) }()
			return p, false
		}
		if strings.Contains(p.out.String(), "Address already in use") {
			_ = p.Cmd.Process.Kill()
			return nil, true
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("baresip control port did not open:\n%s", p.out.String())
	return nil, false
}

// do sends one ctrl_tcp command (a netstring of JSON).
func (p *Phone) Do(t testing.TB, command, params string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": "t"})
	if _, err := fmt.Fprintf(p.ctrl, "%d:%s,", len(b), b); err != nil {
		t.Fatal(err)
	}
}

func (p *Phone) Dial(t testing.TB, port int) {
	p.Do(t, "dial", fmt.Sprintf("sip:hearth@127.0.0.1:%d", port))
}

// keys sends DTMF (RFC 4733) one key at a time.
func (p *Phone) Keys(t testing.TB, keys string) {
	for _, k := range keys {
		p.Do(t, "sndcode", string(k))
	}
}

// heard returns what the phone recorded from the call (after it ended).
func (p *Phone) Heard(t testing.TB) []int16 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.dir, "dump-*-dec.wav"))
	if len(files) == 0 {
		t.Fatalf("baresip recorded nothing:\n%s", p.out.String())
	}
	pcm, rate, err := ReadWAV(files[len(files)-1])
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 {
		t.Fatalf("recording at %d Hz", rate)
	}
	return pcm
}

// WriteWAV writes 8 kHz mono 16-bit PCM.
func WriteWAV(path string, pcm []int16) error { return WriteWAVRate(path, pcm, 8000) }

// WriteWAVRate writes mono 16-bit PCM at rate samples a second.
func WriteWAVRate(path string, pcm []int16, rate int) error {
	b := make([]byte, 44+2*len(pcm))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(pcm)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*rate))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadWAV reads a 16-bit mono WAV's samples and rate.
func ReadWAV(path string) ([]int16, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV file")
	}
	rate, channels := 0, 1
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			out := make([]int16, 0, len(body)/2/channels)
			for i := 0; i+2*channels <= len(body); i += 2 * channels {
				out = append(out, int16(binary.LittleEndian.Uint16(body[i:])))
			}
			return out, rate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, fmt.Errorf("%s: no data chunk", path)
}

// Output is what baresip printed so far.
func (p *Phone) Output() string { return p.out.String() }

// Quit ends baresip and waits for it (its recording is complete then).
func (p *Phone) Quit(t testing.TB) {
	p.Do(t, "quit", "")
	_ = p.Cmd.Wait()
}

// ToneFrames counts the 20 ms frames of 8 kHz audio in which freq carries
// most of the energy (Goertzel) and the frame is not near silence.
func ToneFrames(pcm []int16, freq float64) int {
	const frame = 160
	n := 0
	for i := 0; i+frame <= len(pcm); i += frame {
		f := pcm[i : i+frame]
		w := 2 * math.Pi * freq / 8000
		c := 2 * math.Cos(w)
		var s1, s2, total float64
		for _, v := range f {
			x := float64(v)
			s1, s2 = x+c*s1-s2, s1
			total += x * x
		}
		if total == 0 || math.Sqrt(total/frame) < 300 {
			continue
		}
		if p := s1*s1 + s2*s2 - c*s1*s2; 2*p/(frame*total) > 0.5 {
			n++
		}
	}
	return n
}

// Sine is a tone at freq Hz, rate samples a second, of amplitude amp.
func Sine(freq float64, rate, samples int, amp float64) []int16 {
	out := make([]int16, samples)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}
