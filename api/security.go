package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/secret"
)

// contentSecurityPolicy is what every page may load and run: scripts and
// styles only from /static/ (no inline script, handler or style), nothing
// embedded, and no framing (clickjacking of the committee's buttons).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"object-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders marks every response. No page sends a Referer: a ballot
// page's URL carries its token.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}

// writePDF answers a PDF without the Content-Security-Policy: the
// browser's own PDF viewer runs inline styles and a plugin, which the pages'
// policy refuses, and would show a blank page.
func writePDF(c *gin.Context, pdf []byte) {
	c.Writer.Header().Del("Content-Security-Policy")
	c.Header("X-Frame-Options", "SAMEORIGIN") // the console embeds the draft notice
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// Login CSRF: a form on another site must not log the browser into an
// account of the attacker's. The login page sets a random pre-session token
// in a same-site cookie and in the form; a login post counts only when both
// agree. (Origin cannot serve: with no referrer, browsers send "null".)
const (
	loginCookie = "gongjue_login"
	loginField  = "_login"
)

// issueLoginToken sets a fresh pre-session token and returns it for the
// form.
func (s *Server) issueLoginToken(c *gin.Context) string {
	token := secret.Token()
	http.SetCookie(c.Writer, &http.Cookie{Name: loginCookie, Value: token, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: strings.HasPrefix(s.PublicURL, "https://"), SameSite: http.SameSiteStrictMode})
	return token
}

// validLoginToken reports whether the login post carries the token of the
// page it was sent from.
func validLoginToken(c *gin.Context) bool {
	cookie, _ := c.Cookie(loginCookie)
	field := c.PostForm(loginField)
	return cookie != "" && subtle.ConstantTimeCompare([]byte(cookie), []byte(field)) == 1
}
