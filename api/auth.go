package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"gongjue/postgres"
	"gongjue/secret"
	"gongjue/staff"
)

// sessionTTL is how long a login lasts.
const sessionTTL = 12 * time.Hour

// Cookie names of a browser session. The CSRF cookie is readable by the page
// and must be echoed in a form field or header on every state change.
const (
	sessionCookie = "gongjue_session"
	csrfCookie    = "gongjue_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"
)

const accountKey = "gongjue.account"

type loginRequest struct {
	Username string `json:"username" form:"username"`
	Password string `json:"password" form:"password"`
}

// login answers POST /api/v1/auth/login with a bearer token.
func (s *Server) login(c *gin.Context) error {
	var req loginRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return badRequest("请求格式错误 / malformed JSON: " + err.Error())
	}
	acct, sess, err := s.startSession(c, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"token": sess.Token, "expires_at": sess.ExpiresAt, "account": acct})
	return nil
}

func (s *Server) startSession(c *gin.Context, req loginRequest) (staff.Account, postgres.Session, error) {
	ctx := c.Request.Context()
	if req.Username == "" || req.Password == "" {
		return staff.Account{}, postgres.Session{}, invalid("请输入用户名和密码 / username and password are required", nil)
	}
	if err := s.admitLogin(c, req.Username); err != nil {
		return staff.Account{}, postgres.Session{}, err
	}
	acct, err := postgres.Authenticate(ctx, s.DB, req.Username, req.Password)
	if errors.Is(err, postgres.ErrBadCredentials) {
		return acct, postgres.Session{}, errorf(http.StatusUnauthorized, "bad_credentials", "用户名或密码错误 / wrong username or password")
	}
	if err != nil {
		return acct, postgres.Session{}, err
	}
	sess, err := postgres.CreateSession(ctx, s.DB, acct.ID, sessionTTL)
	if err != nil {
		return acct, sess, err
	}
	err = postgres.Audit(ctx, s.DB, acct.CommunityID, &acct.ID, "login", acct.Username, nil)
	return acct, sess, err
}

// logout ends the session the request is authenticated with.
func (s *Server) logout(c *gin.Context) error {
	token, _ := sessionToken(c)
	if token != "" {
		if err := postgres.EndSession(c.Request.Context(), s.DB, token); err != nil {
			return err
		}
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", false, true)
	c.SetCookie(csrfCookie, "", -1, "/", "", false, false)
	c.Status(http.StatusNoContent)
	return nil
}

// sessionToken finds the login token: a bearer header for API clients, or
// the session cookie for browser pages.
func sessionToken(c *gin.Context) (token string, fromCookie bool) {
	if h := c.GetHeader("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	t, _ := c.Cookie(sessionCookie)
	return t, t != ""
}

// staff authenticates the request and admits only the given roles (any
// role when none is given). Cookie-authenticated state changes must carry
// the CSRF token.
func (s *Server) staff(roles ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, fromCookie := sessionToken(c)
		if token == "" {
			writeError(c, errUnauthenticated)
			return
		}
		acct, csrfHash, err := postgres.AccountBySession(c.Request.Context(), s.DB, token)
		if errors.Is(err, postgres.ErrNotFound) {
			writeError(c, errUnauthenticated)
			return
		}
		if err != nil {
			writeError(c, err)
			return
		}
		if fromCookie && !safeMethod(c.Request.Method) && !validCSRF(c, csrfHash) {
			writeError(c, errorf(http.StatusForbidden, "csrf", "页面已过期，请刷新后重试 / the page expired, reload and try again"))
			return
		}
		if len(roles) > 0 && !slices.Contains(roles, acct.Role) {
			writeError(c, errForbidden)
			return
		}
		c.Set(accountKey, acct)
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func validCSRF(c *gin.Context, want []byte) bool {
	got := c.GetHeader(csrfHeader)
	if got == "" {
		got = c.PostForm(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare(secret.Hash(got), want) == 1
}

// account is the authenticated account of a request behind staff().
func account(c *gin.Context) staff.Account {
	return c.MustGet(accountKey).(staff.Account)
}

// communityParam reads the :cid parameter and checks the account may act in
// that estate. Another estate's data answers 404, as if it did not exist.
func communityParam(c *gin.Context) (int64, error) {
	cid, err := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	if err := checkCommunity(c, cid); err != nil {
		return 0, err
	}
	return cid, nil
}

// checkCommunity admits the platform admin and accounts of estate cid.
func checkCommunity(c *gin.Context, cid int64) error {
	acct := account(c)
	if acct.Role == staff.RolePlatformAdmin || acct.InCommunity(cid) {
		return nil
	}
	return errNotFound
}

// audit records an admin action by the request's account.
func (s *Server) audit(c *gin.Context, communityID int64, action, subject string, detail any) error {
	return s.auditOn(c, s.DB, communityID, action, subject, detail)
}

// auditOn is audit within a transaction (or on the pool, q).
func (s *Server) auditOn(c *gin.Context, q sqlx.ExecerContext, communityID int64, action, subject string, detail any) error {
	acct := account(c)
	return postgres.Audit(c.Request.Context(), q, &communityID, &acct.ID, action, subject, detail)
}
