package loadtest

import (
	"context"
	"strings"

	"github.com/hearth-recovery/hearth/sfu"
)

// OpenRooms lets anyone into any room (except ids starting with "missing",
// which do not exist): no passcode, no waiting room, no chair secret. It
// is the schedule side of load runs and media tests, where room control is
// not what is measured; Max bounds admitted members (0: the default).
type OpenRooms struct{ Max int }

// Room implements sfu.Rooms.
func (o OpenRooms) Room(_ context.Context, id string) (sfu.RoomSettings, error) {
	if strings.HasPrefix(id, "missing") {
		return sfu.RoomSettings{}, sfu.ErrNoRoom
	}
	return sfu.RoomSettings{MaxParticipants: o.Max}, nil
}

// VerifyPasscode implements sfu.Rooms: no room has one.
func (OpenRooms) VerifyPasscode(context.Context, string, string) (bool, error) { return true, nil }

// VerifyPhonePIN implements sfu.Rooms: no room has one.
func (OpenRooms) VerifyPhonePIN(context.Context, string, string) (bool, error) { return true, nil }

// VerifyHostKey implements sfu.Rooms: no key is right.
func (OpenRooms) VerifyHostKey(context.Context, string, string) (sfu.ChairKey, bool, error) {
	return sfu.ChairKey{}, false, nil
}

// IsAdminToken implements sfu.Rooms: no token is.
func (OpenRooms) IsAdminToken(context.Context, string) bool { return false }
