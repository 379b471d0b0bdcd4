package dialin

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/sfu/dialin/dialintest"
	"github.com/pion/opus"
)

// BenchmarkCallersInOneRoom seats N baresip phones in one room with one
// browser-like member publishing Opus, every phone talking at once (the
// worst case: each caller's mix holds every other caller and the member),
// and reports the CPU of this process (gateway, SFU and the Pion member;
// the phones are separate processes) per second of the meeting.
//
//	go test -run XXX -bench CallersInOneRoom -benchtime 10x ./sfu/dialin/
func BenchmarkCallersInOneRoom(b *testing.B) {
	for _, talking := range []bool{true, false} {
		for _, n := range []int{1, 5, 10, 20} {
			name := fmt.Sprintf("callers=%d/all-talking", n)
			if !talking {
				name = fmt.Sprintf("callers=%d/member-talking", n)
			}
			b.Run(name, func(b *testing.B) { benchCallers(b, n, talking) })
		}
	}
}

// benchCallers: with talking, every phone sends a loud tone; without, the
// phones send silence (as callers listening to one speaker do, whose
// audio the SFU stops forwarding after 2 s) and only the member speaks.
func benchCallers(b *testing.B, n int, talking bool) {
	h := newHarness(b)
	chair := joinBrowser(b, h, "monday", testHostKey, "", oggPackets(b, "testdata/tone660-speech.ogg"))
	for i := range n {
		amp := 8000.0
		if !talking {
			amp = 0
		}
		ph := dialintest.Start(b, fmt.Sprintf("555020%02d", i), sine(toneHz, 8000*300, amp))
		ph.Dial(b, h.gw.Port())
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(ph.Output(), "Call established") {
			if time.Now().After(deadline) {
				b.Fatalf("call %d not established", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
		ph.Keys(b, testMeetingID+"#"+testPIN+"#") // typed over the prompts
		h.wait(b, "joined", "")
	}
	if talking {
		chair.waitHeard(b, 50)
	} else {
		time.Sleep(3 * time.Second) // past the SFU's 2 s silence gate
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range b.N {
		time.Sleep(time.Second)
	}
	wall, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	b.ReportMetric(cpu.Seconds()/wall.Seconds(), "cores")
	b.ReportMetric(cpu.Seconds()/wall.Seconds()/float64(n), "cores/caller")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOpusDecode is the cost of decoding one 20 ms Opus packet of a
// browser's kind to 8 kHz (once per speaker per caller):
//
//	go test -run XXX -bench 'OpusDecode|Mix' ./sfu/dialin/
func BenchmarkOpusDecode(b *testing.B) {
	for _, f := range []string{"tone660.ogg", "tone660-speech.ogg", "tone660-wb.ogg"} {
		b.Run(f, func(b *testing.B) {
			pkts := oggPackets(b, "testdata/"+f)
			dec, err := opus.NewDecoderWithOutput(8000, 1)
			if err != nil {
				b.Fatal(err)
			}
			pcm := make([]int16, 960)
			b.ResetTimer()
			for i := range b.N {
				if _, err := dec.DecodeToInt16(pkts[i%len(pkts)], pcm); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMix is one caller's 20 ms frame mixed from 6 speakers.
func BenchmarkMix(b *testing.B) {
	m := newMixer()
	var sp []*speaker
	for range maxMixed {
		sp = append(sp, m.add())
	}
	frame := sine(440, frameSamples, 8000)
	out := make([]int16, frameSamples)
	for _, s := range sp {
		m.push(s, frame)
		m.push(s, frame)
	}
	b.ResetTimer()
	for range b.N {
		for _, s := range sp {
			m.push(s, frame)
		}
		m.next(out)
	}
}
