package api

// The committee console: server-rendered pages for the owners' committee,
// the residents' committee and volunteers (DESIGN §1). Pages only read;
// every state change is made by templates/static/console.js calling the JSON
// API with the session cookie and the X-CSRF-Token header, so each action
// and its validation exist once, in the JSON handlers. Logging in and out are
// the exceptions: plain form posts handled here.

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/staff"
	"gongjue/templates"
)

// registerConsole adds the console's page routes.
func (s *Server) registerConsole() {
	e := s.engine
	e.GET("/", s.consoleHome)
	e.GET("/login", s.loginPage)
	e.POST("/login", s.loginSubmit)
	e.POST("/logout", s.logoutSubmit)

	con := e.Group("/console")
	all := s.consolePage(committee, residents, volunteer)
	con.GET("", all, s.consoleOverview)
	con.GET("/roll-template.csv", s.consolePage(committee), s.consoleRollTemplate)
	con.GET("/scope", s.consolePage(committee), handle(s.consoleScope))
	con.GET("/rule", s.consolePage(committee), handle(s.consoleRule))
	con.GET("/accounts", s.consolePage(committee), s.consoleAccounts)
	con.GET("/estates", s.consolePage(platform), s.consoleEstates)
	con.GET("/consultations/new", s.consolePage(committee), s.consoleNewConsultation)
	con.GET("/consultations/:id", all, s.consoleConsultation)
	con.GET("/consultations/:id/turnout", all, s.consoleTurnout)
	con.GET("/consultations/:id/missing", s.consolePage(committee, volunteer, residents), s.consoleMissing)
	con.GET("/consultations/:id/paper", s.consolePage(committee, volunteer), s.consolePaper)
	con.GET("/consultations/:id/deliveries", all, s.consoleDeliveries)
	con.GET("/consultations/:id/result", all, s.consoleResult)
	con.GET("/roll", s.consolePage(committee), s.consoleRoll)
	con.GET("/procedures", all, s.consoleProcedures)
	con.GET("/units/:unit", all, s.consoleUnit)
}

// consolePage admits a logged-in browser of one of roles to a console page.
// Without a session it redirects to the login page, which comes back here.
func (s *Server) consolePage(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, _ := c.Cookie(sessionCookie)
		if token == "" {
			conRedirectToLogin(c)
			return
		}
		acct, _, err := postgres.AccountBySession(c.Request.Context(), s.DB, token)
		if errors.Is(err, postgres.ErrNotFound) {
			conRedirectToLogin(c)
			return
		}
		if err != nil {
			s.consolePageError(c, err)
			return
		}
		c.Set(accountKey, acct)
		if !slices.Contains(roles, acct.Role) {
			p := newPage(c)
			s.renderError(c, http.StatusForbidden, conPickText(p, "您的账号无权查看此页面。", "Your account may not see this page."))
			return
		}
		c.Next()
	}
}

func conRedirectToLogin(c *gin.Context) {
	next := c.Request.URL.RequestURI()
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(next))
	c.Abort()
}

// consolePageError shows err as a page: a caller's mistake with its message, not
// found as not found, anything else logged and hidden.
func (s *Server) consolePageError(c *gin.Context, err error) {
	apiErr := answer(c, err)
	s.renderError(c, apiErr.Status, apiErr.Message)
}

// adminHome is the platform admin's console page.
const adminHome = "/console/estates"

// consoleHome sends a logged-in person to the console (the platform admin
// to the estates), anyone else to login.
func (s *Server) consoleHome(c *gin.Context) {
	if token, _ := c.Cookie(sessionCookie); token != "" {
		if acct, _, err := postgres.AccountBySession(c.Request.Context(), s.DB, token); err == nil {
			home := "/console"
			if acct.Role == staff.RolePlatformAdmin {
				home = adminHome
			}
			c.Redirect(http.StatusSeeOther, home)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

type loginPageData struct {
	page
	Username   string
	Next       string
	Error      string
	LoggedIn   bool
	LoginToken string // the pre-session token, against login CSRF
}

func (s *Server) loginPage(c *gin.Context) {
	s.renderLogin(c, http.StatusOK, loginPageData{page: newPage(c), Next: conSafeNext(c.Query("next"))})
}

// renderLogin shows the login form with a fresh pre-session token.
func (s *Server) renderLogin(c *gin.Context, status int, d loginPageData) {
	d.LoginToken = s.issueLoginToken(c)
	s.render(c, status, "login", d)
}

// conSafeNext accepts only a console path on this site as where to go after
// logging in, never another site.
func conSafeNext(next string) string {
	if strings.HasPrefix(next, "/console") && !strings.HasPrefix(next, "//") && !strings.Contains(next, `\`) {
		return next
	}
	return "/console"
}

// loginSubmit handles the login form: on success it sets the session cookie
// (HttpOnly) and the CSRF cookie (readable by the page's script) and goes
// on; on failure it shows the form again with the username kept.
func (s *Server) loginSubmit(c *gin.Context) {
	req := loginRequest{Username: strings.TrimSpace(c.PostForm("username")), Password: c.PostForm("password")}
	next := conSafeNext(c.PostForm("next"))
	if !validLoginToken(c) {
		p := newPage(c)
		s.renderLogin(c, http.StatusForbidden, loginPageData{page: p, Username: req.Username, Next: next,
			Error: conPickText(p, "登录页面已过期或来自其他网站，请重新输入密码登录。", "The login page expired or came from another site: enter your password again.")})
		return
	}
	acct, sess, err := s.startSession(c, req)
	if err == nil && acct.Role == staff.RolePlatformAdmin {
		// The platform admin's one page: the estates.
		next = adminHome
	}
	if err != nil {
		apiErr := apiError(err)
		if apiErr == nil {
			s.consolePageError(c, err)
			return
		}
		p := newPage(c)
		s.renderLogin(c, apiErr.Status, loginPageData{page: p, Username: req.Username, Next: next,
			Error: locale.Bilingual(apiErr.Message).In(p.Lang == templates.English)})
		return
	}
	secure := strings.HasPrefix(s.PublicURL, "https://")
	maxAge := int(time.Until(sess.ExpiresAt).Seconds())
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: sess.CSRFToken, Path: "/", MaxAge: maxAge,
		HttpOnly: false, Secure: secure, SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, next)
}

// logoutSubmit ends the browser's session. The form carries the CSRF token,
// so another site cannot log a committee member out.
func (s *Server) logoutSubmit(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	if token != "" {
		ctx := c.Request.Context()
		_, csrfHash, err := postgres.AccountBySession(ctx, s.DB, token)
		switch {
		case errors.Is(err, postgres.ErrNotFound):
			// already ended: just clear the cookies
		case err != nil:
			s.consolePageError(c, err)
			return
		case !validCSRF(c, csrfHash):
			p := newPage(c)
			s.renderError(c, http.StatusForbidden, conPickText(p, "页面已过期，请刷新后再退出。", "The page expired; reload it and log out again."))
			return
		default:
			if err := postgres.EndSession(ctx, s.DB, token); err != nil {
				s.consolePageError(c, err)
				return
			}
		}
	}
	conClearSessionCookies(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

func conClearSessionCookies(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(c.Writer, &http.Cookie{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1, SameSite: http.SameSiteStrictMode})
}

func conPickText(p page, zh, en string) string {
	if p.Lang == "en" {
		return en
	}
	return zh
}

// consoleData is what every console page carries.
type consoleData struct {
	page
	Account   staff.Account
	Community postgres.Community
	RoleName  string
	Section   string // the nav entry to mark as current
}

func (d consoleData) IsCommittee() bool { return d.Account.Role == staff.RoleCommittee }
func (d consoleData) IsResidents() bool { return d.Account.Role == staff.RoleResidentsCommittee }
func (d consoleData) IsVolunteer() bool { return d.Account.Role == staff.RoleVolunteer }

// newConsoleData reads the page's account and its estate.
func (s *Server) newConsoleData(c *gin.Context, section string) (consoleData, error) {
	acct := account(c)
	d := consoleData{page: newPage(c), Account: acct, Section: section}
	d.RoleName = conRoleName(d.page, acct.Role)
	if acct.CommunityID == nil {
		return d, errForbidden
	}
	comm, err := postgres.GetCommunity(c.Request.Context(), s.DB, *acct.CommunityID)
	d.Community = comm
	return d, err
}

func conRoleName(p page, role string) string {
	switch role {
	case staff.RoleCommittee:
		return conPickText(p, "业委会", "owners' committee")
	case staff.RoleResidentsCommittee:
		return conPickText(p, "居委会", "residents' committee")
	case staff.RoleVolunteer:
		return conPickText(p, "志愿者", "volunteer")
	case staff.RolePlatformAdmin:
		return conPickText(p, "平台管理员", "platform admin")
	}
	return role
}
