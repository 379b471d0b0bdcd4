package control

import "fmt"

// Reaction is one of the small fixed set of reactions a participant may
// show on its tile. The set is fixed so that a reaction carries no text a
// raider could abuse.
type Reaction string

// Reactions.
const (
	ReactionApplause Reaction = "applause"
	ReactionHeart    Reaction = "heart"
	ReactionWave     Reaction = "wave"
	ReactionThumbsUp Reaction = "thumbs-up"
)

func (x Reaction) valid() bool {
	switch x {
	case ReactionApplause, ReactionHeart, ReactionWave, ReactionThumbsUp:
		return true
	}
	return false
}

// React shows a reaction on the sender's tile, to everyone admitted.
// Members are paced one by one and room-wide, and refused while a chair
// has reactions off; chairs are paced only by their own limit.
type React struct{ Reaction Reaction }

// SetReactions lets members react, or not.
type SetReactions struct{ On bool }

func (React) Name() string        { return "react" }
func (SetReactions) Name() string { return "set-reactions" }

func (React) minRole() Role        { return RoleMember }
func (SetReactions) minRole() Role { return RoleCoChair }

func (c React) apply(r *Room, p *participant) ([]Event, error) {
	if !c.Reaction.valid() {
		return nil, fmt.Errorf("reaction %q: %w", c.Reaction, CodeInvalid)
	}
	if !r.perms(p).React {
		return nil, fmt.Errorf("react: %w", CodeReactionsOff)
	}
	now, l := r.clock.Now(), r.limits
	p.react.refill(now, l.ReactionBurst, l.ReactionRefill)
	r.roomReact.refill(now, l.RoomReactionBurst, l.RoomReactionRefill)
	member := p.role == RoleMember
	switch {
	case p.react.tokens == 0:
		return nil, fmt.Errorf("react: %w", CodeRateLimited)
	case member && r.roomReact.tokens == 0:
		return nil, fmt.Errorf("react: room-wide limit: %w", CodeRateLimited)
	}
	p.react.spend(now, l.ReactionBurst)
	if member {
		r.roomReact.spend(now, l.RoomReactionBurst)
	}
	return []Event{{To: toEveryone(), Kind: KindReaction, Subject: p.id, Reaction: c.Reaction}}, nil
}

func (c SetReactions) apply(r *Room, from *participant) ([]Event, error) {
	r.reactions = c.On
	return append(r.memberPerms(), announce(from, ControlReactions, c.On, "")), nil
}
