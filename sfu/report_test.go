package sfu

import (
	"testing"
	"time"
)

func TestNTPTime(t *testing.T) {
	got := ntpTime(time.Unix(0, 500_000_000))
	if want := uint64(2_208_988_800)<<32 | 1<<31; got != want {
		t.Fatalf("NTP time of 1970 + 0.5 s: %#x, want %#x", got, want)
	}
}

// A sender report carries what was sent and the RTP time that goes with
// its wall-clock time: the newest frame's timestamp, moved on by the time
// since that frame's first packet left.
func TestSenderReport(t *testing.T) {
	var r sendReport
	at := time.Unix(1000, 0)
	if _, ok := r.report(7, 90000, at); ok {
		t.Fatal("a report before anything was sent")
	}
	r.count(1000, 1200, at)
	r.count(1000, 800, at.Add(5*time.Millisecond)) // the same frame, later
	r.count(4000, 100, at.Add(33*time.Millisecond))
	sr, ok := r.report(7, 90000, at.Add(133*time.Millisecond))
	if !ok {
		t.Fatal("no report")
	}
	if sr.SSRC != 7 || sr.PacketCount != 3 || sr.OctetCount != 2100 {
		t.Errorf("report %+v, want SSRC 7, 3 packets, 2100 octets", sr)
	}
	// 100 ms after the frame stamped 4000 at 90 kHz.
	if sr.RTPTime != 4000+9000 {
		t.Errorf("RTP time %d, want %d", sr.RTPTime, 4000+9000)
	}
	if sr.NTPTime != ntpTime(at.Add(133*time.Millisecond)) {
		t.Errorf("NTP time %#x", sr.NTPTime)
	}
}
