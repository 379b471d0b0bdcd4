package meetings

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters (RFC 9106's second recommended option, with less
// memory so that a small server can check a few keys a second).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
	saltLen      = 16
)

// HashSecret hashes a passcode, host key or admin token with argon2id and
// returns it in the PHC string format, so parameters can change later
// without invalidating stored hashes.
func HashSecret(secret string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("meetings: salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifySecret reports whether secret matches a hash made by HashSecret, in
// constant time. A malformed hash never matches.
func VerifySecret(hash, secret string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Passcode length bounds: shorter ones are guessed in minutes, longer ones
// would make argon2id a lever for using up the server's CPU.
const (
	PasscodeMin = 4
	PasscodeMax = 64
)

// HashPasscode checks a passcode a scheduler chose and hashes it. A
// passcode out of bounds is a *ValidationError on room.passcode.
func HashPasscode(p string) (string, error) {
	if len(p) < PasscodeMin || len(p) > PasscodeMax {
		return "", &ValidationError{Problems: []FieldError{{Field: "room.passcode",
			Message: fmt.Sprintf("a passcode must be %d to %d characters", PasscodeMin, PasscodeMax)}}}
	}
	return HashSecret(p)
}

// Phone PIN rules. A PIN is typed on a telephone keypad, so it is digits
// only; it is shorter than a passcode may be, so it is long enough that
// the per-caller limiter (a few tries each) makes guessing hopeless, and
// no longer than the dial-in gateway accepts in one entry.
const (
	PhonePINMin = 6
	PhonePINMax = 16
	// phonePINGenerated is the length of the PINs Hearth makes: 8 digits,
	// what bridges such as Zoom's and Webex's ask callers to type.
	phonePINGenerated = 8
	phonePINSpace     = 100_000_000 // 10^phonePINGenerated
)

// HashPhonePIN checks a phone PIN a scheduler chose and hashes it. A PIN
// out of bounds or with a non-digit is a *ValidationError on room.phone_pin.
func HashPhonePIN(pin string) (string, error) {
	if !validPhonePIN(pin) {
		return "", &ValidationError{Problems: []FieldError{{Field: "room.phone_pin",
			Message: fmt.Sprintf("a phone PIN must be %d to %d digits (0-9)", PhonePINMin, PhonePINMax)}}}
	}
	return HashSecret(pin)
}

func validPhonePIN(pin string) bool {
	if len(pin) < PhonePINMin || len(pin) > PhonePINMax {
		return false
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// NewPhonePINHash makes a meeting's phone PIN and its hash. The PIN is
// shown once, to whoever set the passcode or reset the PIN; only the hash
// is kept.
func NewPhonePINHash() (pin, hash string, err error) {
	n, err := rand.Int(rand.Reader, big.NewInt(phonePINSpace))
	if err != nil {
		return "", "", fmt.Errorf("meetings: phone PIN: %w", err)
	}
	pin = fmt.Sprintf("%0*d", phonePINGenerated, n.Int64())
	if hash, err = HashSecret(pin); err != nil {
		return "", "", err
	}
	return pin, hash, nil
}

// SecretChange is a change to a meeting's passcode and phone PIN, as
// hashes; nil keeps one, "" removes it. The store writes both in one
// transaction with the rest of the meeting.
type SecretChange struct {
	PasscodeHash *string
	PhonePINHash *string
}

// ChangeSecrets applies the rules tying the phone PIN to the passcode to
// what a scheduler typed (nil: the field was left out): a new passcode
// brings a new PIN (the one typed, else a made one, returned in shownPIN
// to be shown once), removing the passcode removes the PIN, and a PIN
// alone needs a meeting that has a passcode (hasPasscode). The PIN is what
// a caller types instead of the passcode; a meeting whose passcode
// predates PINs has none until one is set (see VerifyPhonePIN).
func ChangeSecrets(passcode, pin *string, hasPasscode bool) (c SecretChange, shownPIN string, err error) {
	none := ""
	switch {
	case passcode != nil && *passcode == "":
		if pin != nil && *pin != "" {
			return c, "", pinNeedsPasscode()
		}
		c.PasscodeHash, c.PhonePINHash = &none, &none
		return c, "", nil
	case passcode != nil:
		h, err := HashPasscode(*passcode)
		if err != nil {
			return c, "", err
		}
		c.PasscodeHash = &h
	case pin == nil:
		return c, "", nil
	case !hasPasscode:
		return c, "", pinNeedsPasscode()
	}
	var h string
	if pin != nil {
		h, err = HashPhonePIN(*pin)
	} else {
		shownPIN, h, err = NewPhonePINHash()
	}
	if err != nil {
		return SecretChange{}, "", err
	}
	c.PhonePINHash = &h
	return c, shownPIN, nil
}

func pinNeedsPasscode() error {
	return &ValidationError{Problems: []FieldError{{Field: "room.phone_pin",
		Message: "a phone PIN needs a passcode: set one first"}}}
}

// VerifyPhonePIN reports whether pin admits a caller to a room: the PIN
// when the meeting has one. A meeting whose passcode was set before PINs
// existed has none yet: its passcode serves as the PIN (only an all-digit
// passcode can be typed on a keypad) until a PIN is set or the passcode
// changes. A meeting without a passcode needs no PIN.
func VerifyPhonePIN(r RoomSettings, pin string) bool {
	switch {
	case !r.HasPasscode():
		return true
	case r.PhonePINHash != "":
		return VerifySecret(r.PhonePINHash, pin)
	default:
		return VerifySecret(r.PasscodeHash, pin)
	}
}

// ChairKey is what a right host key is: the meeting's own key (Label "")
// or a service role's, good until Ends (zero: no end).
type ChairKey struct {
	Label string
	Ends  time.Time
}

// MatchHostKey reports which of the meeting's host keys key is at now:
// the meeting's own, or a service role's that is in force. A revoked role
// is gone and an expired one is skipped, so either is refused exactly as
// a wrong key is. This is the one place a host key is checked; each
// candidate costs one argon2id verification (MaxHostRoles bounds them).
func MatchHostKey(m *Meeting, key string, now time.Time) (ChairKey, bool) {
	r, loc := &m.Room, m.RolesZone()
	if r.HostKeyHash != "" && VerifySecret(r.HostKeyHash, key) {
		return ChairKey{}, true
	}
	for _, h := range r.HostRoles {
		if h.InForce(loc, now) && VerifySecret(h.KeyHash, key) {
			return ChairKey{Label: h.Label, Ends: h.Ends(loc)}, true
		}
	}
	return ChairKey{}, false
}

// NewHostKeyHash makes a meeting's host key and its hash. The key is shown
// once, to whoever set the meeting up or reset it; only the hash is kept.
func NewHostKeyHash() (key, hash string, err error) {
	if key, err = NewHostKey(); err != nil {
		return "", "", err
	}
	if hash, err = HashSecret(key); err != nil {
		return "", "", err
	}
	return key, hash, nil
}

// NewHostKey makes a host key a chair can read aloud or type on a phone:
// 4 groups of 4 characters from an alphabet without look-alikes (about 79 bits).
func NewHostKey() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("meetings: host key: %w", err)
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String(), nil
}

// NewToken makes a random URL-safe token (admin tokens, 256 bits).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("meetings: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
