// Package templates holds Gongjue's server-rendered pages (html/template),
// their messages in Simplified Chinese and English, and static assets, all
// embedded in the binary.
//
// Every page file NAME.html is parsed together with layout.html and the
// partials _*.html, and rendered by executing "layout", which calls the
// page's "title" and "content" blocks.
package templates

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.html static
var files embed.FS

// Static is the tree of static assets (CSS, a little JavaScript), served
// under /static/.
var Static, _ = fs.Sub(files, "static")

// Lang is a page language.
type Lang string

// The languages: Simplified Chinese first, English on request.
const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// ParseLang accepts "zh" and "en" and anything starting with them
// (zh-CN, en-GB); everything else is Chinese.
func ParseLang(s string) Lang {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(s)), "en") {
		return English
	}
	return Chinese
}

// T translates a message key; an unknown key shows itself, so a missing
// message is visible on the page rather than silently blank.
func T(lang Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == English {
		return m[1]
	}
	return m[0]
}

// Pick chooses between a Chinese and an English text.
func Pick(lang Lang, zh, en string) string {
	if lang == English {
		return en
	}
	return zh
}

// Load parses every page with the layout and partials. funcs are added to
// the built-in functions t (translate) and pick.
func Load(funcs template.FuncMap) (map[string]*template.Template, error) {
	all := template.FuncMap{
		"t":    func(lang Lang, key string) string { return T(lang, key) },
		"pick": func(lang Lang, zh, en string) string { return Pick(lang, zh, en) },
	}
	for k, v := range funcs {
		all[k] = v
	}
	base, err := template.New("layout.html").Funcs(all).ParseFS(files, "layout.html")
	if err != nil {
		return nil, err
	}
	if partials, _ := fs.Glob(files, "_*.html"); len(partials) > 0 {
		if _, err := base.ParseFS(files, partials...); err != nil {
			return nil, err
		}
	}
	pages, err := fs.Glob(files, "*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		if p == "layout.html" || strings.HasPrefix(p, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(files, p); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out[strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return out, nil
}
