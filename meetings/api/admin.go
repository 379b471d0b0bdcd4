package api

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
)

// AdminTokenSetting is the store setting that holds the generated admin
// token's argon2id hash.
const AdminTokenSetting = "admin_token_hash"

// AdminCheckSetting holds the generated token's check: a random key and a
// 16-bit keyed fingerprint of the token ("v1:<key>:<fingerprint>"). It lets
// Verify turn away all but one wrong token in 65,536 without the costly
// argon2id, so a flood of wrong tokens cannot keep the real admin waiting.
// 16 bits of a 256-bit random token reveal nothing useful about it.
const AdminCheckSetting = "admin_token_check"

// Limits of the argon2id verifications (each takes 64 MiB and tens of ms).
const (
	// MaxConcurrentVerifications run at once.
	MaxConcurrentVerifications = 2
	// MaxQueuedVerifications wait for a slot; more are refused with ErrBusy.
	MaxQueuedVerifications = 6
	// rememberedFailures is how many wrong tokens that reached argon2id are
	// remembered (by keyed hash), so that replaying one costs nothing.
	rememberedFailures = 4096
)

// RetryAfter is what a client refused with ErrBusy is told to wait.
const RetryAfter = time.Second

var (
	// ErrWrongToken: the token is not the admin token.
	ErrWrongToken = errors.New("the admin token is wrong")
	// ErrBusy: too many verifications are waiting; try again after RetryAfter.
	ErrBusy = errors.New("too many admin token checks at once; try again in a second")
)

// Admin checks the admin bearer token; it is the one place that does.
//
// Cost model: the explicit token (HEARTH_ADMIN_TOKEN) and, after its first
// success, the generated token are recognised by a keyed SHA-256 (HMAC with
// a per-process random key): the right token never waits and never meets a
// limit. Wrong tokens are refused by the same HMAC when no argon2id hash is
// in play, else by the stored fingerprint; only the rare one that passes it
// (or every one, for a database from before the fingerprint, until the first
// success writes it) runs argon2id, at most MaxConcurrentVerifications at a
// time with MaxQueuedVerifications waiting.
type Admin struct {
	hash   string // argon2id PHC string; empty when explicit is set
	store  meetings.Store
	log    *slog.Logger
	verify func(hash, token string) bool // meetings.VerifySecret; tests count calls

	macKey [32]byte      // per-process key of the success and failure caches
	slots  chan struct{} // argon2id verifications running
	queue  chan struct{} // verifications running or waiting

	mu sync.Mutex // guards known, check, failed, failedRing
	// known is the HMAC of the admin token once it is known to be right.
	known []byte
	// check is the stored fingerprint; nil until there is one.
	check *tokenCheck
	// failed holds HMACs of wrong tokens that reached argon2id; failedRing
	// evicts the oldest.
	failed     map[[32]byte]struct{}
	failedRing [][32]byte
}

// tokenCheck is the keyed 16-bit fingerprint of the generated token.
type tokenCheck struct {
	key         []byte
	fingerprint string // 4 hex digits
}

func (c *tokenCheck) matches(token string) bool {
	return hmac.Equal([]byte(c.of(token)), []byte(c.fingerprint))
}

func (c *tokenCheck) of(token string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil)[:2])
}

func (c *tokenCheck) String() string {
	return "v1:" + base64.RawURLEncoding.EncodeToString(c.key) + ":" + c.fingerprint
}

func parseCheck(s string) (*tokenCheck, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != "v1" || len(parts[2]) != 4 {
		return nil, fmt.Errorf("api: admin token check %q is not v1:<key>:<fingerprint>", s)
	}
	key, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("api: admin token check key: %v", err)
	}
	return &tokenCheck{key: key, fingerprint: parts[2]}, nil
}

func newCheck(token string) (*tokenCheck, error) {
	c := &tokenCheck{key: make([]byte, 32)}
	if _, err := rand.Read(c.key); err != nil {
		return nil, fmt.Errorf("api: admin token check: %w", err)
	}
	c.fingerprint = c.of(token)
	return c, nil
}

// AdminOption adjusts an Admin; tests use it.
type AdminOption func(*Admin)

// WithVerifier replaces the argon2id verification (tests count its calls).
func WithVerifier(v func(hash, token string) bool) AdminOption {
	return func(a *Admin) { a.verify = v }
}

func newAdmin(store meetings.Store, log *slog.Logger, opts []AdminOption) *Admin {
	a := &Admin{store: store, log: log, verify: meetings.VerifySecret,
		slots:  make(chan struct{}, MaxConcurrentVerifications),
		queue:  make(chan struct{}, MaxConcurrentVerifications+MaxQueuedVerifications),
		failed: make(map[[32]byte]struct{})}
	_, _ = rand.Read(a.macKey[:])
	for _, o := range opts {
		o(a)
	}
	return a
}

// NewAdmin sets up the admin token. With explicit set (HEARTH_ADMIN_TOKEN),
// that token is used and nothing is stored. Otherwise the hash in the store
// is used, or on first start a token is generated, its hash and check
// stored, and the token logged once at WARN with how to use it.
func NewAdmin(ctx context.Context, store meetings.Store, explicit string, log *slog.Logger, opts ...AdminOption) (*Admin, error) {
	a := newAdmin(store, log, opts)
	if explicit != "" {
		if len(explicit) < 16 {
			return nil, errors.New("api: the admin token must be at least 16 characters")
		}
		a.known = a.mac(explicit)
		return a, nil
	}
	hash, err := store.Setting(ctx, AdminTokenSetting)
	if err == nil {
		a.hash = hash
		return a, a.loadCheck(ctx)
	}
	if !errors.Is(err, meetings.ErrNotFound) {
		return nil, fmt.Errorf("api: admin token: %w", err)
	}
	return a, a.generate(ctx)
}

func (a *Admin) loadCheck(ctx context.Context) error {
	s, err := a.store.Setting(ctx, AdminCheckSetting)
	if errors.Is(err, meetings.ErrNotFound) {
		return nil // written at the first success (databases from before the check)
	}
	if err != nil {
		return fmt.Errorf("api: admin token check: %w", err)
	}
	a.check, err = parseCheck(s)
	return err
}

func (a *Admin) generate(ctx context.Context) error {
	token, err := meetings.NewToken()
	if err != nil {
		return err
	}
	if a.hash, err = meetings.HashSecret(token); err != nil {
		return err
	}
	if a.check, err = newCheck(token); err != nil {
		return err
	}
	if err := a.store.PutSetting(ctx, AdminCheckSetting, a.check.String()); err != nil {
		return fmt.Errorf("api: admin token: %w", err)
	}
	if err := a.store.PutSetting(ctx, AdminTokenSetting, a.hash); err != nil {
		return fmt.Errorf("api: admin token: %w", err)
	}
	a.log.Warn("generated the admin token; it is shown only this once, so save it now",
		"token", token, "use", "Authorization: Bearer "+token,
		"replace", "set HEARTH_ADMIN_TOKEN (or --admin-token) to use a token of your own instead")
	return nil
}

func (a *Admin) mac(token string) []byte {
	m := hmac.New(sha256.New, a.macKey[:])
	m.Write([]byte(token))
	return m.Sum(nil)
}

// Verify reports whether token is the admin token. Other parts (the chair
// check in the SFU wiring) use it to grant the admin chair rights.
func (a *Admin) Verify(token string) bool { return a.Check(token) == nil }

// Check says whether token is the admin token: nil, ErrWrongToken, or
// ErrBusy when too many argon2id checks are already waiting.
func (a *Admin) Check(token string) error {
	screen, right, sum := a.screen(token)
	switch {
	case right:
		return nil
	case screen == meetings.ScreenNo:
		return ErrWrongToken
	}
	return a.slowCheck(token, sum)
}

// Screen is Check without argon2id: ScreenNo for a token certainly wrong,
// ScreenMaybe for the known token or one that passes the stored
// fingerprint, ScreenUnknown while there is no fingerprint (a database
// from before it, until the first success). The SFU screens host keys
// with it, as the admin token is accepted in their place.
func (a *Admin) Screen(token string) meetings.Screen {
	screen, _, _ := a.screen(token)
	return screen
}

// screen also says whether the token is known right, and gives its HMAC.
func (a *Admin) screen(token string) (screen meetings.Screen, right bool, sum []byte) {
	if token == "" || len(token) > 256 {
		return meetings.ScreenNo, false, nil
	}
	sum = a.mac(token)
	a.mu.Lock()
	known, check := a.known, a.check
	_, failedBefore := a.failed[[32]byte(sum)]
	a.mu.Unlock()
	switch {
	case known != nil:
		if hmac.Equal(known, sum) {
			return meetings.ScreenMaybe, true, sum
		}
		return meetings.ScreenNo, false, sum
	case a.hash == "", failedBefore, check != nil && !check.matches(token):
		return meetings.ScreenNo, false, sum
	case check == nil:
		return meetings.ScreenUnknown, false, sum
	}
	return meetings.ScreenMaybe, false, sum
}

// slowCheck runs argon2id within the concurrency and queue bounds.
func (a *Admin) slowCheck(token string, sum []byte) error {
	select {
	case a.queue <- struct{}{}:
	default:
		return ErrBusy
	}
	defer func() { <-a.queue }()
	a.slots <- struct{}{}
	ok := a.verify(a.hash, token)
	<-a.slots
	if !ok {
		a.rememberFailure([32]byte(sum))
		return ErrWrongToken
	}
	a.mu.Lock()
	a.known = sum
	needCheck := a.check == nil
	a.mu.Unlock()
	if needCheck {
		a.storeCheck(token)
	}
	return nil
}

func (a *Admin) rememberFailure(sum [32]byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.failed[sum]; ok {
		return
	}
	if len(a.failedRing) >= rememberedFailures {
		delete(a.failed, a.failedRing[0])
		a.failedRing = a.failedRing[1:]
	}
	a.failed[sum] = struct{}{}
	a.failedRing = append(a.failedRing, sum)
}

// storeCheck writes the fingerprint for a database from before it, so that
// after the next restart wrong tokens are turned away without argon2id.
func (a *Admin) storeCheck(token string) {
	c, err := newCheck(token)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = a.store.PutSetting(ctx, AdminCheckSetting, c.String())
		cancel()
	}
	if err != nil {
		a.log.Warn("could not store the admin token check", "err", err)
		return
	}
	a.mu.Lock()
	a.check = c
	a.mu.Unlock()
}
