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
