package sfu

import (
	"context"
	"encoding/json"
)

// MsgSelect asks for specific participants' video: they come first among
// the MaxVideoStreams a subscriber receives, before the latest speakers.
const MsgSelect = "select"

// maxSelected bounds one select message.
const maxSelected = 64

type selectMsg struct {
	Type string   `json:"type"`
	IDs  []string `json:"ids"`
}

// MsgReceive sets the video a member receives, for a slow or costly link:
// {"type":"receive-video","mode":"all"|"speaker"|"none"}.
const MsgReceive = "receive-video"

// receiveMode is the video a subscriber wants; the server forwards only
// that, so the bytes it saves are the subscriber's.
type receiveMode int

const (
	receiveAll     receiveMode = iota // up to MaxVideoStreams, pinned and latest speakers first
	receiveSpeaker                    // only the most recent speaker's video
	receiveNone                       // no video at all
)

func parseReceive(s string) (receiveMode, bool) {
	switch s {
	case "", "all":
		return receiveAll, true
	case "speaker":
		return receiveSpeaker, true
	case "none":
		return receiveNone, true
	}
	return receiveAll, false
}

type receiveMsg struct {
	Type string `json:"type"`
	Mode string `json:"mode"`
}

func handleReceive(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m receiveMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	mode, ok := parseReceive(m.Mode)
	if !ok || m.Mode == "" {
		return &Error{Code: CodeBadMessage, Message: "mode must be all, speaker or none"}
	}
	return p.inActor(func() error {
		p.receive = mode
		p.selectVideo()
		return nil
	})
}

func handleSelect(_ context.Context, p *Peer, raw json.RawMessage) error {
	var m selectMsg
	if err := decode(raw, &m); err != nil {
		return err
	}
	if len(m.IDs) > maxSelected {
		return &Error{Code: CodeBadMessage, Message: "too many ids"}
	}
	return p.inActor(func() error {
		p.pinned = m.IDs
		p.selectVideo()
		return nil
	})
}
