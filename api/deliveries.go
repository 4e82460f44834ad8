package api

// The delivery ledger (送达台账, DESIGN §5.1, §8): record a delivery,
// verify or reject it by a second account, attach a photo, list the
// ledger unit by unit.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/procedure"
)

// Limits of a delivery record's texts.
const (
	maxRecipientRunes = 100
	maxNoteRunes      = 2000
)

type deliveryRequest struct {
	Unit        string    `json:"unit"`
	Method      string    `json:"method"`
	DeliveredAt time.Time `json:"delivered_at"`
	Recipient   string    `json:"recipient"`
	Note        string    `json:"note"`
}

// check validates a delivery record on its own; the frozen rules and the
// ballots are checked by the store.
func (r *deliveryRequest) check(now time.Time) (postgres.NewDelivery, ballot.Problems) {
	var ps ballot.Problems
	d := postgres.NewDelivery{
		Unit: strings.TrimSpace(r.Unit), Method: procedure.DeliveryMethod(r.Method), DeliveredAt: r.DeliveredAt,
		Recipient: strings.TrimSpace(r.Recipient), Note: strings.TrimSpace(r.Note),
	}
	if d.Unit == "" {
		ps.Add("unit", "必填，如 12-2-1502 / required, e.g. 12-2-1502")
	}
	if !slices.Contains(procedure.DeliveryMethods, d.Method) {
		ps.Add("method", "未知的送达方式 %q，应为 in_person、left_with_witness、registered_post 或 electronic / unknown method %q: want in_person, left_with_witness, registered_post or electronic", r.Method, r.Method)
	}
	switch {
	case d.DeliveredAt.IsZero():
		ps.Add("delivered_at", "必填，如 2026-05-02T10:30:00+08:00 / required, e.g. 2026-05-02T10:30:00+08:00")
	case d.DeliveredAt.After(now.Add(5 * time.Minute)):
		ps.Add("delivered_at", "送达时间不能晚于现在 / may not be in the future")
	}
	if d.Recipient == "" && (d.Method == procedure.InPerson || d.Method == procedure.LeftWithWitness) {
		ps.Add("recipient", "请写明签收人（业主或家属姓名），留置送达写明见证人 / name who received it (the owner or a family member), or the witness for 留置")
	}
	if utf8.RuneCountInString(d.Recipient) > maxRecipientRunes {
		ps.Add("recipient", "过长（最多 %d 字）/ too long (at most %d characters)", maxRecipientRunes, maxRecipientRunes)
	}
	if utf8.RuneCountInString(d.Note) > maxNoteRunes {
		ps.Add("note", "过长（最多 %d 字）/ too long (at most %d characters)", maxNoteRunes, maxNoteRunes)
	}
	return d, ps
}

// deliveryStoreError turns the store's refusals into API errors.
func deliveryStoreError(err error) error {
	switch {
	case errors.Is(err, postgres.ErrNotOpen):
		return errorf(http.StatusConflict, "not_open", "表决未在进行中，不能登记或核验送达 / the consultation is not open: deliveries are recorded and checked only while it is")
	case errors.Is(err, postgres.ErrMethodNotAllowed):
		return invalid("本次表决适用的议事规则不认可该送达方式 / the rules of procedure of this vote do not count this delivery method",
			[]ballot.Problem{{Field: "method", Message: "not in the frozen delivery_methods"}})
	case errors.Is(err, postgres.ErrUnitNotInScope):
		return invalid("该房屋不在本次表决范围内 / the unit has no ballot in this consultation", []ballot.Problem{{Field: "unit", Message: "not in scope"}})
	case errors.Is(err, postgres.ErrOwnDelivery):
		return errorf(http.StatusForbidden, "own_record", "不能核验或驳回自己登记的送达记录，须由另一账号处理 / a delivery record is verified or rejected by another account than its recorder")
	case errors.Is(err, postgres.ErrDeliveryDecided):
		return errorf(http.StatusConflict, "decided", "该记录已被驳回或已核验 / the record was rejected, or is already verified")
	case errors.Is(err, postgres.ErrPhotoExists):
		return errorf(http.StatusConflict, "photo_exists", "该记录已有照片 / the record already has a photo")
	}
	return err
}

// recordDelivery answers POST /api/v1/consultations/{id}/deliveries.
func (s *Server) recordDelivery(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	var req deliveryRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	d, ps := req.check(time.Now())
	if len(ps) > 0 {
		return problemsError(ps)
	}
	id, err := postgres.RecordDelivery(c.Request.Context(), s.DB, k.CommunityID, k.ID, d, account(c).ID)
	if err != nil {
		return deliveryStoreError(err)
	}
	c.JSON(http.StatusCreated, gin.H{"delivery_id": id})
	return nil
}

// listDeliveries answers GET /api/v1/consultations/{id}/deliveries: every
// unit in scope with its state and records; ?unit= narrows it to one.
func (s *Server) listDeliveries(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	if k.State == ballot.Draft {
		return errNotOpened
	}
	list, err := postgres.ListDeliveries(c.Request.Context(), s.DB, k.CommunityID, k.ID, strings.TrimSpace(c.Query("unit")))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"units": list})
	return nil
}

// deliveryParam reads :delivery and returns its estate, answering 404 for
// another estate's record.
func (s *Server) deliveryParam(c *gin.Context) (communityID, id int64, err error) {
	id, err = strconv.ParseInt(c.Param("delivery"), 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, errNotFound
	}
	communityID, _, err = postgres.DeliveryConsultation(c.Request.Context(), s.DB, id)
	if err != nil {
		return 0, 0, err
	}
	return communityID, id, checkCommunity(c, communityID)
}

// verifyDelivery answers POST /api/v1/deliveries/{id}/verify.
func (s *Server) verifyDelivery(c *gin.Context) error {
	cid, id, err := s.deliveryParam(c)
	if err != nil {
		return err
	}
	if err := postgres.VerifyDelivery(c.Request.Context(), s.DB, cid, id, account(c).ID); err != nil {
		return deliveryStoreError(err)
	}
	c.JSON(http.StatusOK, gin.H{"delivery_id": id, "state": postgres.DeliveryVerified})
	return nil
}

// rejectDelivery answers POST /api/v1/deliveries/{id}/reject {reason}.
func (s *Server) rejectDelivery(c *gin.Context) error {
	cid, id, err := s.deliveryParam(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	reason := strings.TrimSpace(req.Reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return invalid("驳回须写明理由 / a rejection needs its reason", []ballot.Problem{{Field: "reason", Message: "required"}})
	case n > maxNoteRunes:
		return invalid(fmt.Sprintf("理由过长（最多 %d 字）/ reason too long (at most %d characters)", maxNoteRunes, maxNoteRunes), nil)
	}
	if err := postgres.RejectDelivery(c.Request.Context(), s.DB, cid, id, account(c).ID, reason); err != nil {
		return deliveryStoreError(err)
	}
	c.JSON(http.StatusOK, gin.H{"delivery_id": id, "state": postgres.DeliveryRejected})
	return nil
}

// deliveryPhoto answers POST /api/v1/deliveries/{id}/photo: multipart
// "file", a photo or scan of the evidence (PDF, PNG or JPEG by content).
func (s *Server) deliveryPhoto(c *gin.Context) error {
	cid, id, err := s.deliveryParam(c)
	if err != nil {
		return err
	}
	photo, contentType, err := readEvidence(c, "file")
	if err != nil {
		return err
	}
	if err := postgres.AddDeliveryPhoto(c.Request.Context(), s.DB, cid, id, photo, contentType, account(c).ID); err != nil {
		return deliveryStoreError(err)
	}
	sum := sha256.Sum256(photo)
	c.JSON(http.StatusCreated, gin.H{"delivery_id": id, "sha256": hex.EncodeToString(sum[:])})
	return nil
}

// readEvidence reads an uploaded original or photo from multipart field
// and checks it by content (procedure.CheckOriginal), answering 422 naming
// the field otherwise.
func readEvidence(c *gin.Context, field string) ([]byte, string, error) {
	fh, err := c.FormFile(field)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, "", err
	}
	if err != nil {
		msg := fmt.Sprintf("请上传文件（字段 %s，PDF、PNG 或 JPEG）/ upload the file as multipart field %q (PDF, PNG or JPEG)", field, field)
		return nil, "", invalid(msg, []ballot.Problem{{Field: field, Message: "必须上传 / required"}})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, procedure.MaxOriginalBytes+1))
	if err != nil {
		return nil, "", err
	}
	contentType, err := procedure.CheckOriginal(data)
	var pe *procedure.Error
	if errors.As(err, &pe) {
		return nil, "", invalid(field+": "+pe.Message, []ballot.Problem{{Field: field, Message: pe.Message}})
	}
	return data, contentType, err
}
