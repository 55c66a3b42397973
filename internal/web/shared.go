package web

import "net/http"

// SecurityHeaders sets the headers every response of the station's web app
// carries (nosniff, no framing, same-origin referrer, a strict CSP) on h:
// for the province's web app, which follows the same rules.
func SecurityHeaders(h http.Handler) http.Handler { return securityHeaders(h) }

// SameOrigin reports whether a request's Origin, when sent, is this site.
func SameOrigin(r *http.Request) bool { return sameOrigin(r) }
