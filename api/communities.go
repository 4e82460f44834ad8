package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/staff"
)

type communityRequest struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func (s *Server) createCommunity(c *gin.Context) error {
	var req communityRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return badRequest("请求格式错误 / malformed JSON: " + err.Error())
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		return invalid("小区名称不能为空 / name is required", []fieldProblem{{Field: "name", Message: "required"}})
	}
	ctx := c.Request.Context()
	id, err := postgres.CreateCommunity(ctx, s.DB, req.Name, strings.TrimSpace(req.Address))
	if err != nil {
		return err
	}
	if err := s.audit(c, id, "community.create", req.Name, nil); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": id})
	return nil
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
	var problems []fieldProblem
	if strings.TrimSpace(req.Username) == "" {
		problems = append(problems, fieldProblem{"username", "必须填写用户名 / required"})
	}
	if len(req.Password) < postgres.MinPasswordLen {
		problems = append(problems, fieldProblem{"password", "密码至少 8 个字符 / at least 8 characters"})
	}
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
	summary, err := postgres.ImportRoll(ctx, s.DB, s.Keys, cid, units)
	if err != nil {
		return summary, asRollError(err)
	}
	return summary, s.audit(c, cid, "roll.import", fh.Filename, summary)
}

// asRollError turns the store's refusal (a unit with ballots cannot be
// removed) into a 422 naming the unit.
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
