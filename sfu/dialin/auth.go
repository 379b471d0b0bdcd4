package dialin

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Digest is the SIP digest authentication (RFC 3261 section 22) a trunk
// must pass to place calls: the username and password configured at the
// provider or PBX for calls it sends to Hearth.
type Digest struct {
	Realm, User, Password string
}

// Digest challenge limits: a nonce holds for nonceLife; an Authorization
// header longer than maxAuthHeader is refused unread.
const (
	nonceLife     = 5 * time.Minute
	maxAuthHeader = 2048
)

// digestAuth checks INVITEs' credentials. Its nonces are stateless (a
// timestamp and its HMAC under a per-process key), so a flood of
// unauthenticated INVITEs costs no memory. Read-only after newDigestAuth.
type digestAuth struct {
	cfg Digest
	key [32]byte
	now func() time.Time
}

func newDigestAuth(cfg Digest) *digestAuth {
	a := &digestAuth{cfg: cfg, now: time.Now}
	if a.cfg.Realm == "" {
		a.cfg.Realm = "hearth"
	}
	_, _ = rand.Read(a.key[:])
	return a
}

// challenge is a WWW-Authenticate value with a fresh nonce; stale tells a
// client whose credentials were right but whose nonce expired to retry
// without asking its user.
func (a *digestAuth) challenge(stale bool) string {
	c := digest.Challenge{Realm: a.cfg.Realm, Nonce: a.nonce(a.now()), Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
	return c.String()
}

func (a *digestAuth) nonce(t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 16)
	return ts + "." + a.mac(ts)
}

func (a *digestAuth) mac(ts string) string {
	h := hmac.New(sha256.New, a.key[:])
	h.Write([]byte(ts))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fresh reports whether nonce is one of ours (valid) and still young.
func (a *digestAuth) fresh(nonce string) (valid, young bool) {
	ts, mac, ok := strings.Cut(nonce, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(a.mac(ts))) {
		return false, false
	}
	sec, err := strconv.ParseInt(ts, 16, 64)
	if err != nil {
		return false, false
	}
	age := a.now().Sub(time.Unix(sec, 0))
	return true, age >= -time.Minute && age <= nonceLife
}

// check verifies a request's Authorization. stale: the credentials were
// right for a nonce of ours that has expired.
func (a *digestAuth) check(req *sip.Request) (ok, stale bool) {
	h := req.GetHeader("Authorization")
	if h == nil || len(h.Value()) > maxAuthHeader {
		return false, false
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil || cred.Username != a.cfg.User || cred.Realm != a.cfg.Realm || cred.Userhash {
		return false, false
	}
	valid, young := a.fresh(cred.Nonce)
	if !valid {
		return false, false
	}
	chal := &digest.Challenge{Realm: cred.Realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque}
	switch cred.QOP {
	case "":
	case "auth":
		if cred.Cnonce == "" || cred.Nc <= 0 {
			return false, false
		}
		chal.QOP = []string{"auth"}
	default:
		return false, false
	}
	want, err := digest.Digest(chal, digest.Options{Method: string(req.Method), URI: cred.URI,
		Username: a.cfg.User, Password: a.cfg.Password, Cnonce: cred.Cnonce, Count: cred.Nc})
	if err != nil || subtle.ConstantTimeCompare([]byte(want.Response), []byte(cred.Response)) != 1 {
		return false, false
	}
	return young, !young
}
