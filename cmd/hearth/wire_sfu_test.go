package main

import (
	"context"
	"errors"
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
)

type fixedAdmin string

func (f fixedAdmin) Verify(token string) bool { return token == string(f) }

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
	if !ok || err != nil || ck.Role != "Secretary" || ck.Ends.IsZero() || withRole.SecretsVersion == before.SecretsVersion {
		t.Fatalf("role key: %+v %v %v; versions %s %s", ck, ok, err, before.SecretsVersion, withRole.SecretsVersion)
	}
	if err := st.RevokeHostRole(ctx, open.Slug, role.ID); err != nil {
		t.Fatal(err)
	}
	revoked, _ := p.Room(ctx, open.Slug)
	if _, ok, _ := p.VerifyHostKey(ctx, open.Slug, key); ok || revoked.SecretsVersion != before.SecretsVersion {
		t.Fatalf("revoked role key taken (%v) or version %s, want %s", ok, revoked.SecretsVersion, before.SecretsVersion)
	}
	if !p.IsAdminToken(ctx, "the-admin-token-xyz") || p.IsAdminToken(ctx, "") || p.IsAdminToken(ctx, "nope") {
		t.Error("admin token check is wrong")
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
