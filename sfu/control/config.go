package control

import (
	"errors"
	"fmt"
	"time"
)

// Clock supplies the current time. Tests inject a manual clock; the SFU passes
// a wrapper around time.Now.
type Clock interface {
	Now() time.Time
}

// Settings are the room settings that come from the meeting series. The SFU
// gets them through its Policy; this package never sees the secrets
// themselves, only whether a passcode is required.
type Settings struct {
	WaitingRoom      bool     // new members wait until a chair admits them
	LockedUntilChair bool     // members wait until a chair is present
	PasscodeRequired bool     // the series has a passcode; joins must present it
	CameraOffOnEntry bool     // members join with their video gate closed
	MaxParticipants  int      // admitted participants; chairs may exceed it; 0 means DefaultMaxParticipants
	ChatMode         ChatMode // chat mode at the start; "" means ChatEveryone
	// ShareTimer, when set, is the share timer a chair's ask-to-unmute
	// starts by itself for that member; 0: none.
	ShareTimer time.Duration
	Readings   []Reading // the group's readings, which chairs and the reader may show
}

// Limits bound every input. Zero fields take the defaults below.
type Limits struct {
	NameMaxRunes   int           // display name length
	RenameInterval time.Duration // minimum time between renames of one participant
	WaitingMax     int           // waiting-room size; joins beyond it are refused "full"

	ChatMaxBytes       int           // one chat message
	ChatHistory        int           // messages kept in memory for late joiners
	ChatBurst          int           // messages a participant may send at once
	ChatRefill         time.Duration // one more message allowed per ChatRefill
	RoomChatBurst      int           // member messages the whole room may send at once
	RoomChatRefill     time.Duration // one more room-wide member message per RoomChatRefill
	ReactionBurst      int           // reactions a participant may send at once
	ReactionRefill     time.Duration // one more reaction per ReactionRefill
	RoomReactionBurst  int           // member reactions the whole room may send at once
	RoomReactionRefill time.Duration // one more room-wide member reaction per RoomReactionRefill
	ShareTimerMax      time.Duration // longest share timer
	SecretFreeFail     int           // wrong secrets per client before backoff starts
	SecretMaxFail      int           // wrong secrets per client before it is refused for the meeting
	SecretBackoff      time.Duration // first backoff; doubles per further failure
	SecretMaxWait      time.Duration // backoff cap
	GuessAlert         int           // wrong secrets in a minute that alert the chairs
}

// Defaults.
const (
	DefaultMaxParticipants = 100
	defaultNameMaxRunes    = 64
	defaultRenameInterval  = 2 * time.Second
	defaultWaitingMax      = 200
	defaultChatMaxBytes    = 1000
	defaultChatHistory     = 200
	defaultChatBurst       = 5
	defaultChatRefill      = 2 * time.Second
	defaultRoomChatBurst   = 20
	defaultRoomChatRefill  = 200 * time.Millisecond
	defaultReactionBurst   = 3
	defaultReactionRefill  = 2 * time.Second
	defaultRoomReactBurst  = 30
	defaultRoomReactRefill = 100 * time.Millisecond
	defaultShareTimerMax   = time.Hour
	defaultSecretFreeFail  = 3
	defaultSecretMaxFail   = 10
	defaultSecretBackoff   = time.Second
	defaultSecretMaxWait   = time.Minute
	defaultGuessAlert      = 10
)

// Config configures a Room.
type Config struct {
	Settings Settings
	Limits   Limits
	Clock    Clock
}

func (c *Config) setDefaults() {
	if c.Settings.MaxParticipants == 0 {
		c.Settings.MaxParticipants = DefaultMaxParticipants
	}
	if c.Settings.ChatMode == "" {
		c.Settings.ChatMode = ChatEveryone
	}
	l := &c.Limits
	setInt(&l.NameMaxRunes, defaultNameMaxRunes)
	setDur(&l.RenameInterval, defaultRenameInterval)
	setInt(&l.WaitingMax, defaultWaitingMax)
	setInt(&l.ChatMaxBytes, defaultChatMaxBytes)
	setInt(&l.ChatHistory, defaultChatHistory)
	setInt(&l.ChatBurst, defaultChatBurst)
	setDur(&l.ChatRefill, defaultChatRefill)
	setInt(&l.RoomChatBurst, defaultRoomChatBurst)
	setDur(&l.RoomChatRefill, defaultRoomChatRefill)
	setInt(&l.ReactionBurst, defaultReactionBurst)
	setDur(&l.ReactionRefill, defaultReactionRefill)
	setInt(&l.RoomReactionBurst, defaultRoomReactBurst)
	setDur(&l.RoomReactionRefill, defaultRoomReactRefill)
	setDur(&l.ShareTimerMax, defaultShareTimerMax)
	setInt(&l.SecretFreeFail, defaultSecretFreeFail)
	setInt(&l.SecretMaxFail, defaultSecretMaxFail)
	setDur(&l.SecretBackoff, defaultSecretBackoff)
	setDur(&l.SecretMaxWait, defaultSecretMaxWait)
	setInt(&l.GuessAlert, defaultGuessAlert)
	// A schedule's share timer outside the limits is brought inside them
	// rather than refused: a room must always open for its chair.
	c.Settings.ShareTimer = max(0, min(c.Settings.ShareTimer, l.ShareTimerMax))
}

func setInt(p *int, d int) {
	if *p == 0 {
		*p = d
	}
}

func setDur(p *time.Duration, d time.Duration) {
	if *p == 0 {
		*p = d
	}
}

// Validate reports a configuration that cannot work. It expects defaults to
// have been applied.
func (c *Config) Validate() error {
	if c.Clock == nil {
		return errors.New("control: config: Clock is required")
	}
	if c.Settings.MaxParticipants < 1 {
		return fmt.Errorf("control: config: MaxParticipants %d < 1", c.Settings.MaxParticipants)
	}
	if !c.Settings.ChatMode.valid() {
		return fmt.Errorf("control: config: chat mode %q", c.Settings.ChatMode)
	}
	l := c.Limits
	for name, v := range map[string]int{
		"NameMaxRunes": l.NameMaxRunes, "WaitingMax": l.WaitingMax, "ChatMaxBytes": l.ChatMaxBytes,
		"ChatHistory": l.ChatHistory, "ChatBurst": l.ChatBurst, "RoomChatBurst": l.RoomChatBurst, "ReactionBurst": l.ReactionBurst,
		"RoomReactionBurst": l.RoomReactionBurst, "SecretFreeFail": l.SecretFreeFail,
		"SecretMaxFail": l.SecretMaxFail, "GuessAlert": l.GuessAlert,
	} {
		if v < 1 {
			return fmt.Errorf("control: config: %s %d < 1", name, v)
		}
	}
	if l.SecretMaxFail < l.SecretFreeFail {
		return fmt.Errorf("control: config: SecretMaxFail %d < SecretFreeFail %d", l.SecretMaxFail, l.SecretFreeFail)
	}
	for name, v := range map[string]time.Duration{
		"RenameInterval": l.RenameInterval, "ChatRefill": l.ChatRefill, "RoomChatRefill": l.RoomChatRefill, "ReactionRefill": l.ReactionRefill,
		"RoomReactionRefill": l.RoomReactionRefill, "ShareTimerMax": l.ShareTimerMax,
		"SecretBackoff": l.SecretBackoff, "SecretMaxWait": l.SecretMaxWait,
	} {
		if v < 0 {
			return fmt.Errorf("control: config: %s %v < 0", name, v)
		}
	}
	return nil
}
