package dialin

import "testing"

func TestG711RoundTrip(t *testing.T) {
	for _, c := range []codec{pcmu, pcma} {
		for s := -32768; s <= 32767; s += 7 {
			got := int(c.decode(c.encode(int16(s))))
			d := got - s
			if d < 0 {
				d = -d
			}
			// Companding keeps the error within a few percent of the
			// sample (and within one step near zero).
			if lim := max(abs(s)/16, 16); d > lim {
				t.Fatalf("%s: %d -> %d (error %d > %d)", c.name, s, got, d, lim)
			}
		}
	}
}

func TestG711KnownValues(t *testing.T) {
	// Silence codes from G.711: mu-law 0xff and A-law 0xd5 are zero.
	if v := ulawDecode(0xff); v != 0 {
		t.Fatalf("ulaw 0xff = %d", v)
	}
	if b := ulawEncode(0); b != 0xff {
		t.Fatalf("ulaw(0) = %#x", b)
	}
	if b := alawEncode(0); b != 0xd5 {
		t.Fatalf("alaw(0) = %#x", b)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
