package meetings

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
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
// without invalidating stored hashes. The parameters also carry the
// secret's fingerprint (fp=, see ScreenSecret); a Hearth from before
// fingerprints reads the argon2id parameters and ignores it.
func HashSecret(secret string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("meetings: salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d,fp=%s$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, fingerprint(salt, secret),
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// phc is a parsed argon2id PHC string.
type phc struct {
	mem, iters uint32
	threads    uint8
	salt, key  []byte
	fp         string // 4 hex digits; "" in hashes from before fingerprints
}

func parsePHC(hash string) (phc, bool) {
	var h phc
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return h, false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, false
	}
	params, fp, withFP := strings.Cut(parts[3], ",fp=")
	if _, err := fmt.Sscanf(params, "m=%d,t=%d,p=%d", &h.mem, &h.iters, &h.threads); err != nil {
		return h, false
	}
	if withFP {
		if _, err := hex.DecodeString(fp); err != nil || len(fp) != fingerprintLen {
			return h, false
		}
		h.fp = fp
	}
	b64 := base64.RawStdEncoding
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil {
		return h, false
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) == 0 {
		return h, false
	}
	return h, true
}

// VerifySecret reports whether secret matches a hash made by HashSecret, in
// constant time. A malformed hash never matches.
func VerifySecret(hash, secret string) bool {
	h, ok := parsePHC(hash)
	if !ok {
		return false
	}
	got := argon2.IDKey([]byte(secret), h.salt, h.iters, h.mem, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1
}

// fingerprintLen is the fingerprint's length in hex digits (16 bits).
const fingerprintLen = 4

// fingerprint is a 16-bit digest of secret keyed by the hash's own random
// salt: equal secrets in two meetings have unrelated fingerprints, and no
// key needs sharing between nodes (the salt travels with the hash).
func fingerprint(salt []byte, secret string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte("hearth secret fingerprint v1\x00"))
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil)[:fingerprintLen/2])
}

// Screen is what a secret's fingerprint says of a guess, in microseconds
// and without argon2id.
type Screen int

const (
	// ScreenUnknown: the hash has no fingerprint (stored before them, see
	// WithFingerprint); only VerifySecret can tell.
	ScreenUnknown Screen = iota
	// ScreenNo: certainly not the secret.
	ScreenNo
	// ScreenMaybe: the fingerprint matches. The secret does, and so does one
	// wrong guess in 65,536; only VerifySecret can tell them apart.
	ScreenMaybe
)

// Or is what a guess that may be either of two secrets screens as: maybe
// if either says maybe, else unknown if either cannot tell.
func (s Screen) Or(o Screen) Screen {
	switch {
	case s == ScreenMaybe || o == ScreenMaybe:
		return ScreenMaybe
	case s == ScreenUnknown || o == ScreenUnknown:
		return ScreenUnknown
	}
	return ScreenNo
}

// ScreenSecret checks secret against the fingerprint in hash, so that
// wrong guesses are turned away without the costly verification and
// cannot queue ahead of the right secret. Knowing the fingerprint (a
// leaked database) makes an offline search 65,536 times cheaper: README,
// Security, says why that is the price of never locking a chair out. A
// malformed hash is ScreenNo, as VerifySecret never matches it.
func ScreenSecret(hash, secret string) Screen {
	h, ok := parsePHC(hash)
	switch {
	case !ok:
		return ScreenNo
	case h.fp == "":
		return ScreenUnknown
	case hmac.Equal([]byte(fingerprint(h.salt, secret)), []byte(h.fp)):
		return ScreenMaybe
	}
	return ScreenNo
}

// WithFingerprint adds secret's fingerprint to a hash from before
// fingerprints, once secret is known to be right (a lazy migration: the
// first successful verification after an upgrade); ok is false when hash
// already has one or is not argon2id.
func WithFingerprint(hash, secret string) (string, bool) {
	h, ok := parsePHC(hash)
	if !ok || h.fp != "" {
		return hash, false
	}
	parts := strings.Split(hash, "$")
	parts[3] += ",fp=" + fingerprint(h.salt, secret)
	return strings.Join(parts, "$"), true
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
	hash, needed := PhonePINHashOf(r)
	return !needed || VerifySecret(hash, pin)
}

// ScreenPhonePIN is VerifyPhonePIN's cheap screen (ScreenSecret).
func ScreenPhonePIN(r RoomSettings, pin string) Screen {
	hash, needed := PhonePINHashOf(r)
	if !needed {
		return ScreenMaybe
	}
	return ScreenSecret(hash, pin)
}

// PhonePINHashOf is the hash a caller's PIN is checked against (see
// VerifyPhonePIN); needed is false when the meeting has no passcode.
func PhonePINHashOf(r RoomSettings) (hash string, needed bool) {
	switch {
	case !r.HasPasscode():
		return "", false
	case r.PhonePINHash != "":
		return r.PhonePINHash, true
	}
	return r.PasscodeHash, true
}

// ChairKey is what a right host key is: the meeting's own key (Label "")
// or a service role's, good until Ends (zero: no end).
type ChairKey struct {
	RoleID int64 // the service role's id; 0 for the meeting's own key
	Label  string
	Ends   time.Time
}

// MatchHostKey reports which of the meeting's host keys key is at now:
// the meeting's own, or a service role's that is in force. A revoked role
// is gone and an expired one is skipped, so either is refused exactly as
// a wrong key is. This is the one place a host key is checked; each
// candidate whose fingerprint key passes (ScreenSecret) costs one argon2id
// verification (MaxHostRoles bounds them).
func MatchHostKey(m *Meeting, key string, now time.Time) (ChairKey, bool) {
	ck, _, ok := MatchHostKeyHash(m, key, now)
	return ck, ok
}

// MatchHostKeyHash is MatchHostKey, also saying which stored hash matched,
// so that the caller can add the fingerprint to one stored before them
// (WithFingerprint).
func MatchHostKeyHash(m *Meeting, key string, now time.Time) (ChairKey, string, bool) {
	r, loc := &m.Room, m.RolesZone()
	if r.HostKeyHash != "" && ScreenSecret(r.HostKeyHash, key) != ScreenNo && VerifySecret(r.HostKeyHash, key) {
		return ChairKey{}, r.HostKeyHash, true
	}
	for _, h := range r.HostRoles {
		if h.InForce(loc, now) && ScreenSecret(h.KeyHash, key) != ScreenNo && VerifySecret(h.KeyHash, key) {
			return ChairKey{RoleID: h.ID, Label: h.Label, Ends: h.Ends(loc)}, h.KeyHash, true
		}
	}
	return ChairKey{}, "", false
}

// ScreenHostKey is MatchHostKey's cheap screen (ScreenSecret) over the
// same keys: maybe if any of them passes, unknown if none does but one has
// no fingerprint, else no.
func ScreenHostKey(m *Meeting, key string, now time.Time) Screen {
	r, loc := &m.Room, m.RolesZone()
	s := ScreenNo
	if r.HostKeyHash != "" {
		s = ScreenSecret(r.HostKeyHash, key)
	}
	for _, h := range r.HostRoles {
		if h.InForce(loc, now) {
			s = s.Or(ScreenSecret(h.KeyHash, key))
		}
	}
	return s
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
