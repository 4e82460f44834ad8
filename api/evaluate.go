package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/quorum"
)

// evaluate is the committee's what-if calculator (DESIGN §4): the same JSON
// in and out as `gongjue evaluate`.
func (s *Server) evaluate(c *gin.Context) error {
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return err
	}
	res, err := quorum.EvaluateJSON(data)
	var inputErr *quorum.InputError
	if errors.As(err, &inputErr) {
		return invalid(inputErr.Error(), []fieldProblem{{Field: inputErr.Item, Message: inputErr.Problem}})
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, res)
	return nil
}
