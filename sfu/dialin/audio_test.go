package dialin

import (
	"encoding/binary"
	"errors"
	"fmt"
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

// writeWAV writes 8 kHz mono 16-bit PCM.
func writeWAV(path string, pcm []int16) error {
	b := make([]byte, 44+2*len(pcm))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(pcm)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}

// readWAV reads a 16-bit mono WAV's samples and rate.
func readWAV(path string) ([]int16, int, error) {
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
