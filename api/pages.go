package api

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"gongjue/templates"
)

const langCookie = "gongjue_lang"

// page is what every rendered page carries; page data structs embed it.
type page struct {
	Lang          templates.Lang
	LangSwitchURL string
	CSRF          string // echo in forms as _csrf
}

// newPage reads the language: ?lang= (remembered in a cookie), else the
// cookie, else Simplified Chinese.
func newPage(c *gin.Context) page {
	lang := templates.Chinese
	if q := c.Query("lang"); q != "" {
		lang = templates.ParseLang(q)
		c.SetCookie(langCookie, string(lang), 365*24*3600, "/", "", false, true)
	} else if v, err := c.Cookie(langCookie); err == nil {
		lang = templates.ParseLang(v)
	}
	other := templates.English
	if lang == templates.English {
		other = templates.Chinese
	}
	u := *c.Request.URL
	q := u.Query()
	q.Set("lang", string(other))
	u.RawQuery = q.Encode()
	csrf, _ := c.Cookie(csrfCookie)
	return page{Lang: lang, LangSwitchURL: (&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String(), CSRF: csrf}
}

// loadTemplates parses the embedded pages once at start.
func loadTemplates(funcs template.FuncMap) (map[string]*template.Template, error) {
	return templates.Load(funcs)
}

// render writes page name with data, which must embed page.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	t, ok := s.pages[name]
	if !ok {
		slog.Error("no such page template", "page", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := t.ExecuteTemplate(c.Writer, "layout", data); err != nil {
		slog.Error("rendering page", "page", name, "err", err)
	}
}

type errorPage struct {
	page
	Message string
}

// renderError shows an error as a page, for people rather than programs.
func (s *Server) renderError(c *gin.Context, status int, message string) {
	s.render(c, status, "error", errorPage{page: newPage(c), Message: message})
	c.Abort()
}

// pageFuncs are the template functions beyond translation.
var pageFuncs = template.FuncMap{}
