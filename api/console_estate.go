package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/postgres"
	"gongjue/staff"
)

type overviewData struct {
	consoleData
	Zones         postgres.EstateStats
	Consultations []consoleConsultationRow
}

// consoleOverview is the console's home: the estate's consultations, its
// zones with units, headcount and area, and (for the committee) the roll
// import. ?fragment=zones answers only the zones table, for refreshing it
// after an import.
func (s *Server) consoleOverview(c *gin.Context) {
	d, err := s.newConsoleData(c, "overview")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	ctx := c.Request.Context()
	data := overviewData{consoleData: d}
	if data.Zones, err = postgres.ListZones(ctx, s.DB, d.Community.ID); err != nil {
		s.consolePageError(c, err)
		return
	}
	if c.Query("fragment") == "zones" {
		s.consoleFragment(c, "console", "console_zones", data)
		return
	}
	if data.Consultations, err = s.consoleConsultationRows(c, d); err != nil {
		s.consolePageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "console", data)
}

// consoleFragment writes one named template of a page, for a part of the
// page that script refreshes in place.
func (s *Server) consoleFragment(c *gin.Context, pageName, tmpl string, data any) {
	t, ok := s.pages[pageName]
	if !ok {
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := t.ExecuteTemplate(c.Writer, tmpl, data); err != nil {
		conLogTemplateError(c, tmpl, err)
	}
}

type accountsData struct {
	consoleData
	Accounts []staff.Account
}

// consoleAccounts lets the committee add volunteer and committee accounts.
func (s *Server) consoleAccounts(c *gin.Context) {
	d, err := s.newConsoleData(c, "accounts")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	data := accountsData{consoleData: d}
	if data.Accounts, err = postgres.ListAccounts(c.Request.Context(), s.DB, d.Community.ID); err != nil {
		s.consolePageError(c, err)
		return
	}
	if c.Query("fragment") == "accounts" {
		s.consoleFragment(c, "console_accounts", "console_account_list", data)
		return
	}
	s.render(c, http.StatusOK, "console_accounts", data)
}

// rollTemplateCSV is the roll's header row and one example, for committees
// preparing their first file.
const rollTemplateCSV = "\uFEFF楼栋,单元,房号,区域,楼层,建筑面积,面积来源,业主,证件号,电话,开发商持有\r\n" +
	"1,1,101,多层,1,89.35,不动产登记簿,张三,110101199003071234,13800000000,否\r\n"

func (s *Server) consoleRollTemplate(c *gin.Context) {
	c.Header("Content-Disposition", `attachment; filename="roll-template.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(rollTemplateCSV))
}

type estatesData struct {
	page
	Username string
	Estates  []postgres.Community
}

// consoleEstates is the platform admin's page: the estates, and a form
// creating one with its first committee account (POST /api/v1/communities).
func (s *Server) consoleEstates(c *gin.Context) {
	estates, err := postgres.ListCommunities(c.Request.Context(), s.DB)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "console_estates", estatesData{page: newPage(c), Username: account(c).Username, Estates: estates})
}
