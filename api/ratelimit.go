package api

// Limits that keep owners voting (DESIGN §5.5). Throttling is against
// guessing, not against voters: hundreds of owners may share one address
// (a community-centre Wi-Fi, a carrier NAT). So failed look-ups are limited
// per client address, requests with a valid ballot token per ballot, and
// staff login per account and per address in limiters of its own.

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/secret"
)

// keyedLimiter keeps a token bucket per key. Buckets idle for idleAfter are
// forgotten, so memory stays bounded by the keys active recently.
type keyedLimiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*keyedBucket
	swept   time.Time
}

type keyedBucket struct {
	limiter *rate.Limiter
	seen    time.Time
}

// idleAfter is how long a bucket is kept without use; longer than any
// bucket needs to refill, so forgetting one never lets anyone more through.
const idleAfter = 10 * time.Minute

func newKeyedLimiter(perSecond float64, burst int) *keyedLimiter {
	return &keyedLimiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*keyedBucket{}}
}

// available reports whether key has a request left, without taking it and
// without remembering a key not seen before.
func (l *keyedLimiter) available(key string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	return b == nil || b.limiter.TokensAt(now) >= 1
}

// take uses up one request of key, reporting whether there was one.
func (l *keyedLimiter) take(key string) bool {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > idleAfter {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &keyedBucket{limiter: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.limiter.AllowN(now, 1)
}

// limits are the server's throttles.
type limits struct {
	// failures counts failed look-ups (malformed or unknown ballot tokens,
	// unknown receipts) per client address, and unknown ballot codes of
	// paper entries per account.
	failures *keyedLimiter
	// ballots counts requests with a valid token per ballot (token hash).
	ballots *keyedLimiter
	// loginAccounts and loginAddresses count login attempts per username
	// and per client address.
	loginAccounts  *keyedLimiter
	loginAddresses *keyedLimiter
}

func newLimits() *limits {
	return &limits{
		failures:       newKeyedLimiter(0.2, 10), // 10 at once, then one every 5 s
		ballots:        newKeyedLimiter(0.5, 30), // far more than one owner's page views and cast
		loginAccounts:  newKeyedLimiter(0.1, 10), // 10 at once, then one every 10 s
		loginAddresses: newKeyedLimiter(0.5, 30),
	}
}

var errRateLimited = errorf(http.StatusTooManyRequests, "rate_limited", "请求太频繁，请稍后再试 / too many requests, try again shortly")

func (s *Server) refuseRateLimited(c *gin.Context, retryAfter time.Duration) {
	c.Header("Retry-After", strconv.Itoa(int(retryAfter/time.Second)))
	s.refuse(c, errRateLimited)
}

// lookupFailed reports whether an answer on a look-up route means the
// thing looked up is not there (or its reference is malformed).
func lookupFailed(status int) bool {
	return status == http.StatusNotFound || status == http.StatusBadRequest
}

// ballotLimit guards the routes of a ballot token (:token). A request whose
// token names a ballot is limited per ballot, so owners sharing an address
// never hold each other up; a failed look-up counts against the client
// address. An address out of look-ups is refused only for tokens that name
// no ballot: a guesser at the community centre leaves the owners there
// voting. (Telling a known token from an unknown one by the answer gives a
// guesser nothing: tokens are 128 random bits.)
func (s *Server) ballotLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		addr := c.ClientIP()
		token, err := ballot.ParseToken(c.Param("token"))
		ballotKey := ""
		if err == nil {
			ballotKey = string(secret.Hash(token))
			if !s.limits.ballots.available(ballotKey) {
				s.refuseRateLimited(c, 2*time.Second)
				return
			}
		}
		if !s.limits.failures.available(addr) {
			known := false
			if err == nil {
				// Unable to tell (the database is away), let the handler
				// meet the same error and explain it on its page.
				known, err = postgres.BallotTokenKnown(c.Request.Context(), s.DB, token)
				known = known || err != nil
			}
			if !known {
				s.refuseRateLimited(c, 5*time.Second)
				return
			}
		}
		c.Next()
		if lookupFailed(c.Writer.Status()) {
			s.limits.failures.take(addr)
		} else if ballotKey != "" {
			s.limits.ballots.take(ballotKey)
		}
	}
}

// failedLookup counts a failed look-up of a receipt against the client
// address, refusing it with 429 once the address has none left. It is
// asked only when a look-up fails, so owners checking their own receipts
// from a shared address are never held up by a guesser there.
func (s *Server) failedLookup(c *gin.Context) error {
	return s.countFailure(c, c.ClientIP())
}

// failedCodeLookup counts a paper entry's ballot code that names no ballot
// against the volunteer's account rather than the address: the volunteers'
// desk shares the community centre's address with the owners.
func (s *Server) failedCodeLookup(c *gin.Context) error {
	return s.countFailure(c, "account:"+strconv.FormatInt(account(c).ID, 10))
}

func (s *Server) countFailure(c *gin.Context, key string) error {
	if s.limits.failures.take(key) {
		return nil
	}
	c.Header("Retry-After", "5")
	return errRateLimited
}

// admitLogin takes one login attempt of username from the client address,
// or refuses it with 429. Every attempt counts, successful or not: counting
// only failures would let a burst of parallel guesses through before the
// first failure is counted. The address is asked first, so one address
// spraying usernames cannot fill the map of accounts.
func (s *Server) admitLogin(c *gin.Context, username string) error {
	if s.limits.loginAddresses.take(c.ClientIP()) && s.limits.loginAccounts.take(username) {
		return nil
	}
	c.Header("Retry-After", "10")
	return errRateLimited
}
