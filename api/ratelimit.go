package api

import (
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// addressLimiter limits requests per client address with a token bucket
// each. Buckets idle for a while are forgotten so the map stays small.
type addressLimiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*clientBucket
	swept   time.Time
}

type clientBucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newAddressLimiter(perSecond float64, burst int) *addressLimiter {
	return &addressLimiter{rate: rate.Limit(perSecond), burst: burst, clients: map[string]*clientBucket{}}
}

func (l *addressLimiter) allow(addr string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for a, b := range l.clients {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.clients, a)
			}
		}
		l.swept = now
	}
	b := l.clients[addr]
	if b == nil {
		b = &clientBucket{limiter: rate.NewLimiter(l.rate, l.burst)}
		l.clients[addr] = b
	}
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

// middleware refuses a request over the client's limit with 429.
func (l *addressLimiter) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !l.allow(c.ClientIP()) {
			c.Header("Retry-After", "1")
			writeError(c, errorf(http.StatusTooManyRequests, "rate_limited", "请求太频繁，请稍后再试 / too many requests, try again shortly"))
			return
		}
		c.Next()
	}
}
