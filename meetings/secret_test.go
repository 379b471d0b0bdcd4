package meetings

import (
	"errors"
	"strings"
	"testing"
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
