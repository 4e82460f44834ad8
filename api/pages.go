package api

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/locale"
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
	Message  string
	Back     string // where 返回 goes when the browser has no history
	BackText string
}

// renderError shows an error as a page, for people rather than programs.
// A message in both languages ("中文 / English") shows in the page's one.
// 返回 goes back in the browser's history, or — after a QR scan there is
// none — to where the person can go from here.
func (s *Server) renderError(c *gin.Context, status int, message string) {
	p := newPage(c)
	back, key := backFrom(c.Request.URL.Path)
	s.render(c, status, "error", errorPage{page: p, Message: locale.Bilingual(message).In(p.Lang == templates.English),
		Back: back, BackText: templates.T(p.Lang, key)})
	c.Abort()
}

// backFrom is where a person on path can go instead: the ballot's vote
// page under /v/{token}, the console home under /console, else the start.
func backFrom(path string) (href, textKey string) {
	if token, ok := strings.CutPrefix(path, "/v/"); ok {
		if token, _, _ = strings.Cut(token, "/"); token != "" {
			return "/v/" + url.PathEscape(token), "error.back_vote"
		}
	}
	if path == "/console" || strings.HasPrefix(path, "/console/") {
		return "/console", "error.back_console"
	}
	return "/", "error.back_home"
}

// notFoundPage answers a path no route knows: JSON under /api, as the API
// answers; a page in the person's language anywhere else.
func (s *Server) notFoundPage(c *gin.Context) {
	if isAPIPath(c.Request.URL.Path) {
		writeError(c, errNotFound)
		return
	}
	s.renderError(c, http.StatusNotFound, templates.T(newPage(c).Lang, "error.not_found"))
}

func isAPIPath(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// pageFuncs are the template functions beyond translation.
var pageFuncs = template.FuncMap{}
