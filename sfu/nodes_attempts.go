package sfu

import (
	"context"
	"time"

	"github.com/hearth-recovery/hearth/sfu/control"
)

// AttemptCount is a room's count of one client's wrong secrets
// (control.SecretCount), saved by the node that runs the room so that the
// room's next node counts on after a failover.
type AttemptCount struct {
	Room  string
	Epoch int64 // the saving node's lease: a node that lost the room writes nothing
	Key   string
	Fails int
	Last  time.Time
}

// Attempts is where the nodes that share one schedule keep the secret
// limiter's counts. cmd implements it with the PostgreSQL store, beside
// the leases.
type Attempts interface {
	// SaveAttempts records counts, each only if its lease is still this
	// node's.
	SaveAttempts(ctx context.Context, counts []AttemptCount) error
	// Attempts returns a room's saved counts.
	Attempts(ctx context.Context, room string) ([]AttemptCount, error)
}

// attemptsEvery is how often a node saves the counts that changed: a flood
// of guesses costs the database one batch a second, whatever its size,
// while a failover loses at most a second of counting.
const attemptsEvery = time.Second

// maxPendingAttempts bounds the counts kept while the database does not
// answer; past it the oldest batch is dropped.
const maxPendingAttempts = 1 << 16

// keepAttempts saves the rooms' changed counts every attemptsEvery until
// the server closes, and once more then.
func (s *Server) keepAttempts() {
	defer s.wg.Done()
	t := time.NewTicker(attemptsEvery)
	defer t.Stop()
	pending := map[[2]string]AttemptCount{}
	for {
		select {
		case <-s.ctx.Done():
			s.collectAttempts(pending)
			s.saveAttempts(context.Background(), pending)
			return
		case <-t.C:
		}
		s.collectAttempts(pending)
		s.saveAttempts(s.ctx, pending)
	}
}

// collectAttempts adds the counts that changed in the rooms this node
// holds to pending (the latest count of a client wins).
func (s *Server) collectAttempts(pending map[[2]string]AttemptCount) {
	for _, cr := range s.ctrl.controlRooms() {
		l, ok := s.heldLease(cr.roomID)
		if !ok {
			continue // counted on when the room is leased here again
		}
		cr.mu.Lock()
		counts := cr.st.SecretCounts(cr.salt)
		cr.mu.Unlock()
		for _, c := range counts {
			pending[[2]string{cr.roomID, c.Key}] = AttemptCount{Room: cr.roomID, Epoch: l.Epoch, Key: c.Key, Fails: c.Fails, Last: c.Last}
		}
	}
}

// saveAttempts writes pending in one call and empties it; when the database
// fails, the counts wait for the next round.
func (s *Server) saveAttempts(ctx context.Context, pending map[[2]string]AttemptCount) {
	if len(pending) == 0 {
		return
	}
	batch := make([]AttemptCount, 0, len(pending))
	for _, c := range pending {
		batch = append(batch, c)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.cfg.Node.Attempts.SaveAttempts(ctx, batch); err != nil {
		s.log.Warn("save secret attempt counts", "counts", len(batch), "err", err)
		if len(pending) < maxPendingAttempts {
			return
		}
	}
	clear(pending)
}

// rooms lists the rooms with control state on this node.
func (c *Controller) controlRooms() []*controlRoom {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*controlRoom, 0, len(c.state))
	for _, cr := range c.state {
		out = append(out, cr)
	}
	return out
}

// restoreAttempts gives a new room the counts its previous node saved,
// keyed with the room's salt.
func (k *carrier) restoreAttempts(ctx context.Context, roomID string, st *control.Room, salt []byte) {
	if k == nil || k.attempts == nil {
		return
	}
	saved, err := k.attempts.Attempts(ctx, roomID)
	if err != nil {
		k.log.Warn("load secret attempt counts", "room", roomID, "err", err)
		return
	}
	counts := make([]control.SecretCount, len(saved))
	for i, c := range saved {
		counts[i] = control.SecretCount{Key: c.Key, Fails: c.Fails, Last: c.Last}
	}
	st.RestoreSecretCounts(counts, salt)
}
