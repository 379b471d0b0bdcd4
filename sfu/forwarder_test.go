package sfu

import (
	"testing"
	"time"
)

type fwdStep struct {
	layer    int
	seq      uint16
	ts       uint32
	key      bool
	pause    bool
	target   int
	wantOK   bool
	wantSeq  uint16
	wantTS   uint32
	wantPLI  bool
	advanced time.Duration
}

func TestForwarder(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name  string
		video bool
		steps []fwdStep
	}{
		{"audio passes through", false, []fwdStep{
			{seq: 10, ts: 100, wantOK: true, wantSeq: 10, wantTS: 100},
			{seq: 11, ts: 1060, wantOK: true, wantSeq: 11, wantTS: 1060},
		}},
		{"video waits for a keyframe", true, []fwdStep{
			{seq: 10, ts: 100, wantPLI: true},
			{seq: 11, ts: 3100, key: true, wantOK: true, wantSeq: 11, wantTS: 3100},
			{seq: 12, ts: 3100, wantOK: true, wantSeq: 12, wantTS: 3100},
		}},
		{"pause then resume is seamless", false, []fwdStep{
			{seq: 10, ts: 100, wantOK: true, wantSeq: 10, wantTS: 100},
			{seq: 11, ts: 1060, pause: true},
			{seq: 500, ts: 90000, wantOK: true, wantSeq: 11, wantTS: 100 + 48000, advanced: time.Second},
			{seq: 501, ts: 90960, wantOK: true, wantSeq: 12, wantTS: 100 + 48960, advanced: time.Second},
		}},
		{"sequence wraps", false, []fwdStep{
			{seq: 65535, ts: 1, wantOK: true, wantSeq: 65535, wantTS: 1},
			{seq: 0, ts: 2, wantOK: true, wantSeq: 0, wantTS: 2},
		}},
		{"layer switch only on the target's keyframe", true, []fwdStep{
			{layer: 0, seq: 1, ts: 10, key: true, wantOK: true, wantSeq: 1, wantTS: 10},
			{layer: 1, seq: 900, ts: 5000, target: 1},
			{layer: 0, seq: 2, ts: 20, target: 1, wantOK: true, wantSeq: 2, wantTS: 20},
			{layer: 1, seq: 901, ts: 5100, key: true, target: 1, wantOK: true, wantSeq: 3, wantTS: 20 + 9000, advanced: 100 * time.Millisecond},
			{layer: 0, seq: 3, ts: 30, target: 1, advanced: 100 * time.Millisecond},
			{layer: 1, seq: 902, ts: 5100, target: 1, wantOK: true, wantSeq: 4, wantTS: 20 + 9000, advanced: 100 * time.Millisecond},
		}},
		{"late packet from before a resume is dropped", false, []fwdStep{
			{seq: 10, ts: 100, wantOK: true, wantSeq: 10, wantTS: 100},
			{seq: 11, pause: true},
			{seq: 20, ts: 2000, wantOK: true, wantSeq: 11, wantTS: 101},
			{seq: 19, ts: 1900},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newForwarder(tc.video, 48000)
			if tc.video {
				f.clockRate = 90000
			}
			for i, s := range tc.steps {
				f.setPaused(s.pause)
				f.setTarget(s.target)
				v := f.forward(s.layer, s.seq, s.ts, s.key, t0.Add(s.advanced))
				if v.ok != s.wantOK || v.pli != s.wantPLI {
					t.Fatalf("step %d: ok=%v pli=%v, want ok=%v pli=%v", i, v.ok, v.pli, s.wantOK, s.wantPLI)
				}
				if v.ok && (v.seq != s.wantSeq || v.ts != s.wantTS) {
					t.Fatalf("step %d: seq %d ts %d, want %d %d", i, v.seq, v.ts, s.wantSeq, s.wantTS)
				}
			}
		})
	}
}

func BenchmarkForwarder(b *testing.B) {
	f := newForwarder(true, 90000)
	now := time.Now()
	f.forward(0, 0, 0, true, now)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f.forward(0, uint16(i+1), uint32(i/3)*3000, false, now)
	}
}

func TestVP8Keyframe(t *testing.T) {
	tests := []struct {
		payload []byte
		want    bool
	}{
		{[]byte{0x10, 0x00}, true},
		{[]byte{0x10, 0x01}, false},
		{[]byte{0x00, 0x00}, false},                  // not a partition start
		{[]byte{0x90, 0x80, 0x81, 0x02, 0x00}, true}, // X, I with 15-bit picture id
		{[]byte{0x90, 0x80, 0x01, 0x01}, false},
		{[]byte{0x90, 0xe0}, false}, // truncated
		{nil, false},
	}
	for _, tc := range tests {
		if got := isVP8Keyframe(tc.payload); got != tc.want {
			t.Errorf("%x: got %v", tc.payload, got)
		}
	}
}

func TestVP9AndH264Keyframes(t *testing.T) {
	tests := []struct {
		name string
		is   func([]byte) bool
		in   []byte
		want bool
	}{
		{"vp9 key start", isVP9Keyframe, []byte{0x08}, true},
		{"vp9 inter", isVP9Keyframe, []byte{0x48}, false},
		{"vp9 key middle", isVP9Keyframe, []byte{0x00}, false},
		{"h264 idr", isH264Keyframe, []byte{0x65}, true},
		{"h264 sps", isH264Keyframe, []byte{0x67}, true},
		{"h264 non-idr", isH264Keyframe, []byte{0x41}, false},
		{"h264 stap-a with sps", isH264Keyframe, []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68}, true},
		{"h264 stap-a truncated", isH264Keyframe, []byte{0x78, 0x00}, false},
		{"h264 fu-a idr start", isH264Keyframe, []byte{0x7c, 0x85}, true},
		{"h264 fu-a idr middle", isH264Keyframe, []byte{0x7c, 0x05}, false},
		{"empty", isH264Keyframe, nil, false},
	}
	for _, tc := range tests {
		if got := tc.is(tc.in); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  Ann  ", "Ann", true},
		{"Ann   B.", "Ann B.", true},
		{"", "", false},
		{"   ", "", false},
		{"a\x00b", "", false},
		{"a\u202eb", "", false},
		{string(make([]rune, 41, 41)), "", false},
		{"Zoë 🙂", "Zoë 🙂", true},
	}
	for _, tc := range tests {
		got, err := cleanName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("cleanName(%q) = %q, %v", tc.in, got, err)
		}
	}
	taken := map[string]bool{"Ann": true, "Ann (2)": true}
	if got := uniqueName("Ann", func(n string) bool { return taken[n] }); got != "Ann (3)" {
		t.Errorf("uniqueName = %q", got)
	}
}

// TestForwarderLongRun: a stream forwarded without a break for longer
// than half the sequence space (a camera left on for a few minutes) keeps
// flowing, with continuous sequence numbers.
func TestForwarderLongRun(t *testing.T) {
	for _, video := range []bool{false, true} {
		f := newForwarder(video, 90000)
		now := time.Unix(0, 0)
		in, out := uint16(100), uint16(0)
		for i := range 3 * 65536 {
			v := f.forward(0, in, uint32(i)*3000, i == 0, now)
			if !v.ok || (i > 0 && v.seq != out+1) {
				t.Fatalf("video=%v: packet %d (seq %d): ok=%v seq %d after %d", video, i, in, v.ok, v.seq, out)
			}
			out = v.seq
			in++
			now = now.Add(10 * time.Millisecond)
		}
		// A packet far older than the newest is still dropped.
		if v := f.forward(0, in-runWindow-10, 0, false, now); v.ok {
			t.Errorf("video=%v: a packet %d behind the newest was forwarded", video, runWindow+10)
		}
	}
}
