package meetings

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

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
