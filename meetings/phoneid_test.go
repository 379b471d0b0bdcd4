package meetings

import "testing"

func TestPhoneIDRoundTrip(t *testing.T) {
	for _, id := range []int64{1, 7, 42, 999, 123456789} {
		s := PhoneID(id)
		got, ok := ParsePhoneID(s)
		if !ok || got != id {
			t.Fatalf("PhoneID(%d) = %s parses to %d, %v", id, s, got, ok)
		}
	}
	if s := PhoneID(1); s != "10017" {
		t.Fatalf("PhoneID(1) = %s", s) // 1001: Luhn check digit 7
	}
}

func TestPhoneIDCatchesTypos(t *testing.T) {
	s := PhoneID(42)
	for i := range len(s) {
		for d := byte('0'); d <= '9'; d++ {
			if d == s[i] {
				continue
			}
			typo := s[:i] + string(d) + s[i+1:]
			if _, ok := ParsePhoneID(typo); ok {
				t.Fatalf("typo %s of %s accepted", typo, s)
			}
		}
	}
	for _, bad := range []string{"", "1", "abcde", "00000", "1000" + "0", "99999999999999999999"} {
		if _, ok := ParsePhoneID(bad); ok {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func FuzzParsePhoneID(f *testing.F) {
	f.Add(PhoneID(5))
	f.Add("12345")
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := ParsePhoneID(s); ok && PhoneID(id) != s {
			t.Fatalf("%q parses to %d, which prints as %s", s, id, PhoneID(id))
		}
	})
}
