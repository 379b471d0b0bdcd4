package sfu

import (
	"context"
	"errors"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// RoomSettings are one room's settings, from its meeting series.
type RoomSettings struct {
	WaitingRoom      bool
	LockedUntilChair bool
	PasscodeRequired bool
	CameraOffOnEntry bool
	// MaxParticipants bounds the admitted members (chairs may exceed it);
	// 0: control.DefaultMaxParticipants. The room controller alone counts
	// it: the media server keeps only a technical ceiling far above.
	MaxParticipants int
	// ChatMode is the chat mode at the start: "off", "chairs" or
	// "everyone" ("" means everyone).
	ChatMode string
	// ShareTimer, when set, is the share timer a chair's ask-to-unmute
	// starts by itself for that member; 0: none.
	ShareTimer time.Duration
	// SecretsVersion is an opaque value that changes whenever the room's
	// passcode, phone PIN or host key changes. A secret verified once is remembered
	// (as a keyed hash, in memory) until it does, so that members and
	// chairs who hold it never wait behind the slow verification again.
	SecretsVersion string
	// Readings are the group's readings, which chairs and the member they
	// name as reader may show to everyone, in the group's order. Read
	// when the room starts.
	Readings []Reading
}

// Reading is one of the group's readings: its text in paragraphs.
type Reading struct {
	ID         string
	Title      string
	Paragraphs []string
}

// Rooms is what the media server needs from the schedule: which rooms
// exist, their settings, and whether a secret is right. cmd implements it
// with meetings; every secret is verified there (argon2id), never here.
// The server always enforces the room's controls with it: there is no way
// to build a Server that serves a room without them.
type Rooms interface {
	// Room returns the room's settings, or ErrNoRoom when it does not exist.
	Room(ctx context.Context, roomID string) (RoomSettings, error)
	VerifyPasscode(ctx context.Context, roomID, passcode string) (bool, error)
	// VerifyPhonePIN checks the PIN a telephone caller typed in place of
	// the passcode (the schedule decides what serves as PIN).
	VerifyPhonePIN(ctx context.Context, roomID, pin string) (bool, error)
	// VerifyHostKey checks a chair's key: the meeting's own host key or a
	// service role's (a named key that may end; a revoked or ended one is
	// refused as a wrong one is).
	VerifyHostKey(ctx context.Context, roomID, hostKey string) (ChairKey, bool, error)
	IsAdminToken(ctx context.Context, token string) bool
}

// RoleChecker is implemented by Rooms whose host keys include service
// roles that the organisers may revoke (cmd does). The room's owner asks
// it, every ControlConfig.RoleCheck and when a role's known last day ends,
// about each role whose key seated a chair in the room, and makes that
// chair a member once the role is gone or over. Without it a role's seat
// still ends at the end its key was verified with.
type RoleChecker interface {
	// RoleActive says whether the service role roleID of the room still
	// holds (ok), and when it ends (the zero time: no end). ok false is
	// a definite answer: revoked, past its last day, or the meeting gone.
	// An error (the schedule cannot be read) unseats nobody.
	RoleActive(ctx context.Context, roomID string, roleID int64) (ends time.Time, ok bool, err error)
}

// ChairKey is what a right host key tells about its holder.
type ChairKey struct {
	// RoleID is the service role's id in the schedule, so that the room
	// can ask about the role later (RoleChecker) without the key; 0 for
	// the meeting's own host key or the admin token.
	RoleID int64
	// Role is the service role's label ("Secretary"), shown to everyone
	// in the room; "" for the meeting's own host key or the admin token.
	Role string
	// Ends is when the key stops working (a role's last day is over); the
	// zero time when it does not end. The room remembers a right key only
	// until then.
	Ends time.Time
}

// service is the role as the room keeps it with the chair it seats.
func (k ChairKey) service() control.ServiceRole {
	return control.ServiceRole{ID: k.RoleID, Label: k.Role, Ends: k.Ends}
}

// SecretScreen is what a secret's stored fingerprint says of a guess.
type SecretScreen int

const (
	// ScreenUnknown: no fingerprint to check (a secret stored before them):
	// the guess goes the slow way, the client's limiter first.
	ScreenUnknown SecretScreen = iota
	// ScreenWrong: certainly wrong. Counted against the client's limit and
	// refused in microseconds; it never waits at the verify gate.
	ScreenWrong
	// ScreenMaybe: passes the fingerprint (the right secret does, and one
	// wrong guess in 65,536). It is verified whatever the client's limiter
	// says, so no limit ever keeps the right secret out.
	ScreenMaybe
)

// SecretScreener is implemented by Rooms that keep a cheap fingerprint of
// each secret (cmd does, from meetings.ScreenSecret). Without it every
// guess takes the slow way. For SecretHostKey it also answers for the
// admin token, which is accepted in the host key's place, and for every
// host key a room has (its own and its service roles').
type SecretScreener interface {
	ScreenSecret(ctx context.Context, roomID string, kind control.SecretKind, secret string) (SecretScreen, error)
}

// Domain errors; the signaling layer turns them into error messages.
var (
	ErrNoRoom        = errors.New("sfu: no such room")
	ErrRoomFull      = errors.New("sfu: room is full")
	ErrBadName       = errors.New("sfu: invalid display name")
	ErrBadResume     = errors.New("sfu: unknown or expired resume token")
	ErrServerClosed  = errors.New("sfu: server closed")
	ErrPeerClosed    = errors.New("sfu: participant gone")
	ErrNotNegotiated = errors.New("sfu: no offer outstanding")
)
