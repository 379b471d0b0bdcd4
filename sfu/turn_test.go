package sfu_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hearth-recovery/hearth/sfu"
	"github.com/hearth-recovery/hearth/sfu/loadtest"
	"github.com/pion/turn/v4"
)

// TestEmbeddedTURN checks that joined carries a short-lived credential
// with a URL per transport (UDP, TCP and TLS), that the embedded server
// allocates a relay with it over each, and refuses a forged one.
func TestEmbeddedTURN(t *testing.T) {
	secret := "0123456789abcdef-test-secret"
	tlsCfg, roots := selfSignedTLS(t)
	ts := startServer(t, sfu.Config{TURN: sfu.TURNConfig{Enabled: true, Secret: secret, TTL: time.Minute, TLS: tlsCfg}})
	c := ts.raw(t)
	c.send(`{"type":"join","room":"r","name":"t"}`)
	_, m := c.next("joined")
	servers, _ := m["iceServers"].([]any)
	if len(servers) != 1 {
		t.Fatalf("iceServers = %v", m["iceServers"])
	}
	srv := servers[0].(map[string]any)
	urls := srv["urls"].([]any)
	user, pass := srv["username"].(string), srv["credential"].(string)
	if len(urls) != 3 || !strings.HasSuffix(user, ":"+m["id"].(string)) {
		t.Fatalf("turn server %v", srv)
	}
	for _, u := range urls {
		url := u.(string)
		scheme, rest, _ := strings.Cut(url, ":")
		addr, transport, _ := strings.Cut(rest, "?transport=")
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Fatalf("%s: want the loopback address", url)
		}
		dial := turnDialer(t, scheme, transport, addr, roots)
		if err := allocateOver(t, dial, addr, user, pass); err != nil {
			t.Errorf("%s: allocation with the minted credential: %v", url, err)
		}
		if err := allocateOver(t, dial, addr, user, "forged"); err == nil {
			t.Errorf("%s: allocation with a forged credential succeeded", url)
		}
	}
}

// selfSignedTLS returns a server configuration with a fresh self-signed
// certificate for 127.0.0.1 and localhost, and a pool that trusts it.
func selfSignedTLS(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	certPEM, keyPEM := selfSignedPEM(t)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, roots
}

func selfSignedPEM(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hearth test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})
}

// turnDialer returns how a TURN client reaches addr: a UDP socket, or a
// TCP or TLS stream framed for STUN.
func turnDialer(t *testing.T, scheme, transport, addr string, roots *x509.CertPool) func() (net.PacketConn, error) {
	t.Helper()
	switch {
	case scheme == "turn" && transport == "udp":
		return func() (net.PacketConn, error) { return net.ListenPacket("udp4", "127.0.0.1:0") }
	case scheme == "turn" && transport == "tcp":
		return func() (net.PacketConn, error) {
			c, err := net.Dial("tcp4", addr)
			if err != nil {
				return nil, err
			}
			return turn.NewSTUNConn(c), nil
		}
	case scheme == "turns" && transport == "tcp":
		return func() (net.PacketConn, error) {
			c, err := tls.Dial("tcp4", addr, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
			if err != nil {
				return nil, err
			}
			return turn.NewSTUNConn(c), nil
		}
	}
	t.Fatalf("unexpected TURN URL %s:%s?transport=%s", scheme, addr, transport)
	return nil
}

func allocate(t *testing.T, addr, user, pass string) error {
	t.Helper()
	return allocateOver(t, func() (net.PacketConn, error) { return net.ListenPacket("udp4", "127.0.0.1:0") }, addr, user, pass)
}

func allocateOver(t *testing.T, dial func() (net.PacketConn, error), addr, user, pass string) error {
	t.Helper()
	conn, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cl, err := turn.NewClient(&turn.ClientConfig{STUNServerAddr: addr, TURNServerAddr: addr,
		Conn: conn, Username: user, Password: pass, Realm: "hearth", RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Listen(); err != nil {
		t.Fatal(err)
	}
	relay, err := cl.Allocate()
	if err != nil {
		return err
	}
	return relay.Close()
}

func TestOriginCheck(t *testing.T) {
	s, err := sfu.New(sfu.Config{LoopbackOnly: true, AllowedOrigins: []string{"meet.example.org"}}, loadtest.OpenRooms{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { _ = s.Close(); hs.Close() })
	url := "ws" + strings.TrimPrefix(hs.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for origin, ok := range map[string]bool{"https://meet.example.org": true, "https://evil.example": false} {
		ws, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}})
		if (err == nil) != ok {
			t.Errorf("origin %s: err %v", origin, err)
		}
		if err == nil {
			_ = ws.CloseNow()
		} else if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("origin %s: want 403, got %v", origin, resp)
		}
	}
}

// TestTURNCloseDropsStreamClients checks that closing the server drops the
// TURN-over-TCP and TLS clients (the TURN library leaves them open), and
// that a TLS client that never completes its handshake holds nothing up.
func TestTURNCloseDropsStreamClients(t *testing.T) {
	tlsCfg, roots := selfSignedTLS(t)
	ts := startServer(t, sfu.Config{TURN: sfu.TURNConfig{Enabled: true, Secret: "0123456789abcdef-test-secret", TLS: tlsCfg}})
	c := ts.raw(t)
	c.send(`{"type":"join","room":"r","name":"t"}`)
	_, m := c.next("joined")
	urls := m["iceServers"].([]any)[0].(map[string]any)["urls"].([]any)
	tcpAddr := strings.TrimSuffix(strings.TrimPrefix(urls[1].(string), "turn:"), "?transport=tcp")
	tlsAddr := strings.TrimSuffix(strings.TrimPrefix(urls[2].(string), "turns:"), "?transport=tcp")
	silent, err := net.Dial("tcp4", tlsAddr) // connects, never says hello
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	plain, err := net.Dial("tcp4", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	secure, err := tls.Dial("tcp4", tlsAddr, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS handshake while another client stays silent: %v", err)
	}
	defer secure.Close()
	if _, err := secure.Write([]byte{0}); err != nil { // past the handshake: the server tracks it
		t.Fatal(err)
	}
	ts.close()
	for name, conn := range map[string]net.Conn{"tcp": plain, "tls": secure, "silent tls": silent} {
		if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s client still connected after the server closed (read: %v)", name, err)
		}
	}
}
