package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeSelfSigned writes a fresh self-signed certificate for 127.0.0.1 and
// its key to dir, with the given serial number.
func writeSelfSigned(t *testing.T, dir string, serial int64) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "hearth test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	must(t, os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600))
	return certPath, keyPath
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func serialOf(t *testing.T, cfg *tls.Config) int64 {
	t.Helper()
	cert, err := cfg.GetCertificate(&tls.ClientHelloInfo{})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return leaf.SerialNumber.Int64()
}

// TestTURNTLSFlags checks the TURN-over-TLS flags: the certificate is
// loaded at start, reread after a renewal, and a broken renewal keeps the
// previous one.
func TestTURNTLSFlags(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := writeSelfSigned(t, dir, 1)
	c, err := parseServe([]string{"--turn", "--turn-tls-cert", certPath, "--turn-host", "turn.example.org"},
		envOf("HEARTH_TURN_TLS_KEY", keyPath, "HEARTH_TURN_TLS_PORT", "5349"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.RTC.sfuConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TURN.TLS == nil || cfg.TURN.TLSPort != 5349 || cfg.TURN.Host != "turn.example.org" {
		t.Fatalf("turn config = %+v", cfg.TURN)
	}
	if got := serialOf(t, cfg.TURN.TLS); got != 1 {
		t.Fatalf("serial %d, want 1", got)
	}
	writeSelfSigned(t, dir, 2)
	later := time.Now().Add(time.Minute) // a renewal's files are newer
	must(t, os.Chtimes(certPath, later, later))
	if got := serialOf(t, cfg.TURN.TLS); got != 2 {
		t.Errorf("after renewal: serial %d, want 2", got)
	}
	c2, err := parseServe([]string{"--turn", "--turn-tls-cert", certPath, "--turn-tls-key", keyPath}, envOf())
	if err != nil {
		t.Fatal(err)
	}
	if cfg2, err := c2.RTC.sfuConfig("https://meet.example.org"); err != nil || cfg2.TURN.Host != "meet.example.org" || cfg2.TURN.TLSPort != 443 {
		t.Errorf("without --turn-host: host %q port %d (%v), want the public URL's host and 443", cfg2.TURN.Host, cfg2.TURN.TLSPort, err)
	}
	must(t, os.WriteFile(keyPath, []byte("half written"), 0o600))
	if got := serialOf(t, cfg.TURN.TLS); got != 2 {
		t.Errorf("after a broken renewal: serial %d, want the previous certificate (2)", got)
	}

	for _, args := range [][]string{
		{"--turn", "--turn-tls-cert", certPath},                                                       // no key
		{"--turn-tls-cert", certPath, "--turn-tls-key", keyPath},                                      // no --turn
		{"--turn", "--turn-tls-cert", certPath, "--turn-tls-key", keyPath, "--turn-tls-port", "3478"}, // same as --turn-port
		{"--turn", "--turn-tls-port", "70000"},
		{"--turn", "--turn-host", "turn.example.org:443"},
	} {
		if _, err := parseServe(args, envOf()); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	c, err = parseServe([]string{"--turn", "--turn-tls-cert", filepath.Join(dir, "missing.pem"), "--turn-tls-key", keyPath}, envOf())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RTC.sfuConfig(""); err == nil {
		t.Error("a missing certificate file was accepted")
	}
}
