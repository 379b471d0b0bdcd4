package dialin

import (
	"math"
	"os"
	"testing"

	"github.com/pion/opus"
)

// oggPackets reads an Ogg Opus file's audio packets (headers skipped).
func oggPackets(t testing.TB, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pkts [][]byte
	var cur []byte
	for len(b) >= 27 {
		if string(b[:4]) != "OggS" {
			t.Fatalf("%s: not an Ogg page", path)
		}
		nseg := int(b[26])
		lacing := b[27 : 27+nseg]
		data := b[27+nseg:]
		for _, l := range lacing {
			cur = append(cur, data[:l]...)
			data = data[l:]
			if l < 255 {
				pkts = append(pkts, cur)
				cur = nil
			}
		}
		b = data
	}
	return pkts[2:] // OpusHead, OpusTags
}

// tonePower is the share of a frame's energy at freq (Goertzel), 0..1.
func tonePower(pcm []int16, freq, rate float64) float64 {
	w := 2 * math.Pi * freq / rate
	c := 2 * math.Cos(w)
	var s1, s2, total float64
	for _, v := range pcm {
		x := float64(v)
		s0 := x + c*s1 - s2
		s2, s1 = s1, s0
		total += x * x
	}
	if total == 0 {
		return 0
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return 2 * p / (float64(len(pcm)) * total)
}

// toneFrames counts 20 ms frames (8 kHz) where freq carries most energy
// and the frame is not near silence.
func toneFrames(pcm []int16, freq float64) int {
	n := 0
	for i := 0; i+frameSamples <= len(pcm); i += frameSamples {
		f := pcm[i : i+frameSamples]
		if rms(f) > 300 && tonePower(f, freq, 8000) > 0.5 {
			n++
		}
	}
	return n
}

func rms(pcm []int16) float64 {
	var s float64
	for _, v := range pcm {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(1, len(pcm))))
}

func sine(freq float64, samples int, amp float64) []int16 {
	out := make([]int16, samples)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/8000))
	}
	return out
}

// The pure-Go decoder turns each kind of Opus a browser may send (CELT
// fullband, hybrid, SILK wideband) into 8 kHz audio that carries the
// signal.
func TestOpusDecodesToNarrowband(t *testing.T) {
	for _, f := range []string{"tone660.ogg", "tone660-speech.ogg", "tone660-wb.ogg"} {
		t.Run(f, func(t *testing.T) {
			dec, err := opus.NewDecoderWithOutput(8000, 1)
			if err != nil {
				t.Fatal(err)
			}
			var pcm []int16
			buf := make([]int16, 960)
			for _, p := range oggPackets(t, "testdata/"+f) {
				n, err := dec.DecodeToInt16(p, buf)
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				pcm = append(pcm, buf[:n]...)
			}
			if len(pcm) < 2*8000 {
				t.Fatalf("decoded %d samples, want about 3 s", len(pcm))
			}
			frames := len(pcm) / frameSamples
			if got := toneFrames(pcm, 660); got < frames*8/10 {
				t.Fatalf("660 Hz in %d of %d frames", got, frames)
			}
			if got := toneFrames(pcm, 1000); got != 0 {
				t.Fatalf("1000 Hz found in %d frames of a 660 Hz tone", got)
			}
		})
	}
}
