package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-recovery/hearth/meetings"
	"github.com/hearth-recovery/hearth/meetings/demo"
	"github.com/hearth-recovery/hearth/meetings/store"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/control"
)

type fixedAdmin string

func (f fixedAdmin) Verify(token string) bool { return token == string(f) }

func (f fixedAdmin) Screen(token string) meetings.Screen {
	if f.Verify(token) {
		return meetings.ScreenMaybe
	}
	return meetings.ScreenNo
}

// The media server's policy comes from the meeting's room settings, and its
// secrets are checked against the stored hashes only.
func TestRoomPolicyFromMeetings(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{Path: filepath.Join(t.TempDir(), "h.db")}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Seed(ctx, st, mustTime(t, "2026-11-21T12:00:00Z"), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	all, err := st.ListMeetings(ctx, meetings.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var withCode, open meetings.Meeting
	for _, m := range all {
		if m.Room.HasPasscode() {
			withCode = m
		} else {
			open = m
		}
	}
	p := roomPolicy{store: st, admin: fixedAdmin("the-admin-token-xyz")}

	if _, err := p.Room(ctx, "no-such-meeting"); !errors.Is(err, sfu.ErrNoRoom) {
		t.Fatalf("unknown room: got %v, want sfu.ErrNoRoom", err)
	}
	info, err := p.Room(ctx, open.Slug)
	if err != nil || info.MaxParticipants != open.Room.MaxParticipants {
		t.Fatalf("Room = %+v, %v", info, err)
	}
	cs, err := p.Room(ctx, withCode.Slug)
	if err != nil || !cs.PasscodeRequired || cs.MaxParticipants != withCode.Room.MaxParticipants || cs.SecretsVersion == "" {
		t.Fatalf("Room = %+v, %v", cs, err)
	}
	for _, c := range []struct {
		name string
		ok   bool
		err  error
	}{
		{"right passcode", true, nil}, {"wrong passcode", false, nil},
	} {
		code := demo.Passcode
		if !c.ok {
			code = "serenity?"
		}
		got, err := p.VerifyPasscode(ctx, withCode.Slug, code)
		if got != c.ok || err != nil {
			t.Errorf("%s: got %v, %v", c.name, got, err)
		}
	}
	if ok, _ := p.VerifyPasscode(ctx, open.Slug, ""); !ok {
		t.Error("a meeting without a passcode refused an empty one")
	}
	if ck, ok, _ := p.VerifyHostKey(ctx, open.Slug, demo.HostKey); !ok || ck.Role != "" {
		t.Errorf("the demo host key: %+v %v", ck, ok)
	}
	if _, ok, _ := p.VerifyHostKey(ctx, open.Slug, strings.ToUpper(demo.HostKey)); ok {
		t.Error("a wrong host key makes a chair")
	}
	// A service role's key makes a chair under its label, until the role is
	// revoked; adding or revoking one changes the secrets' version, so no
	// node keeps taking a remembered key.
	before, _ := p.Room(ctx, open.Slug)
	role, key, err := meetings.NewHostRole("Secretary", &meetings.Date{Year: 2099, Month: 12, Day: 31}, time.UTC, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddHostRole(ctx, open.Slug, &role); err != nil {
		t.Fatal(err)
	}
	withRole, _ := p.Room(ctx, open.Slug)
	ck, ok, err := p.VerifyHostKey(ctx, open.Slug, key)
	if !ok || err != nil || ck.Role != "Secretary" || ck.RoleID != role.ID || ck.Ends.IsZero() ||
		withRole.SecretsVersion == before.SecretsVersion {
		t.Fatalf("role key: %+v %v %v; versions %s %s", ck, ok, err, before.SecretsVersion, withRole.SecretsVersion)
	}
	// The room asks about the role by its id (never the key): in force
	// until the end its key was verified with, gone once revoked.
	if ends, ok, err := p.RoleActive(ctx, open.Slug, role.ID); !ok || err != nil || !ends.Equal(ck.Ends) {
		t.Fatalf("RoleActive in force: %v %v %v", ends, ok, err)
	}
	if err := st.RevokeHostRole(ctx, open.Slug, role.ID); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{open.Slug, "no-such-meeting"} {
		if _, ok, err := p.RoleActive(ctx, slug, role.ID); ok || err != nil {
			t.Fatalf("RoleActive after revoking, %s: %v %v", slug, ok, err)
		}
	}
	revoked, _ := p.Room(ctx, open.Slug)
	if _, ok, _ := p.VerifyHostKey(ctx, open.Slug, key); ok || revoked.SecretsVersion != before.SecretsVersion {
		t.Fatalf("revoked role key taken (%v) or version %s, want %s", ok, revoked.SecretsVersion, before.SecretsVersion)
	}
	if !p.IsAdminToken(ctx, "the-admin-token-xyz") || p.IsAdminToken(ctx, "") || p.IsAdminToken(ctx, "nope") {
		t.Error("admin token check is wrong")
	}

	// The cheap screen: the right secrets (and the admin token in the host
	// key's place) may be right; wrong guesses are turned away, all but
	// about one in 65,536.
	screen := func(slug string, kind control.SecretKind, secret string) sfu.SecretScreen {
		s, err := p.ScreenSecret(ctx, slug, kind, secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, c := range []struct {
		slug   string
		kind   control.SecretKind
		secret string
	}{
		{withCode.Slug, control.SecretPasscode, demo.Passcode}, {open.Slug, control.SecretHostKey, demo.HostKey},
		{open.Slug, control.SecretHostKey, "the-admin-token-xyz"}, {open.Slug, control.SecretPasscode, "anything"},
	} {
		if s := screen(c.slug, c.kind, c.secret); s != sfu.ScreenMaybe {
			t.Errorf("%v of %s screens %v, want maybe", c.kind, c.slug, s)
		}
	}
	passed := 0
	for i := range 50 {
		for _, kind := range []control.SecretKind{control.SecretPasscode, control.SecretHostKey} {
			if screen(withCode.Slug, kind, fmt.Sprint("guess ", i)) != sfu.ScreenWrong {
				passed++
			}
		}
	}
	if passed > 1 {
		t.Errorf("%d of 100 wrong guesses passed the screen", passed)
	}

	// A host key stored before fingerprints is screened unknown (the slow
	// way) until it is first verified right, which stores its fingerprint.
	h, err := meetings.HashSecret("an-older-key")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(h, ",fp=")
	if err := st.SetHostKeyHash(ctx, open.Slug, h[:i]+h[i+len(",fp=")+4:]); err != nil {
		t.Fatal(err)
	}
	if s := screen(open.Slug, control.SecretHostKey, "an-older-key"); s != sfu.ScreenUnknown {
		t.Fatalf("a key without fingerprint screens %v", s)
	}
	if _, ok, _ := p.VerifyHostKey(ctx, open.Slug, "an-older-key"); !ok {
		t.Fatal("the older key does not make a chair")
	}
	if s := screen(open.Slug, control.SecretHostKey, "an-older-key"); s != sfu.ScreenMaybe {
		t.Fatalf("after its first use, the older key screens %v", s)
	}
	if _, ok, _ := p.VerifyHostKey(ctx, open.Slug, "an-older-key"); !ok {
		t.Fatal("the older key with its fingerprint does not make a chair")
	}

	// A service role's key is screened as the meeting's own is.
	rh, err := meetings.HashSecret("a-role-key")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddHostRole(ctx, open.Slug, &meetings.HostRole{Label: "Tech host", KeyHash: rh}); err != nil {
		t.Fatal(err)
	}
	if s := screen(open.Slug, control.SecretHostKey, "a-role-key"); s != sfu.ScreenMaybe {
		t.Fatalf("a service role's key screens %v", s)
	}
	if ck, ok, _ := p.VerifyHostKey(ctx, open.Slug, "a-role-key"); !ok || ck.Role != "Tech host" {
		t.Fatalf("the role's key: %+v %v", ck, ok)
	}
}

func TestRTCFlags(t *testing.T) {
	c, err := parseServe([]string{"--turn", "--rtc-public-ip", "203.0.113.7"}, envOf("HEARTH_RTC_UDP_PORT", "9443"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.RTC.sfuConfig("")
	if err != nil || cfg.UDPPort != 9443 || !cfg.TURN.Enabled || len(cfg.TURN.Secret) < 16 || cfg.PublicIPs[0] != "203.0.113.7" {
		t.Fatalf("sfu config = %+v, %v", cfg, err)
	}
	for _, args := range [][]string{
		{"--rtc-udp-port", "70000"},
		{"--rtc-public-ip", "not-an-ip"},
		{"--rtc-ice-servers", "http://stun.example.org"},
	} {
		if _, err := parseServe(args, envOf()); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
