package sfu

import (
	"encoding/json"

	"github.com/pion/webrtc/v4"
)

// Signaling message types (see PROTOCOL.md).
const (
	// client to server
	MsgJoin      = "join"
	MsgAnswer    = "answer"
	MsgCandidate = "candidate"
	MsgMute      = "mute"
	MsgLeave     = "leave"
	// server to client
	MsgJoined      = "joined"
	MsgOffer       = "offer"
	MsgParticipant = "participant"
	MsgError       = "error"
)

// JoinRequest is the first message a client sends.
type JoinRequest struct {
	Type string `json:"type"`
	Room string `json:"room"`
	Name string `json:"name"`
	// Auth carries what a Policy/Admitter needs (passcode, host key...); the
	// sfu package never reads or logs it.
	Auth json.RawMessage `json:"auth,omitempty"`
	// Resume, from an earlier joined reply, takes back a session whose
	// connection was lost (see PROTOCOL.md, Reconnect).
	Resume string `json:"resume,omitempty"`
	// VideoCodec (VP8, VP9 or H264; empty: VP8) is the codec the client
	// wants to publish its camera in: the server offers it first.
	VideoCodec string `json:"videoCodec,omitempty"`
	// AudioOnly: the client neither sends nor receives video (a
	// telephone gateway, sfu/dialin): the server offers it no video.
	AudioOnly bool `json:"audioOnly,omitempty"`
	// Receive is the video the member wants on a slow link: "all" (or
	// empty), "speaker" (only the active speaker's) or "none"; the
	// receive-video message changes it later.
	Receive string `json:"receive,omitempty"`
}

// ParticipantInfo describes one participant to the others.
type ParticipantInfo struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Audio bool   `json:"audio"` // publishing audio (not muted)
	Video bool   `json:"video"` // publishing video (camera on)
}

type joinedMsg struct {
	Type         string            `json:"type"`
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Resume       string            `json:"resume"`
	ICEServers   []ICEServer       `json:"iceServers"`
	Participants []ParticipantInfo `json:"participants"`
}

type sdpMsg struct {
	Type string `json:"type"`
	SDP  string `json:"sdp"`
}

type candidateMsg struct {
	Type      string                  `json:"type"`
	Candidate webrtc.ICECandidateInit `json:"candidate"`
}

type muteMsg struct {
	Type  string `json:"type"`
	Audio bool   `json:"audio"` // true: microphone on
	Video bool   `json:"video"` // true: camera on
}

// participantMsg tells the room that someone joined, left or changed.
type participantMsg struct {
	Type  string          `json:"type"`
	Event string          `json:"event"` // "joined", "left", "updated"
	Who   ParticipantInfo `json:"participant"`
}

// ErrorMsg is sent for every refused message; Code is stable, Message is
// for humans.
type ErrorMsg struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes sent in error messages.
const (
	CodeBadMessage  = "bad-message"
	CodeBadSDP      = "bad-sdp"
	CodeOutOfOrder  = "out-of-order"
	CodeUnknownType = "unknown-type"
	CodeNoRoom      = "no-room"
	CodeRoomFull    = "room-full"
	CodeBadName     = "bad-name"
	CodeBadResume   = "bad-resume"
	CodeRefused     = "refused"
	CodeInternal    = "internal"
)

// WebSocket close codes (RFC 6455 section 7.4; 4000-4999 are ours).
const (
	CloseNormal      = 1000 // leave, or server shutdown
	CloseViolation   = 1008 // rate limit, protocol violation
	CloseTooBig      = 1009 // message over MaxMessageBytes
	CloseTooSlow     = 1013 // the client does not read its messages
	CloseRefused     = 4001 // join refused (no room, full, bad name, admitter)
	CloseRemoved     = 4002 // removed by a chair (Peer.Disconnect)
	CloseReplaced    = 4003 // the same identity connected again
	CloseMediaFailed = 4004 // the PeerConnection failed
	CloseMoved       = 4005 // the room runs on another node: reconnect (after a redirect, to its URL)
	CloseWaiting     = 4006 // a chair moved the member back to the waiting room: join again (without resume) and wait
)
