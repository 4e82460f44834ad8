package api

// The public ballot log (DESIGN §6): the latest checkpoint, inclusion
// proofs for receipts, consistency proofs between checkpoints, and the page
// on which an owner checks a receipt.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/ledger"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/templates"
)

// logID reads the :consultation parameter of the /log routes.
func logID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("consultation"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

var errLogEmpty = errorf(http.StatusNotFound, "log_empty", "该表决的选票日志尚无记录 / this consultation's ballot log is still empty")

// logCheckpoint answers GET /log/{consultation}/checkpoint: the latest
// signed checkpoint as JSON, or with ?format=note the signed note alone
// (text/plain), as golang.org/x/mod/sumdb/note reads it.
func (s *Server) logCheckpoint(c *gin.Context) error {
	id, err := logID(c)
	if err != nil {
		return err
	}
	cp, err := postgres.LatestCheckpoint(c.Request.Context(), s.DB, id)
	if errors.Is(err, postgres.ErrNotFound) {
		if _, ierr := postgres.GetClosingInfo(c.Request.Context(), s.DB, id); ierr == nil {
			return errLogEmpty
		}
		return errNotFound
	}
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-cache")
	if c.Query("format") == "note" {
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(cp.Note))
		return nil
	}
	c.JSON(http.StatusOK, cp)
	return nil
}

// logProof answers GET /log/{consultation}/proof?receipt=CODE: the proof
// that the latest checkpoint contains the ballot of a receipt, with the
// ballot's record as it stands now.
func (s *Server) logProof(c *gin.Context) error {
	id, err := logID(c)
	if err != nil {
		return err
	}
	proof, err := postgres.InclusionProof(c.Request.Context(), s.DB, id, c.Query("receipt"))
	if errors.Is(err, postgres.ErrNotFound) {
		if err := s.failedLookup(c); err != nil {
			return err
		}
	}
	if err != nil {
		return proofError(err)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, proof)
	return nil
}

func proofError(err error) error {
	switch {
	case errors.Is(err, ledger.ErrBadReceipt):
		return invalid("回执码有误，请核对后重新输入 / not a receipt code: "+err.Error(), []fieldProblem{{"receipt", err.Error()}})
	case errors.Is(err, postgres.ErrNotFound):
		return errorf(http.StatusNotFound, "not_found", "未找到此回执对应的选票 / no ballot of this consultation has this receipt")
	}
	return err
}

// logConsistency answers GET /log/{consultation}/consistency?old=N&new=M:
// the proof that the checkpoint of size M extends the one of size N (M
// defaults to the latest).
func (s *Server) logConsistency(c *gin.Context) error {
	id, err := logID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	oldSize, err := strconv.ParseInt(c.Query("old"), 10, 64)
	if err != nil || oldSize <= 0 {
		return invalid("old 须为已发布检查点的大小 / old must be the size of a published checkpoint", []fieldProblem{{"old", "positive integer"}})
	}
	var newSize int64
	if q := c.Query("new"); q != "" {
		if newSize, err = strconv.ParseInt(q, 10, 64); err != nil || newSize < oldSize {
			return invalid("new 须不小于 old / new must be at least old", []fieldProblem{{"new", "integer ≥ old"}})
		}
	} else {
		cp, err := postgres.LatestCheckpoint(ctx, s.DB, id)
		if errors.Is(err, postgres.ErrNotFound) {
			return errLogEmpty
		}
		if err != nil {
			return err
		}
		newSize = cp.Size
	}
	if newSize < oldSize {
		return invalid("new 须不小于 old / new must be at least old", []fieldProblem{{"new", "integer ≥ old"}})
	}
	proof, err := postgres.ConsistencyProof(ctx, s.DB, id, oldSize, newSize)
	if errors.Is(err, postgres.ErrNotFound) {
		return errorf(http.StatusNotFound, "not_found", "没有这一大小的检查点 / no checkpoint of that size")
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, proof)
	return nil
}

// receiptPage is the data of templates/receipt.html.
type receiptPage struct {
	page
	ConsultationID int64
	Title          string
	Community      string
	Receipt        string
	Checkpoint     *ledger.Checkpoint
	Final          bool // the log is closed: the checkpoint is final
	// The outcome of checking Receipt, when one was entered.
	Checked  bool
	Included bool
	Problem  string
	Proof    *ledger.InclusionProof
	Ballot   *ledger.Ballot
}

// receiptCheck answers GET /log/{consultation}: the page on which an owner
// enters the receipt code given when voting and sees whether the ballot is
// in the public log, as cast.
func (s *Server) receiptCheck(c *gin.Context) {
	id, err := logID(c)
	if err != nil {
		s.renderError(c, http.StatusNotFound, templates.T(newPage(c).Lang, "receipt.unknown"))
		return
	}
	ctx := c.Request.Context()
	p := receiptPage{page: newPage(c), ConsultationID: id, Receipt: strings.TrimSpace(c.Query("receipt"))}
	info, err := postgres.GetClosingInfo(ctx, s.DB, id)
	if err != nil || info.State == "draft" {
		s.renderError(c, http.StatusNotFound, templates.T(p.Lang, "receipt.unknown"))
		return
	}
	p.Title, p.Community = info.Title, info.Community
	p.Final = info.State == "closed" || info.State == "noticed"
	if cp, err := postgres.LatestCheckpoint(ctx, s.DB, id); err == nil {
		p.Checkpoint = &cp
	}
	status := http.StatusOK
	if p.Receipt != "" {
		p.Checked = true
		proof, err := postgres.InclusionProof(ctx, s.DB, id, p.Receipt)
		switch {
		case errors.Is(err, ledger.ErrBadReceipt):
			p.Problem = templates.T(p.Lang, "receipt.bad")
		case errors.Is(err, ledger.ErrPending):
			p.Problem = templates.T(p.Lang, "receipt.pending")
		case errors.Is(err, postgres.ErrNotFound):
			if err := s.failedLookup(c); err != nil {
				s.renderError(c, http.StatusTooManyRequests, templates.T(p.Lang, "receipt.too_many"))
				return
			}
			p.Problem = templates.T(p.Lang, "receipt.notfound")
			status = http.StatusNotFound
		case err != nil:
			s.renderError(c, http.StatusInternalServerError, templates.T(p.Lang, "receipt.error"))
			return
		default:
			p.Proof = proof
			p.Checkpoint = &proof.Checkpoint
			vkey, err := postgres.LogVerifierKey(ctx, s.DB, info.CommunityID)
			if err == nil && proof.Verify(vkey) == nil {
				p.Included = true
			} else {
				p.Problem = templates.T(p.Lang, "receipt.mismatch")
			}
			// The unit and when it voted, never the channel or the choices:
			// whoever holds a receipt code must not learn how the unit voted.
			if b, err := proof.Ballot(); err == nil {
				p.Ballot = b
			}
		}
	}
	s.render(c, status, "receipt", p)
}

func init() {
	// tallyTime prints a time in China Standard Time on the log and
	// verification pages.
	pageFuncs["tallyTime"] = locale.Second
	pageFuncs["tallyDate"] = locale.Day
}
