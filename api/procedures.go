package api

// The estate's rules of procedure (DESIGN §3.6, §8): register a version
// (the adopted text and its settings), list them, activate one.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/procedure"
)

// procedureOut is a version as listed: the stored version and the
// sentence explaining each setting.
type procedureOut struct {
	postgres.ProcedureVersion
	Explanation []procedure.Line `json:"explanation"`
}

// listProcedures answers GET /api/v1/communities/{cid}/procedures, newest
// version first.
func (s *Server) listProcedures(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	list, err := postgres.ListProcedures(c.Request.Context(), s.DB, cid)
	if err != nil {
		return err
	}
	out := make([]procedureOut, len(list))
	for i, v := range list {
		out[i] = procedureOut{ProcedureVersion: v, Explanation: procedure.Explain(v.Settings, v.Defaults)}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// procedureError turns a refused setting into a 422 naming it.
func procedureError(err error) error {
	var pe *procedure.Error
	if errors.As(err, &pe) {
		field := "settings"
		if pe.Key != "" {
			field += "." + pe.Key
		}
		return invalid(field+": "+pe.Message, []ballot.Problem{{Field: field, Message: pe.Message}})
	}
	return err
}

// createProcedure answers POST /api/v1/communities/{cid}/procedures:
// multipart "original" (the adopted text, PDF or image) and "settings"
// (JSON of §3.6) → a new draft version.
func (s *Server) createProcedure(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	if err := c.Request.ParseMultipartForm(procedure.MaxOriginalBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return badRequest("请以 multipart 表单上传 original 和 settings / send multipart fields \"original\" and \"settings\"")
	}
	raw, ok := c.GetPostForm("settings")
	if !ok {
		return invalid("缺少议事规则设置（字段 settings）/ missing field \"settings\"", []ballot.Problem{{Field: "settings", Message: "required"}})
	}
	settings, defaulted, err := procedure.Parse([]byte(raw))
	if err != nil {
		return procedureError(err)
	}
	original, contentType, err := readEvidence(c, "original")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	version, err := postgres.CreateProcedure(ctx, s.DB, cid, settings, defaulted, original, contentType, account(c).ID)
	if err != nil {
		return err
	}
	if err := s.audit(c, cid, "procedure.create", strconv.Itoa(version), gin.H{"defaults": defaulted}); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"version": version, "state": "draft"})
	return nil
}

// versionParams reads :cid and :version.
func versionParams(c *gin.Context) (int64, int, error) {
	cid, err := communityParam(c)
	if err != nil {
		return 0, 0, err
	}
	version, err := strconv.Atoi(c.Param("version"))
	if err != nil || version < 1 {
		return 0, 0, errNotFound
	}
	return cid, version, nil
}

// procedureOriginal answers GET
// /api/v1/communities/{cid}/procedures/{version}/original: the adopted
// text as uploaded, whose SHA-256 the version and its votes carry.
func (s *Server) procedureOriginal(c *gin.Context) error {
	cid, version, err := versionParams(c)
	if err != nil {
		return err
	}
	data, contentType, err := postgres.ProcedureOriginal(c.Request.Context(), s.DB, cid, version)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="procedure-%d%s"`, version, originalExtension[contentType]))
	c.Data(http.StatusOK, contentType, data)
	return nil
}

var originalExtension = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

// activateProcedure answers POST
// /api/v1/communities/{cid}/procedures/{version}/activate: the draft
// becomes the active version, the one active until now is superseded.
func (s *Server) activateProcedure(c *gin.Context) error {
	cid, version, err := versionParams(c)
	if err != nil {
		return err
	}
	err = postgres.ActivateProcedure(c.Request.Context(), s.DB, cid, version, account(c).ID)
	if errors.Is(err, postgres.ErrNotDraftProcedure) {
		return errorf(http.StatusConflict, "not_draft", "该版本已生效或已被取代，不能再启用；请登记新版本 / the version is active or superseded: register a new version")
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"version": version, "state": "active"})
	return nil
}
