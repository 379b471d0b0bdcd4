package sfu

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// ChairSettings are one room's control settings, from its meeting series.
type ChairSettings struct {
	WaitingRoom      bool
	LockedUntilChair bool
	PasscodeRequired bool
	CameraOffOnEntry bool
	MaxParticipants  int // 0: control.DefaultMaxParticipants
}

// ChairPolicy is what room control needs from outside. cmd implements it
// with meetings; every secret is verified there (argon2id), never here.
type ChairPolicy interface {
	ChairSettings(ctx context.Context, roomID string) (ChairSettings, error)
	VerifyPasscode(ctx context.Context, roomID, passcode string) (bool, error)
	VerifyHostKey(ctx context.Context, roomID, hostKey string) (bool, error)
	IsAdminToken(ctx context.Context, token string) bool
}

// ControlConfig configures a Controller.
type ControlConfig struct {
	Chairs ChairPolicy
	Limits control.Limits // zero fields: the control package defaults
	Clock  control.Clock  // nil: the wall clock
	// Linger is how long a room's control state (bars, limiter, ended)
	// outlives its last participant (default 2 h).
	Linger time.Duration
}

// Validate reports a configuration that cannot work.
func (c ControlConfig) Validate() error {
	if c.Chairs == nil {
		return errors.New("sfu: control: Chairs is required")
	}
	if c.Linger < 0 {
		return errors.New("sfu: control: negative Linger")
	}
	return nil
}

const defaultLinger = 2 * time.Hour

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Controller enforces chair controls (package control) on a Server: the
// admission step of join, the control message types, and the media gates.
type Controller struct {
	cfg ControlConfig
	log *slog.Logger

	commands map[string]func(controlMsg) control.Command // read-only after NewController

	// mu guards rooms.
	mu    sync.Mutex
	rooms map[string]*controlRoom // by room id
}

// NewController returns a Controller. Wire it with Policy and Register.
func NewController(cfg ControlConfig, log *slog.Logger) (*Controller, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = wallClock{}
	}
	if cfg.Linger == 0 {
		cfg.Linger = defaultLinger
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Controller{cfg: cfg, log: log, commands: controlCommands(), rooms: map[string]*controlRoom{}}, nil
}

// Policy returns inner extended with the controller's admission step; pass
// it to New.
func (c *Controller) Policy(inner Policy) Policy { return controlPolicy{Policy: inner, c: c} }

type controlPolicy struct {
	Policy
	c *Controller
}

func (cp controlPolicy) Admit(ctx context.Context, room *Room, p *Peer, join JoinRequest) error {
	return cp.c.admit(ctx, room, p, join)
}

// Register adds the control message types to s's dispatch table.
func (c *Controller) Register(s *Server) {
	for name := range c.commands {
		s.Handle(name, c.handleCommand)
	}
	s.Handle(MsgClaimChair, c.handleClaimChair)
	s.Handle(MsgControlState, c.handleState)
}

// roomFor returns the control state of room, creating it with the series
// settings on first use.
func (c *Controller) roomFor(ctx context.Context, room *Room) (*controlRoom, error) {
	if cr := c.lookup(room); cr != nil {
		return cr, nil
	}
	set, err := c.cfg.Chairs.ChairSettings(ctx, room.ID())
	if err != nil {
		return nil, fmt.Errorf("sfu: chair settings: %w", err)
	}
	st, err := control.NewRoom(control.Config{Clock: c.cfg.Clock, Limits: c.cfg.Limits, Settings: control.Settings{
		WaitingRoom: set.WaitingRoom, LockedUntilChair: set.LockedUntilChair, PasscodeRequired: set.PasscodeRequired,
		CameraOffOnEntry: set.CameraOffOnEntry, MaxParticipants: set.MaxParticipants,
	}})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cr := c.rooms[room.ID()]
	if cr == nil {
		cr = &controlRoom{c: c, roomID: room.ID(), st: st, settings: set, peers: map[control.ParticipantID]*Peer{},
			live: map[control.ParticipantID]bool{}, waiters: map[control.ParticipantID]chan struct{}{}}
		c.rooms[room.ID()] = cr
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
		if empty && c.rooms[cr.roomID] == cr {
			delete(c.rooms, cr.roomID)
		}
	})
}

func (c *Controller) lookup(room *Room) *controlRoom {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rooms[room.ID()]
}

// BrowserCookie is the HttpOnly cookie that carries the server-issued
// browser id, the identity a removal bars (see package control).
const BrowserCookie = "hearth_browser"

// browserID returns the request's browser id, minting one and setting the
// cookie on w when it has none or a malformed one. Call before the
// WebSocket upgrade so that the cookie rides on the 101 response.
func browserID(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(BrowserCookie); err == nil && validBrowserID(ck.Value) {
		return ck.Value
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: BrowserCookie, Value: id, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return id
}

func validBrowserID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
