// Package api is Gongjue's HTTP face: the JSON API of DESIGN §8, the owners'
// voting pages and the committee console, on gin.
package api

import (
	"crypto/subtle"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongjue/postgres"
	"gongjue/secret"
	"gongjue/sms"
)

// Config is what a Server needs.
type Config struct {
	DB        *postgres.DB
	Keys      *secret.Keys
	PublicURL string // what QR codes point at, without a trailing slash
	// SMS sends the codes of SMS owner verification (DESIGN §5.2); nil
	// refuses to send any.
	SMS sms.Sender
	// TrustedProxies are the addresses (or CIDR ranges) whose
	// X-Forwarded-For is believed when limiting per client address; none
	// by default.
	TrustedProxies []string
	// MetricsToken, when set, serves /metrics on the main address to
	// requests bearing it; without it /metrics is only on MetricsHandler,
	// for a listener of its own.
	MetricsToken string
}

// Server serves the API and pages.
type Server struct {
	Config
	engine  *gin.Engine
	pages   map[string]*template.Template
	metrics *metrics
	limits  *limits
}

// Body limits: JSON requests are small; a roll file may be up to 20 MB.
const (
	maxJSONBody = 1 << 20
	maxUpload   = 21 << 20
)

// New builds the server and its routes.
func New(cfg Config) (*Server, error) {
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	var err error
	if err = e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	s := &Server{
		Config:  cfg,
		engine:  e,
		metrics: newMetrics(),
		limits:  newLimits(),
	}
	e.Use(s.observe, securityHeaders, gin.CustomRecovery(func(c *gin.Context, err any) {
		slog.Error("panic", "route", c.FullPath(), "panic", err)
		writeError(c, errorf(http.StatusInternalServerError, "internal", "服务器内部错误 / internal error"))
	}), limitBody, s.refuseBadText)
	e.HandleMethodNotAllowed = true
	e.NoRoute(s.notFoundPage)
	e.NoMethod(func(c *gin.Context) {
		if !isAPIPath(c.Request.URL.Path) {
			s.renderError(c, http.StatusMethodNotAllowed, errMethodNotAllowed.Message)
			return
		}
		writeError(c, errMethodNotAllowed)
	})
	if s.pages, err = loadTemplates(pageFuncs); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

func limitBody(c *gin.Context) {
	limit := int64(maxJSONBody)
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		limit = maxUpload
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongjue_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gongjue_http_request_seconds", Help: "HTTP request latency by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.latency, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// observe logs and measures every request by its route pattern, never its
// raw path: a ballot URL carries the voter's token.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	s.metrics.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
	s.metrics.latency.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	slog.Log(c.Request.Context(), level, "request", "method", c.Request.Method, "route", route,
		"status", status, "ms", elapsed.Milliseconds())
}

func (s *Server) healthz(c *gin.Context) {
	if err := s.DB.PingContext(c.Request.Context()); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "database unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// MetricsHandler serves the Prometheus metrics, for a listener of their
// own (gongjue serve --metrics-addr): they are not for the public.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})
}

// metricsBehindToken serves /metrics on the main address to requests with
// "Authorization: Bearer MetricsToken".
func (s *Server) metricsBehindToken(c *gin.Context) {
	got, _ := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.MetricsToken)) != 1 {
		writeError(c, errUnauthenticated)
		return
	}
	s.MetricsHandler().ServeHTTP(c.Writer, c.Request)
}
