package api

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/lib/pq"
)

// databaseUnavailable reports whether err says the database could not be
// reached — refused or broken connections, a server shutting down or
// starting — rather than that a statement failed: the request may succeed
// in a minute, and nothing about it is the caller's mistake.
func databaseUnavailable(err error) bool {
	var netErr net.Error
	var pqErr *pq.Error
	switch {
	case errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pqErr):
		// Class 08: connection exceptions; 57P: operator intervention
		// (admin or crash shutdown, cannot connect now).
		code := string(pqErr.Code)
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P")
	}
	return false
}

// unavailableError logs err, asks the client to come back in a minute and
// returns the 503 to show.
func unavailableError(c *gin.Context, err error) *Error {
	slog.WarnContext(c.Request.Context(), "database unavailable", "route", c.FullPath(), "err", err)
	c.Header("Retry-After", "60")
	return errDatabaseUnavailable
}

var errDatabaseUnavailable = errorf(http.StatusServiceUnavailable, "database_unavailable",
	"数据库暂时无法连接，请一分钟后再试；本次操作可能未完成 / the database cannot be reached: try again in a minute; this request may not have taken effect")
