package dialin

import (
	"context"
	"net"
	"time"

	"github.com/emiago/sipgo/sip"
)

// byeTimeout bounds hanging up a call that no longer answers.
const byeTimeout = 5 * time.Second

func (g *Gateway) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}

func (g *Gateway) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	if !g.allowed(req.Source()) {
		g.respond(req, tx, sip.StatusForbidden, "Forbidden")
		return
	}
	g.respond(req, tx, sip.StatusOK, "OK")
}

func (g *Gateway) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := g.dialogs.ReadBye(req, tx); err != nil {
		g.respond(req, tx, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
	}
}

// onInvite answers one call and serves it until it ends: sipgo runs each
// request's handler on its own goroutine.
func (g *Gateway) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if !g.admits(req, tx) {
		return
	}
	o, err := parseOffer(req.Body())
	if err != nil {
		g.respond(req, tx, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	g.log.Debug("dial-in offer", "codec", o.codec.name, "dtmf", o.hasDTMF, "dtmf_pt", o.dtmfPT)
	key := g.numberKey(req)
	id, ok := g.startCall(key)
	if !ok {
		g.respond(req, tx, sip.StatusBusyHere, "Busy Here")
		return
	}
	defer g.endCall(key)
	defer g.live.Done()
	conn, err := listenRTP(g.rtpIP(), g.cfg.RTPLow, g.cfg.RTPHigh)
	if err != nil {
		g.log.Warn("dial-in call refused", "err", err)
		g.respond(req, tx, sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	dlg, err := g.dialogs.ReadInvite(req, tx)
	if err != nil {
		_ = conn.Close()
		g.respond(req, tx, sip.StatusBadRequest, "Bad Request")
		return
	}
	defer func() { _ = dlg.Close() }()
	m := newMedia(conn, o, peerIP(req.Source()), &g.toRoom)
	body := answerSDP(g.cfg.PublicIP, conn.LocalAddr().(*net.UDPAddr).Port, o, id)
	// RespondSDP returns once the caller ACKs (or gives up after 64*T1);
	// a gateway closing meanwhile ends the transaction instead.
	acked := make(chan error, 1)
	go func() { acked <- dlg.RespondSDP(body) }()
	select {
	case err = <-acked:
	case <-g.life.Done():
		tx.Terminate()
		<-acked
		err = g.life.Err()
	}
	if err != nil {
		_ = conn.Close()
		return
	}
	g.observe(id, "answered", "")
	ctx, stop := context.WithCancel(dlg.Context())
	defer context.AfterFunc(g.life, stop)()
	done := make(chan struct{})
	go func() { defer close(done); m.run(ctx) }()
	c := &call{g: g, id: id, m: m, key: key, lang: g.cfg.Language}
	c.run(ctx)
	// We hang up, not the caller; a caller that never ACKed the answer is
	// not sent a BYE (RFC 3261 15): its INVITE transaction just ends.
	if dlg.Context().Err() == nil && dlg.LoadState() >= sip.DialogStateConfirmed {
		bctx, cancel := context.WithTimeout(context.Background(), byeTimeout)
		_ = dlg.Bye(bctx)
		cancel()
	}
	stop()
	<-done
	g.observe(id, "hangup", "")
}

// admits checks that an INVITE comes from a trunk: from the allow-list,
// then with digest credentials when they are configured. It answers the
// INVITE when not: 403 outside the allow-list, else a 401 challenge.
func (g *Gateway) admits(req *sip.Request, tx sip.ServerTransaction) bool {
	if !g.allowed(req.Source()) {
		g.log.Info("dial-in refused a call from a peer outside the allow-list")
		g.respond(req, tx, sip.StatusForbidden, "Forbidden")
		return false
	}
	if g.auth == nil {
		return true
	}
	ok, stale := g.auth.check(req)
	if ok {
		return true
	}
	if req.GetHeader("Authorization") != nil && !stale {
		g.log.Info("dial-in refused a call with wrong digest credentials")
	}
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", g.auth.challenge(stale)))
	_ = tx.Respond(res)
	return false
}

// peerIP is the address of a request's sender.
func peerIP(source string) net.IP {
	host, _, err := net.SplitHostPort(source)
	if err != nil {
		return nil
	}
	return net.ParseIP(host)
}

// rtpIP is the local address RTP sockets bind: the SIP listener's host.
func (g *Gateway) rtpIP() net.IP {
	if a, ok := g.udp.LocalAddr().(*net.UDPAddr); ok && !a.IP.IsUnspecified() {
		return a.IP
	}
	return nil
}

func (g *Gateway) startCall(key string) (uint64, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped || g.calls >= g.cfg.MaxCalls || g.byCall[key] >= maxCallsPerNumber {
		return 0, false
	}
	g.calls++
	g.byCall[key]++
	g.live.Add(1) // under mu, after the stopped check: Close's Wait sees it
	g.next++
	return g.next, true
}

func (g *Gateway) endCall(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls--
	if g.byCall[key]--; g.byCall[key] <= 0 {
		delete(g.byCall, key)
	}
}

// seat takes the lowest free "Phone caller N" number in a room.
func (g *Gateway) seat(room string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	used := g.seats[room]
	if used == nil {
		used = map[int]bool{}
		g.seats[room] = used
	}
	n := 1
	for used[n] {
		n++
	}
	used[n] = true
	return n
}

func (g *Gateway) unseat(room string, n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.seats[room], n)
	if len(g.seats[room]) == 0 {
		delete(g.seats, room)
	}
}
