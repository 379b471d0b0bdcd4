package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certFiles serves a certificate from PEM files and rereads them when
// either changes on disk, so that a renewal (certbot, Caddy's storage, an
// ACME client's hook) needs no restart. mu guards the fields below it.
type certFiles struct {
	certPath, keyPath string

	mu      sync.Mutex
	cert    *tls.Certificate
	changed [2]time.Time // modification times of the files loaded
}

// loadCertFiles loads the pair once, so that a wrong path or key fails at
// start rather than at a member's first connection.
func loadCertFiles(certPath, keyPath string) (*certFiles, error) {
	c := &certFiles{certPath: certPath, keyPath: keyPath}
	if _, err := c.current(); err != nil {
		return nil, err
	}
	return c, nil
}

// get is tls.Config.GetCertificate. After a failed reload (a renewal half
// written) it keeps serving the previous certificate.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	cert, err := c.current()
	if cert != nil {
		return cert, nil
	}
	return nil, err
}

// current returns the certificate, rereading the files if either changed.
func (c *certFiles) current() (*tls.Certificate, error) {
	var changed [2]time.Time
	for i, p := range []string{c.certPath, c.keyPath} {
		st, err := os.Stat(p)
		if err != nil {
			return c.cached(), fmt.Errorf("certificate: %w", err)
		}
		changed[i] = st.ModTime()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cert != nil && changed == c.changed {
		return c.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
	if err != nil {
		return c.cert, fmt.Errorf("certificate: %w", err)
	}
	c.cert, c.changed = &cert, changed
	return c.cert, nil
}

func (c *certFiles) cached() *tls.Certificate {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cert
}
