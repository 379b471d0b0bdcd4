package sfu

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
	"golang.org/x/sync/singleflight"
)

// ControlConfig configures the chair controls of every room.
type ControlConfig struct {
	Limits control.Limits // zero fields: the control package defaults
	Clock  control.Clock  // nil: the wall clock
	// Linger is how long a room's control state (bars, limiter, ended)
	// outlives its last participant (default 2 h).
	Linger time.Duration
	// RoleCheck is how often a room asks the schedule whether the service
	// roles that seated its chairs still hold (RoleChecker; default 20 s).
	RoleCheck time.Duration
}

const (
	defaultLinger    = 2 * time.Hour
	defaultRoleCheck = 20 * time.Second
)

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Controller enforces chair controls (package control) on a Server: the
// admission step of join, the control message types, and the media gates.
// The Server builds and owns it, so that no room is ever served without it.
type Controller struct {
	cfg   ControlConfig
	rooms Rooms
	gate  *verifyGate
	known *knownSecrets
	pace  verifyPace
	// flights joins concurrent verifications of one secret (check).
	flights singleflight.Group
	met     *metrics
	log     *slog.Logger

	commands map[string]func(controlMsg) control.Command // read-only after newController
	// carry saves and restores what a room's next node takes over; set by
	// New when rooms are leased, read-only after.
	carry *carrier

	// mu guards rooms.
	mu    sync.Mutex
	state map[string]*controlRoom // by room id
}

func newController(cfg Config, rooms Rooms, met *metrics, log *slog.Logger) *Controller {
	return &Controller{cfg: cfg.Control, rooms: rooms, met: met, log: log, commands: controlCommands(),
		gate: newVerifyGate(cfg.Verifications), known: newKnownSecrets(), state: map[string]*controlRoom{}}
}

// register adds the control message types to s's dispatch table.
func (c *Controller) register(s *Server) {
	for name := range c.commands {
		s.Handle(name, c.handleCommand)
	}
	s.Handle(MsgClaimChair, c.handleClaimChair)
	s.Handle(MsgControlState, c.handleState)
}

// roomFor returns the control state of a room, creating it with the series
// settings on first use.
func (c *Controller) roomFor(ctx context.Context, roomID string) (*controlRoom, error) {
	if cr := c.lookup(roomID); cr != nil {
		return cr, nil
	}
	set, err := c.rooms.Room(ctx, roomID)
	if err != nil {
		return nil, fmt.Errorf("sfu: room settings: %w", err)
	}
	st, err := control.NewRoom(control.Config{Clock: c.cfg.Clock, Limits: c.cfg.Limits, Settings: control.Settings{
		WaitingRoom: set.WaitingRoom, LockedUntilChair: set.LockedUntilChair, PasscodeRequired: set.PasscodeRequired,
		CameraOffOnEntry: set.CameraOffOnEntry, MaxParticipants: set.MaxParticipants,
		ChatMode: control.ChatMode(set.ChatMode), ShareTimer: set.ShareTimer,
		Readings: controlReadings(set.Readings),
	}})
	if err != nil {
		return nil, err
	}
	salt, version := c.carry.restore(ctx, roomID, st)
	c.mu.Lock()
	defer c.mu.Unlock()
	cr := c.state[roomID]
	if cr == nil {
		cr = &controlRoom{c: c, roomID: roomID, st: st, settings: set, peers: map[control.ParticipantID]*Peer{},
			live: map[control.ParticipantID]bool{}, waiters: map[control.ParticipantID]chan struct{}{},
			salt: salt, carriedVersion: version}
		c.state[roomID] = cr
	}
	return cr, nil
}

// forget drops a room's control state once nobody has been in it for
// Linger: bars, the secret limiter and an ended meeting outlive the last
// participant and the media room, so that emptying the room resets nothing.
func (c *Controller) forget(cr *controlRoom) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cr.linger != nil {
		cr.linger.Reset(c.cfg.Linger)
		return
	}
	cr.linger = time.AfterFunc(c.cfg.Linger, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		cr.mu.Lock()
		empty := len(cr.peers) == 0
		cr.mu.Unlock()
		if empty && c.state[cr.roomID] == cr {
			delete(c.state, cr.roomID)
			c.known.forget(cr.roomID)
		}
	})
}

// now is the controller's clock.
func (c *Controller) now() time.Time {
	if c.cfg.Clock != nil {
		return c.cfg.Clock.Now()
	}
	return time.Now()
}

func (c *Controller) lookup(roomID string) *controlRoom {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state[roomID]
}

func controlReadings(rs []Reading) []control.Reading {
	out := make([]control.Reading, len(rs))
	for i, r := range rs {
		out[i] = control.Reading{ID: r.ID, Title: r.Title, Paragraphs: r.Paragraphs}
	}
	return out
}
