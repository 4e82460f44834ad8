package api

// Bulk entry and verification of the delivery ledger (DESIGN §5.1): a
// building leader comes back with a stairwell's signed receipts and enters
// them in one request; a second account verifies them in one request. Each
// is all or nothing, and a refusal names every unit or record at fault.

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/postgres"
)

// maxBulkDeliveries bounds one request: the largest stairwell with room
// to spare.
const maxBulkDeliveries = 500

type bulkDeliveryRequest struct {
	Building    string    `json:"building"`
	Entrance    string    `json:"entrance"`
	Method      string    `json:"method"`
	DeliveredAt time.Time `json:"delivered_at"`
	Note        string    `json:"note"`
	Units       []struct {
		Unit      string `json:"unit"`
		Recipient string `json:"recipient"`
		Note      string `json:"note"`
	} `json:"units"`
}

// bulkProblem is one refused item of a bulk request.
type bulkProblem struct {
	Field   string `json:"field"`
	Item    string `json:"item"`
	Message string `json:"message"`
}

// check validates the request on its own, each unit as a single delivery
// (deliveryRequest.check); the shared fields' problems are named once.
func (r *bulkDeliveryRequest) check(now time.Time) (ballot.Scope, []postgres.NewDelivery, []bulkProblem) {
	within := ballot.Scope{Building: strings.TrimSpace(r.Building), Entrance: strings.TrimSpace(r.Entrance)}
	var problems []bulkProblem
	if within.Building == "" {
		problems = append(problems, bulkProblem{"building", "", "必填 / required"})
	}
	if within.Entrance == "" {
		problems = append(problems, bulkProblem{"entrance", "", "必填 / required"})
	}
	switch n := len(r.Units); {
	case n == 0:
		problems = append(problems, bulkProblem{"units", "", "请至少勾选一户 / tick at least one unit"})
	case n > maxBulkDeliveries:
		problems = append(problems, bulkProblem{"units", "", fmt.Sprintf("一次最多 %d 户 / at most %d units at once", maxBulkDeliveries, maxBulkDeliveries)})
	}
	shared := map[string]bool{}
	seen := map[string]bool{}
	ds := make([]postgres.NewDelivery, 0, len(r.Units))
	for i, u := range r.Units {
		note := strings.TrimSpace(u.Note)
		if note == "" {
			note = r.Note
		}
		one := deliveryRequest{Unit: u.Unit, Method: r.Method, DeliveredAt: r.DeliveredAt, Recipient: u.Recipient, Note: note}
		d, ps := one.check(now)
		for _, p := range ps {
			if p.Field == "method" || p.Field == "delivered_at" {
				if !shared[p.Field] {
					shared[p.Field] = true
					problems = append(problems, bulkProblem{p.Field, "", p.Message})
				}
				continue
			}
			problems = append(problems, bulkProblem{fmt.Sprintf("units[%d].%s", i, p.Field), d.Unit, p.Message})
		}
		if d.Unit != "" && seen[d.Unit] {
			problems = append(problems, bulkProblem{fmt.Sprintf("units[%d].unit", i), d.Unit, "重复的房屋 / unit listed twice"})
		}
		seen[d.Unit] = true
		ds = append(ds, d)
	}
	return within, ds, problems
}

func bulkInvalid(problems []bulkProblem) *Error {
	msg := fmt.Sprintf("有 %d 处问题，均未登记 / %d problems: nothing was recorded", len(problems), len(problems))
	if len(problems) == 1 {
		msg = problems[0].Field + ": " + problems[0].Message
	}
	return invalid(msg, problems)
}

// bulkStoreError names each item the store refused, with its words from
// deliveryStoreError; the answer's status is the first item's.
func bulkStoreError(err error, field func(p postgres.DeliveryProblem) (name, item string), what string) error {
	var bulk *postgres.BulkDeliveryError
	if !errors.As(err, &bulk) {
		return deliveryStoreError(err)
	}
	problems := make([]bulkProblem, len(bulk.Problems))
	status, code := http.StatusUnprocessableEntity, "invalid"
	for i, p := range bulk.Problems {
		one := apiError(deliveryStoreError(p.Err))
		if one == nil {
			return err
		}
		if i == 0 {
			status, code = one.Status, one.Code
		}
		name, item := field(p)
		problems[i] = bulkProblem{name, item, one.Message}
	}
	n := len(problems)
	return &Error{Status: status, Code: code, Details: problems,
		Message: fmt.Sprintf("%d 条不能%s，全部未写入 / %d could not be %s: nothing was written", n, what, n, map[string]string{"登记": "recorded", "核验": "verified"}[what])}
}

// recordDeliveries answers POST /api/v1/consultations/{id}/deliveries/bulk.
func (s *Server) recordDeliveries(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	var req bulkDeliveryRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	within, ds, problems := req.check(time.Now())
	if len(problems) > 0 {
		return bulkInvalid(problems)
	}
	ids, err := postgres.RecordDeliveries(c.Request.Context(), s.DB, k.CommunityID, k.ID, within, ds, account(c).ID)
	if err != nil {
		return bulkStoreError(err, func(p postgres.DeliveryProblem) (string, string) {
			if errors.Is(p.Err, postgres.ErrMethodNotAllowed) {
				return "method", ds[p.Index].Unit
			}
			return fmt.Sprintf("units[%d].unit", p.Index), ds[p.Index].Unit
		}, "登记")
	}
	c.JSON(http.StatusCreated, gin.H{"delivery_ids": ids, "recorded": len(ids)})
	return nil
}

// verifyDeliveries answers POST /api/v1/consultations/{id}/deliveries/verify
// {delivery_ids}: a second account verifies the records it has checked,
// all at once; none may be its own.
func (s *Server) verifyDeliveries(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	var req struct {
		IDs []int64 `json:"delivery_ids"`
	}
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	switch n := len(req.IDs); {
	case n == 0:
		return invalid("请列出要核验的记录 / list the records to verify", []bulkProblem{{"delivery_ids", "", "必填 / required"}})
	case n > maxBulkDeliveries:
		return invalid(fmt.Sprintf("一次最多核验 %d 条 / at most %d records at once", maxBulkDeliveries, maxBulkDeliveries), nil)
	}
	if err := postgres.VerifyDeliveries(c.Request.Context(), s.DB, k.CommunityID, k.ID, req.IDs, account(c).ID); err != nil {
		return bulkStoreError(err, func(p postgres.DeliveryProblem) (string, string) {
			return fmt.Sprintf("delivery_ids[%d]", p.Index), fmt.Sprint(req.IDs[p.Index])
		}, "核验")
	}
	c.JSON(http.StatusOK, gin.H{"verified": len(req.IDs)})
	return nil
}
