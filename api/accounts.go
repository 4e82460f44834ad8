package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gongjue/postgres"
	"gongjue/staff"
)

// managedAccount is the account named in the path, when the caller may
// manage it: the platform admin any estate's account, a committee its own
// estate's committee and volunteer accounts. The residents' committee's
// accounts stay with the platform admin, as their creation does.
func (s *Server) managedAccount(c *gin.Context) (staff.Account, error) {
	id, err := strconv.ParseInt(c.Param("account"), 10, 64)
	if err != nil {
		return staff.Account{}, errNotFound
	}
	target, err := postgres.GetAccount(c.Request.Context(), s.DB, id)
	if err != nil {
		return target, err
	}
	if target.CommunityID == nil {
		return target, errNotFound // platform admins are no estate's to manage
	}
	if err := checkCommunity(c, *target.CommunityID); err != nil {
		return target, err
	}
	if target.Role == staff.RoleResidentsCommittee && account(c).Role != staff.RolePlatformAdmin {
		return target, errorf(http.StatusForbidden, "forbidden", "居委会账号只能由平台管理员管理 / only the platform admin manages residents' committee accounts")
	}
	return target, nil
}

// deactivateAccount answers POST /api/v1/accounts/{id}/deactivate: the
// account can no longer log in and its sessions end at once.
func (s *Server) deactivateAccount(c *gin.Context) error {
	target, err := s.managedAccount(c)
	if err != nil {
		return err
	}
	if target.ID == account(c).ID {
		return errorf(http.StatusConflict, "own_account", "不能停用自己正在使用的账号，请由另一位业委会成员操作 / you cannot deactivate the account you are using: another committee member must")
	}
	if err := postgres.DeactivateAccount(c.Request.Context(), s.DB, target, account(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// resetPassword answers POST /api/v1/accounts/{id}/password {password}:
// the new password replaces the old and the account's sessions end.
func (s *Server) resetPassword(c *gin.Context) error {
	target, err := s.managedAccount(c)
	if err != nil {
		return err
	}
	if target.Deactivated {
		return errorf(http.StatusConflict, "deactivated", "该账号已停用，不能重设密码 / the account is deactivated: its password cannot be reset")
	}
	var req struct {
		Password string `json:"password"`
	}
	if err := c.ShouldBindJSON(&req); err != nil {
		return badRequest("请求格式错误 / malformed JSON: " + err.Error())
	}
	if err := postgres.ResetPassword(c.Request.Context(), s.DB, target, account(c), req.Password); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
