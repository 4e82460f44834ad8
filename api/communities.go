package api

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/staff"
)

type communityRequest struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	// The estate's first committee account, optional: the admin's console
	// page creates both at once, so no estate is left without one.
	CommitteeUsername string `json:"committee_username"`
	CommitteePassword string `json:"committee_password"`
}

func (s *Server) createCommunity(c *gin.Context) error {
	var req communityRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return badRequest("请求格式错误 / malformed JSON: " + err.Error())
	}
	req.Name = strings.TrimSpace(req.Name)
	req.CommitteeUsername = strings.TrimSpace(req.CommitteeUsername)
	withCommittee := req.CommitteeUsername != "" || req.CommitteePassword != ""
	var problems []fieldProblem
	if req.Name == "" {
		problems = append(problems, fieldProblem{"name", "必须填写小区名称 / required"})
	}
	if withCommittee {
		problems = append(problems, accountProblems("committee_", req.CommitteeUsername, req.CommitteePassword)...)
	}
	if len(problems) > 0 {
		return invalid("小区信息有误 / invalid estate", problems)
	}
	ctx := c.Request.Context()
	var id int64
	err := s.DB.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var err error
		if id, err = postgres.CreateCommunity(ctx, tx, req.Name, strings.TrimSpace(req.Address)); err != nil {
			return err
		}
		if err := s.auditOn(c, tx, id, "community.create", req.Name, nil); err != nil {
			return err
		}
		if !withCommittee {
			return nil
		}
		_, err = postgres.CreateAccount(ctx, tx, req.CommitteeUsername, req.CommitteePassword, staff.RoleCommittee, &id)
		if postgres.IsUniqueViolation(err, "") {
			return &Error{Status: http.StatusConflict, Code: "conflict", Message: "用户名已存在 / username already taken",
				Details: []fieldProblem{{"committee_username", "用户名已存在 / already taken"}}}
		}
		if err != nil {
			return err
		}
		return s.auditOn(c, tx, id, "user.create", req.CommitteeUsername, gin.H{"role": staff.RoleCommittee})
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": id})
	return nil
}

// accountProblems checks a new account's username and password; prefix
// names the fields as the request does.
func accountProblems(prefix, username, password string) []fieldProblem {
	var problems []fieldProblem
	if username == "" {
		problems = append(problems, fieldProblem{prefix + "username", "必须填写用户名 / required"})
	}
	if len(password) < postgres.MinPasswordLen {
		problems = append(problems, fieldProblem{prefix + "password", "密码至少 8 个字符 / at least 8 characters"})
	}
	return problems
}

// fieldProblem names one bad field of a request.
type fieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type userRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// createUser adds an account in an estate. A committee may add volunteers
// and committee members of its own estate; only the platform admin creates
// the residents' committee's accounts, which must stay independent of the
// owners' committee (the second key of every notice).
func (s *Server) createUser(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	var req userRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return badRequest("请求格式错误 / malformed JSON: " + err.Error())
	}
	problems := accountProblems("", strings.TrimSpace(req.Username), req.Password)
	switch req.Role {
	case staff.RoleCommittee, staff.RoleVolunteer:
	case staff.RoleResidentsCommittee:
		if account(c).Role != staff.RolePlatformAdmin {
			return errorf(http.StatusForbidden, "forbidden", "居委会账号只能由平台管理员创建 / only the platform admin creates residents' committee accounts")
		}
	default:
		problems = append(problems, fieldProblem{"role", "角色须为 committee、residents_committee 或 volunteer / must be committee, residents_committee or volunteer"})
	}
	if len(problems) > 0 {
		return invalid("账号信息有误 / invalid account", problems)
	}
	ctx := c.Request.Context()
	if _, err := postgres.GetCommunity(ctx, s.DB, cid); err != nil {
		return err
	}
	id, err := postgres.CreateAccount(ctx, s.DB, strings.TrimSpace(req.Username), req.Password, req.Role, &cid)
	if postgres.IsUniqueViolation(err, "") {
		return errorf(http.StatusConflict, "conflict", "用户名已存在 / username already taken")
	}
	if err != nil {
		return err
	}
	if err := s.audit(c, cid, "user.create", req.Username, gin.H{"role": req.Role}); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": id})
	return nil
}

// importRoll replaces the estate's owner roll with an uploaded CSV or XLSX
// file, all or nothing.
func (s *Server) importRoll(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	summary, err := s.importRollFile(c, cid)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, summary)
	return nil
}

// importRollFile parses the multipart field "file" and imports it.
func (s *Server) importRollFile(c *gin.Context, cid int64) (postgres.RollSummary, error) {
	fh, err := c.FormFile("file")
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return postgres.RollSummary{}, invalid("文件超过 20 MB / file larger than 20 MB", nil)
	}
	if err != nil {
		return postgres.RollSummary{}, invalid("请上传名册文件（字段 file）/ upload the roll as multipart field \"file\"", nil)
	}
	if fh.Size > roll.MaxFileSize {
		return postgres.RollSummary{}, invalid("文件超过 20 MB / file larger than 20 MB", nil)
	}
	f, err := fh.Open()
	if err != nil {
		return postgres.RollSummary{}, err
	}
	defer f.Close()
	units, err := roll.Parse(f, fh.Filename)
	var rollErr *roll.Error
	if errors.As(err, &rollErr) {
		return postgres.RollSummary{}, invalid(rollErr.Error(), rollErr.Problems)
	}
	if err != nil {
		return postgres.RollSummary{}, invalid(err.Error(), nil)
	}
	ctx := c.Request.Context()
	if c.PostForm("confirm_removals") != "1" {
		if err := s.askRemovals(c, cid, units); err != nil {
			return postgres.RollSummary{}, err
		}
	}
	summary, err := postgres.ImportRoll(ctx, s.DB, s.Keys, cid, units)
	if err != nil {
		return summary, asRollError(err)
	}
	return summary, s.audit(c, cid, "roll.import", fh.Filename, summary)
}

// asRollError turns the store's refusal (a unit with ballots cannot be
// removed) into a 422 naming the unit.
// removalsShown is how many units a refusal to remove names in its message.
const removalsShown = 10

// askRemovals refuses, as a dry run, an import that would remove units the
// file does not list — a partial file would empty the roll — naming them
// and asking for confirm_removals=1.
func (s *Server) askRemovals(c *gin.Context, cid int64, units []roll.Unit) error {
	ids := make([]string, len(units))
	for i, u := range units {
		ids[i] = u.ID
	}
	removed, balloted, err := postgres.RollRemovals(c.Request.Context(), s.DB, cid, ids)
	if err != nil || len(removed) == 0 {
		return err
	}
	shown := removed[:min(len(removed), removalsShown)]
	zh := fmt.Sprintf("文件中没有现有的 %d 套房屋（%s", len(removed), strings.Join(shown, "、"))
	en := fmt.Sprintf("the file leaves out %d existing units (%s", len(removed), strings.Join(shown, ", "))
	if more := len(removed) - len(shown); more > 0 {
		zh, en = zh+fmt.Sprintf(" 等，另有 %d 套", more), en+fmt.Sprintf(" and %d more", more)
	}
	zh += "），导入将把它们从名册中删除；如文件只是部分名册，请改用名册页逐户更正。确认删除请勾选后重新提交"
	en += "): importing would remove them from the roll. If the file is only part of the roll, correct units one by one on the roll page; to remove them, confirm and submit again"
	if len(balloted) > 0 {
		zh += fmt.Sprintf("。其中 %d 套已发出选票，不能删除", len(balloted))
		en += fmt.Sprintf(". %d of them have ballots and cannot be removed", len(balloted))
	}
	msg := zh + " / " + en
	return &Error{Status: http.StatusConflict, Code: "confirm_removals", Message: msg,
		Details: gin.H{"remove": removed, "with_ballots": balloted}}
}

func asRollError(err error) error {
	var rollErr *roll.Error
	if errors.As(err, &rollErr) {
		return invalid(rollErr.Error(), rollErr.Problems)
	}
	return err
}

func (s *Server) listZones(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	zones, err := postgres.ListZones(c.Request.Context(), s.DB, cid)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, zones)
	return nil
}
