package sfu

import (
	"fmt"
	"log/slog"
	"net"

	"github.com/pion/turn/v4"
)

// turnServer is the embedded TURN relay for clients whose network blocks
// direct UDP to the media port.
type turnServer struct {
	srv  *turn.Server
	conn net.PacketConn
	cfg  TURNConfig
	host string // address announced in turn: URLs
}

func startTURN(cfg Config, log *slog.Logger) (*turnServer, error) {
	bind, relayIP := "0.0.0.0", "127.0.0.1"
	if cfg.LoopbackOnly {
		bind = "127.0.0.1"
	}
	if len(cfg.PublicIPs) > 0 {
		relayIP = cfg.PublicIPs[0]
	}
	conn, err := net.ListenPacket("udp4", net.JoinHostPort(bind, fmt.Sprint(cfg.TURN.Port)))
	if err != nil {
		return nil, fmt.Errorf("sfu: turn listen: %w", err)
	}
	logs := newPionLogs(log)
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         cfg.TURN.Realm,
		AuthHandler:   turn.LongTermTURNRESTAuthHandler(cfg.TURN.Secret, logs.NewLogger("turn-auth")),
		LoggerFactory: logs,
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn: conn,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{
				RelayAddress: net.ParseIP(relayIP), Address: bind,
			},
		}},
	})
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("sfu: turn server: %w", err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	return &turnServer{srv: srv, conn: conn, cfg: cfg.TURN, host: net.JoinHostPort(relayIP, fmt.Sprint(port))}, nil
}

// credentials mints a short-lived TURN credential for one participant.
func (t *turnServer) credentials(participantID string) (ICEServer, error) {
	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(t.cfg.Secret, participantID, t.cfg.TTL)
	if err != nil {
		return ICEServer{}, fmt.Errorf("sfu: turn credentials: %w", err)
	}
	return ICEServer{URLs: []string{"turn:" + t.host + "?transport=udp"}, Username: user, Credential: pass}, nil
}

func (t *turnServer) Close() error { return t.srv.Close() }
