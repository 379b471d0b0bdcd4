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
