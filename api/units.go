package api

// Correcting one unit of the roll (the console's roll page) without
// importing the whole file again.

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gongjue/idnumber"
	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/textcheck"
)

// unitFixRequest is a correction; an absent or empty field stays as it is.
// developer_held is true/false, or "true"/"false" as a form's select sends.
type unitFixRequest struct {
	Area          string `json:"area"`
	AreaSource    string `json:"area_source"`
	OwnerName     string `json:"owner_name"`
	Phone         string `json:"phone"`
	DeveloperHeld any    `json:"developer_held"`
	IDNumber      string `json:"id_number"`
}

// fix checks the request and returns the correction and the names of the
// fields it changes.
func (s *Server) fix(r unitFixRequest) (postgres.UnitFix, []string, []fieldProblem) {
	var (
		f       postgres.UnitFix
		fields  []string
		problem []fieldProblem
	)
	bad := func(field, msg string) { problem = append(problem, fieldProblem{field, msg}) }
	text := func(field, v string, max int, into **string) {
		v = strings.TrimSpace(v)
		if v == "" {
			return
		}
		if msg := textcheck.Problem(v, false); msg != "" {
			bad(field, msg)
		} else if utf8.RuneCountInString(v) > max {
			bad(field, "过长 / too long")
		}
		*into, fields = &v, append(fields, field)
	}
	if a := strings.TrimSpace(r.Area); a != "" {
		area, msg := roll.ParseArea(a)
		if msg != "" {
			bad("area", msg)
		}
		f.Area, fields = &area, append(fields, "area")
	}
	if src := strings.TrimSpace(r.AreaSource); src != "" {
		code, msg := roll.ParseAreaSource(src)
		if msg != "" {
			bad("area_source", msg)
		}
		f.AreaSource, fields = &code, append(fields, "area_source")
	}
	text("owner_name", r.OwnerName, roll.MaxCellLength, &f.OwnerName)
	text("phone", r.Phone, 20, &f.Phone)
	switch r.DeveloperHeld {
	case nil, "":
	case true, "true":
		held := true
		f.DeveloperHeld, fields = &held, append(fields, "developer_held")
	case false, "false":
		held := false
		f.DeveloperHeld, fields = &held, append(fields, "developer_held")
	default:
		bad("developer_held", "应为 true 或 false / want true or false")
	}
	if id := strings.TrimSpace(r.IDNumber); id != "" {
		written, err := idnumber.Parse(id)
		if err != nil {
			bad("id_number", err.Error())
		}
		key := s.Keys.OwnerKey(written)
		f.OwnerKey, fields = &key, append(fields, "id_number")
	}
	return f, fields, problem
}

// correctUnit answers PATCH /api/v1/communities/{cid}/units/{unit}.
func (s *Server) correctUnit(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	var req unitFixRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	f, fields, problems := s.fix(req)
	if len(problems) > 0 {
		return invalid("更正内容有误 / the correction is invalid", problems)
	}
	if len(fields) == 0 {
		return invalid("没有要更正的内容 / nothing to correct", nil)
	}
	unit := c.Param("unit")
	u, err := postgres.CorrectUnit(c.Request.Context(), s.DB, cid, unit, f, account(c).ID, fields)
	if errors.Is(err, postgres.ErrUnitInOpenVote) {
		return errorf(http.StatusConflict, "in_open_vote", "该房屋正在进行中的表决里已发出选票，面积、开发商持有和业主身份要等表决结束后才能更正（选票在发出时已复制房屋信息）/ the unit has a ballot in an open vote: its area, developer holding and owner can be corrected once that vote has closed (ballots copied the unit when they were issued)")
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, u)
	return nil
}
