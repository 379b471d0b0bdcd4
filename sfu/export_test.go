package sfu

import "time"

// SignBrowserCookie is the cookie value a Server with CookieKey key
// accepts for id (32 hex digits) issued at t: tests' stand-in for a
// browser that loaded a page earlier.
func SignBrowserCookie(key []byte, id string, t time.Time) string {
	b := newBrowserCookies(key, func() time.Time { return t })
	return b.signedID(id)
}
