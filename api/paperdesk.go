package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/postgres"
)

// paperLookup answers GET /api/v1/consultations/{id}/paper/ballot with one
// of ?scan=, ?ballot_code= or ?token=: the unit a paper ballot belongs to,
// so the volunteer sees it before entering the choices, with what would
// stop its entry counting — a counted ballot, or other entries pending for
// the unit. Staff only; unknown codes count against the volunteer's limit
// as an entry's do.
func (s *Server) paperLookup(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	v, err := s.paperBallot(c, k, &paperRequest{BallotCode: c.Query("ballot_code"), Token: c.Query("token"), Scan: c.Query("scan")})
	if err != nil {
		return err
	}
	pending, err := postgres.PendingPaperEntryIDs(c.Request.Context(), s.DB, k.CommunityID, k.ID, v.UnitID)
	if err != nil {
		return err
	}
	out := gin.H{"unit": v.UnitID, "code": ballot.FormatCode(v.Code), "zone": v.Zone, "area": v.Area.String(),
		"place": gin.H{"building": v.Building, "entrance": v.Entrance, "room": v.Room}, "pending": pending}
	if v.Cast != nil {
		out["cast"] = gin.H{"at": v.Cast.At, "channel": v.Cast.Channel}
	}
	c.JSON(http.StatusOK, out)
	return nil
}
