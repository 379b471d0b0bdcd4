package meetings

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// One home for the secret rules: the API, the importer and the demo all
// get passcodes and host keys from here.
func TestSecretRules(t *testing.T) {
	for _, p := range []string{"abc", strings.Repeat("x", PasscodeMax+1)} {
		var ve *ValidationError
		if _, err := HashPasscode(p); !errors.As(err, &ve) || ve.Problems[0].Field != "room.passcode" {
			t.Errorf("passcode of %d bytes: %v", len(p), err)
		}
	}
	h, err := HashPasscode("serenity")
	if err != nil || !VerifySecret(h, "serenity") || VerifySecret(h, "serenity!") {
		t.Fatalf("passcode hash %q: %v", h, err)
	}
	key, hash, err := NewHostKeyHash()
	if err != nil || len(key) != 19 || !VerifySecret(hash, key) {
		t.Fatalf("host key %q: %v", key, err)
	}
}

func TestPhonePINRules(t *testing.T) {
	for _, p := range []string{"12345", strings.Repeat("1", PhonePINMax+1), "12345a", "123 456", "١٢٣٤٥٦"} {
		var ve *ValidationError
		if _, err := HashPhonePIN(p); !errors.As(err, &ve) || ve.Problems[0].Field != "room.phone_pin" {
			t.Errorf("PIN %q: %v", p, err)
		}
	}
	pin, hash, err := NewPhonePINHash()
	if err != nil || len(pin) != phonePINGenerated || strings.Trim(pin, "0123456789") != "" || !VerifySecret(hash, pin) {
		t.Fatalf("made PIN %q: %v", pin, err)
	}
}

// The PIN follows the passcode: set together, removed together, never
// without one; the caller's PIN check falls back to an older meeting's
// passcode only while it has no PIN.
func TestChangeSecrets(t *testing.T) {
	str := func(s string) *string { return &s }
	var ve *ValidationError

	c, shown, err := ChangeSecrets(str("serenity"), nil, false)
	if err != nil || c.PasscodeHash == nil || c.PhonePINHash == nil || !VerifySecret(*c.PhonePINHash, shown) {
		t.Fatalf("new passcode: %+v %q %v", c, shown, err)
	}
	c, shown, err = ChangeSecrets(str("serenity"), str("24681357"), false)
	if err != nil || shown != "" || !VerifySecret(*c.PhonePINHash, "24681357") {
		t.Fatalf("passcode with chosen PIN: %+v %q %v", c, shown, err)
	}
	c, shown, err = ChangeSecrets(nil, str("24681357"), true)
	if err != nil || shown != "" || c.PasscodeHash != nil || !VerifySecret(*c.PhonePINHash, "24681357") {
		t.Fatalf("PIN alone: %+v %q %v", c, shown, err)
	}
	if c, _, err = ChangeSecrets(str(""), nil, true); err != nil || *c.PasscodeHash != "" || *c.PhonePINHash != "" {
		t.Fatalf("removing the passcode keeps a PIN: %+v %v", c, err)
	}
	if c, _, err = ChangeSecrets(nil, nil, true); err != nil || c.PasscodeHash != nil || c.PhonePINHash != nil {
		t.Fatalf("no change changed: %+v %v", c, err)
	}
	for _, tc := range []struct{ passcode, pin *string }{
		{nil, str("24681357")},       // no passcode to go with it
		{str(""), str("24681357")},   // removing the passcode
		{str("serenity"), str("12")}, // too short
		{nil, str("")},
	} {
		if _, _, err := ChangeSecrets(tc.passcode, tc.pin, false); !errors.As(err, &ve) || ve.Problems[0].Field != "room.phone_pin" {
			t.Errorf("passcode %v PIN %v: %v", tc.passcode, tc.pin, err)
		}
	}

	passcode, _ := HashPasscode("8642")
	pin, _ := HashPhonePIN("97531246")
	old := RoomSettings{PasscodeHash: passcode}
	if !VerifyPhonePIN(old, "8642") || VerifyPhonePIN(old, "97531246") {
		t.Error("a meeting without a PIN: its passcode is the PIN")
	}
	now := RoomSettings{PasscodeHash: passcode, PhonePINHash: pin}
	if !VerifyPhonePIN(now, "97531246") || VerifyPhonePIN(now, "8642") {
		t.Error("a meeting with a PIN: only the PIN admits a caller")
	}
	if !VerifyPhonePIN(RoomSettings{}, "") {
		t.Error("a meeting without a passcode asks for no PIN")
	}
}

// The fingerprint in a hash turns wrong guesses away without argon2id and
// never turns the right secret away; a hash from before fingerprints
// screens unknown until WithFingerprint adds one, after which it verifies
// as before.
func TestScreenSecret(t *testing.T) {
	key, hash, err := NewHostKeyHash()
	if err != nil {
		t.Fatal(err)
	}
	if ScreenSecret(hash, key) != ScreenMaybe || !VerifySecret(hash, key) {
		t.Fatalf("the right key screens %v", ScreenSecret(hash, key))
	}
	maybe := 0
	const guesses = 200_000
	for i := range guesses {
		switch ScreenSecret(hash, fmt.Sprint("guess-", i)) {
		case ScreenMaybe:
			maybe++
		case ScreenUnknown:
			t.Fatal("a hash with a fingerprint screened unknown")
		}
	}
	if maybe > 20 { // about 3 expected (1 in 65,536)
		t.Errorf("%d of %d wrong guesses passed the fingerprint", maybe, guesses)
	}
	old := strings.Replace(hash, ",fp="+strings.SplitN(strings.Split(hash, ",fp=")[1], "$", 2)[0], "", 1)
	if old == hash || ScreenSecret(old, key) != ScreenUnknown || ScreenSecret(old, "wrong") != ScreenUnknown || !VerifySecret(old, key) {
		t.Fatalf("hash without fingerprint %q", old)
	}
	upgraded, ok := WithFingerprint(old, key)
	if !ok || upgraded != hash || !VerifySecret(upgraded, key) {
		t.Fatalf("WithFingerprint: %q %v, want %q", upgraded, ok, hash)
	}
	if _, ok := WithFingerprint(hash, key); ok {
		t.Error("WithFingerprint rewrote a hash that has one")
	}
	for _, bad := range []string{"", "$argon2id$junk", strings.Replace(hash, ",fp=", ",fp=zz", 1)} {
		if ScreenSecret(bad, key) != ScreenNo || VerifySecret(bad, key) {
			t.Errorf("malformed hash %q screens %v", bad, ScreenSecret(bad, key))
		}
	}
	if ScreenNo.Or(ScreenMaybe) != ScreenMaybe || ScreenNo.Or(ScreenUnknown) != ScreenUnknown || ScreenNo.Or(ScreenNo) != ScreenNo {
		t.Error("Or")
	}
	r := RoomSettings{PasscodeHash: hash}
	if ScreenPhonePIN(r, key) != ScreenMaybe || ScreenPhonePIN(RoomSettings{}, "x") != ScreenMaybe {
		t.Error("ScreenPhonePIN does not follow VerifyPhonePIN")
	}
}

// Every host key a meeting has is screened: its own and each service
// role's in force; an ended role's key is screened out as a wrong one is,
// and MatchHostKeyHash says which hash matched (for the lazy migration).
func TestScreenHostKey(t *testing.T) {
	now := time.Date(2027, time.April, 1, 12, 0, 0, 0, time.UTC)
	own, ownHash, _ := NewHostKeyHash()
	sec, secHash, _ := NewHostKeyHash()
	old, oldHash, _ := NewHostKeyHash()
	m := &Meeting{Series: Series{TimeZone: "UTC", Room: RoomSettings{HostKeyHash: ownHash, HostRoles: []HostRole{
		{Label: "Secretary", KeyHash: secHash}, {Label: "Past treasurer", KeyHash: oldHash, Until: &Date{2027, time.March, 1}}}}}}
	for key, want := range map[string]Screen{own: ScreenMaybe, sec: ScreenMaybe} {
		if got := ScreenHostKey(m, key, now); got != want {
			t.Errorf("key %q screens %v, want %v", key, got, want)
		}
	}
	if ck, hash, ok := MatchHostKeyHash(m, sec, now); !ok || hash != secHash || ck.Label != "Secretary" {
		t.Errorf("the secretary's key matched %+v %q %v", ck, hash, ok)
	}
	if _, _, ok := MatchHostKeyHash(m, old, now); ok {
		t.Error("an ended role's key matched")
	}
	passed := 0
	for i := range 1000 {
		if ScreenHostKey(m, fmt.Sprint("guess-", i), now) != ScreenNo {
			passed++
		}
	}
	if passed > 2 {
		t.Errorf("%d of 1000 wrong keys passed the screen of 2 keys", passed)
	}
}
