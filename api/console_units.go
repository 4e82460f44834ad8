package api

// The console's roll page (find a unit, correct it) and a unit's history
// page (DESIGN §5.3).

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/postgres"
)

type rollPageData struct {
	consoleData
	Query string
	Unit  *postgres.RollUnit
}

// consoleRoll shows the roll page: ?unit= finds one unit to correct.
func (s *Server) consoleRoll(c *gin.Context) {
	d, err := s.newConsoleData(c, "roll")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	data := rollPageData{consoleData: d, Query: strings.TrimSpace(c.Query("unit"))}
	if data.Query != "" {
		u, err := postgres.GetUnit(c.Request.Context(), s.DB, d.Community.ID, data.Query)
		switch {
		case errors.Is(err, postgres.ErrNotFound):
		case err != nil:
			s.consolePageError(c, err)
			return
		default:
			data.Unit = &u
		}
	}
	s.render(c, http.StatusOK, "console_roll", data)
}

type unitPageData struct {
	consoleData
	Unit  string
	Votes []postgres.UnitVote
}

// consoleUnit shows one unit's history.
func (s *Server) consoleUnit(c *gin.Context) {
	d, err := s.newConsoleData(c, "roll")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	data := unitPageData{consoleData: d, Unit: c.Param("unit")}
	if data.Votes, err = postgres.UnitHistory(c.Request.Context(), s.DB, d.Community.ID, data.Unit); err != nil {
		s.consolePageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "console_unit", data)
}
