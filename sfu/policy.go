package sfu

import (
	"context"
	"errors"
)

// RoomInfo is what the server needs to know about a room before anyone joins.
type RoomInfo struct {
	// MaxParticipants bounds the room; 0 means no limit.
	MaxParticipants int
}

// Policy decides who may enter which room. cmd implements it with meetings;
// sfu knows nothing of meetings.
type Policy interface {
	// Room returns the room's settings, or ErrNoRoom when it does not exist.
	Room(ctx context.Context, roomID string) (RoomInfo, error)
}

// Admitter is an optional extension of Policy: when the Policy also implements
// it, Admit runs during join after the participant is known to the room but
// before any media is negotiated. It may block (a waiting room); the context
// ends when the participant goes away. An error refuses the participant and is
// sent to it as the error code when it is an *Error.
type Admitter interface {
	Admit(ctx context.Context, room *Room, p *Peer, join JoinRequest) error
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
