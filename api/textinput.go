package api

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/textcheck"
)

// multilineFields are the request fields that may hold line breaks and
// tabs; every other text is one line.
var multilineFields = map[string]bool{"description": true, "note": true, "reason": true}

// refuseBadText answers 422 naming the field when any text of a request —
// path parameters, query, form or JSON body, names and values — holds what
// textcheck refuses. It runs before every handler, so no entry point can
// forget it; the body is read here and put back for the handler, which
// applies its own limits.
func (s *Server) refuseBadText(c *gin.Context) {
	p, err := badText(c)
	if err == nil && p != nil {
		err = invalid(p.Field+"："+p.Message, []fieldProblem{*p})
	}
	if err != nil {
		s.refuse(c, err)
		return
	}
	c.Next()
}

// refuse answers err before any handler ran: as a page to a browser (a
// form post, a page asked for as HTML) outside the JSON API, else as JSON.
func (s *Server) refuse(c *gin.Context, err error) {
	if !strings.HasPrefix(c.Request.URL.Path, "/api/") &&
		(c.ContentType() == "application/x-www-form-urlencoded" || strings.Contains(c.GetHeader("Accept"), "text/html")) {
		s.consolePageError(c, err)
		return
	}
	writeError(c, err)
}

func badText(c *gin.Context) (*fieldProblem, error) {
	for _, p := range c.Params {
		if p := checkText(p.Key, p.Value); p != nil {
			return p, nil
		}
	}
	if p := checkValues(c.Request.URL.Query()); p != nil {
		return p, nil
	}
	mediaType, _, _ := mime.ParseMediaType(c.ContentType())
	if c.Request.Body == nil || mediaType != "application/json" && mediaType != "application/x-www-form-urlencoded" {
		return nil, nil // multipart bodies are files, checked where they are read
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return nil, err // over the body limit: 413
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	if mediaType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, nil // malformed: the handler says so
		}
		return checkValues(form), nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil, nil // malformed: the handler says so
	}
	return checkJSON("", "", v), nil
}

// checkText checks one field's text; the field's name says whether it may
// span lines.
func checkText(field, s string) *fieldProblem {
	if msg := textcheck.Problem(s, multilineFields[field]); msg != "" {
		return &fieldProblem{Field: field, Message: msg}
	}
	return nil
}

func checkValues(values url.Values) *fieldProblem {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same request always names the same field
	for _, k := range keys {
		if p := checkText("", k); p != nil {
			p.Field = strconv.Quote(k)
			return p
		}
		for _, v := range values[k] {
			if p := checkText(k, v); p != nil {
				return p
			}
		}
	}
	return nil
}

// checkJSON walks a decoded JSON value at path (matters[0].title); key,
// the last name in the path, says whether its text may span lines.
func checkJSON(path, key string, v any) *fieldProblem {
	switch v := v.(type) {
	case string:
		if msg := textcheck.Problem(v, multilineFields[key]); msg != "" {
			return &fieldProblem{Field: path, Message: msg}
		}
	case []any:
		for i, x := range v {
			if p := checkJSON(path+"["+strconv.Itoa(i)+"]", key, x); p != nil {
				return p
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			field := k
			if path != "" {
				field = path + "." + k
			}
			if msg := textcheck.Problem(k, false); msg != "" {
				return &fieldProblem{Field: strconv.Quote(field), Message: msg}
			}
			if p := checkJSON(field, k, v[k]); p != nil {
				return p
			}
		}
	}
	return nil
}
