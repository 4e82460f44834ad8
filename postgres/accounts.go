package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"gongjue/secret"
	"gongjue/staff"
)

// ErrNotFound is returned when a looked-up row does not exist (or is not
// visible to the caller, which callers must not distinguish).
var ErrNotFound = errors.New("not found")

// ErrBadCredentials is returned for an unknown user or a wrong password alike.
var ErrBadCredentials = errors.New("wrong username or password")

// ErrDeactivated is returned for the right password of a deactivated account.
var ErrDeactivated = errors.New("account deactivated")

// MinPasswordLen is the fewest bytes a staff password may have.
const MinPasswordLen = 8

// ErrPasswordTooShort refuses a password shorter than MinPasswordLen.
var ErrPasswordTooShort = fmt.Errorf("password must be at least %d characters", MinPasswordLen)

// PasswordCost is the bcrypt cost of stored passwords.
var PasswordCost = bcrypt.DefaultCost

// dummyHash is compared against when a username is unknown, so a login
// takes as long whether or not the account exists.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("gongjue"), bcrypt.DefaultCost)

// Community is an estate.
type Community struct {
	ID      int64  `db:"id" json:"id"`
	Name    string `db:"name" json:"name"`
	Address string `db:"address" json:"address"`
}

// CreateCommunity adds an estate.
func CreateCommunity(ctx context.Context, q sqlx.QueryerContext, name, address string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id,
		`INSERT INTO communities (name, address) VALUES ($1, $2) RETURNING id`, name, address)
	return id, err
}

// ListCommunities returns every estate, newest first.
func ListCommunities(ctx context.Context, q sqlx.QueryerContext) ([]Community, error) {
	var cs []Community
	err := sqlx.SelectContext(ctx, q, &cs, `SELECT id, name, address FROM communities ORDER BY id DESC`)
	return cs, err
}

// GetCommunity returns estate cid.
func GetCommunity(ctx context.Context, q sqlx.QueryerContext, cid int64) (Community, error) {
	var c Community
	err := sqlx.GetContext(ctx, q, &c, `SELECT id, name, address FROM communities WHERE id = $1`, cid)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return c, err
}

// CommunityByName returns the first estate with that name.
func CommunityByName(ctx context.Context, q sqlx.QueryerContext, name string) (Community, error) {
	var c Community
	err := sqlx.GetContext(ctx, q, &c, `SELECT id, name, address FROM communities WHERE name = $1 ORDER BY id LIMIT 1`, name)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return c, err
}

// AccountID returns the id of the account called username, or ErrNotFound.
func AccountID(ctx context.Context, q sqlx.QueryerContext, username string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM accounts WHERE username = $1`, username)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return id, err
}

// CreateAccount adds a staff account with a bcrypt-hashed password.
func CreateAccount(ctx context.Context, q sqlx.QueryerContext, username, password, role string, communityID *int64) (int64, error) {
	if !staff.ValidRole(role) {
		return 0, fmt.Errorf("unknown role %q", role)
	}
	if len(password) < MinPasswordLen {
		return 0, ErrPasswordTooShort
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return 0, err
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO accounts (username, password_hash, role, community_id)
		VALUES ($1, $2, $3, $4) RETURNING id`, username, string(hash), role, communityID)
	return id, err
}

// Authenticate checks a username and password.
func Authenticate(ctx context.Context, q sqlx.QueryerContext, username, password string) (staff.Account, error) {
	var row struct {
		staff.Account
		PasswordHash string     `db:"password_hash"`
		Deactivated  *time.Time `db:"deactivated_at"`
	}
	err := sqlx.GetContext(ctx, q, &row,
		`SELECT id, community_id, username, role, password_hash, deactivated_at FROM accounts WHERE username = $1`, username)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return staff.Account{}, ErrBadCredentials
	}
	if err != nil {
		return staff.Account{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), []byte(password)) != nil {
		return staff.Account{}, ErrBadCredentials
	}
	if row.Deactivated != nil {
		return staff.Account{}, ErrDeactivated
	}
	return row.Account, nil
}

// Session is a login: the token goes to the client, only its hash is kept.
type Session struct {
	Token     string
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession starts a login session for the account.
func CreateSession(ctx context.Context, q sqlx.ExecerContext, accountID int64, ttl time.Duration) (Session, error) {
	s := Session{Token: secret.Token(), CSRFToken: secret.Token(), ExpiresAt: time.Now().Add(ttl)}
	_, err := q.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, csrf_hash, expires_at)
		VALUES ($1, $2, $3, $4)`, secret.Hash(s.Token), accountID, secret.Hash(s.CSRFToken), s.ExpiresAt)
	return s, err
}

// AccountBySession returns the account logged in with token, and the hash of
// the session's CSRF token.
func AccountBySession(ctx context.Context, q sqlx.QueryerContext, token string) (staff.Account, []byte, error) {
	var row struct {
		staff.Account
		CSRFHash []byte `db:"csrf_hash"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT a.id, a.community_id, a.username, a.role, s.csrf_hash
		FROM sessions s JOIN accounts a ON a.id = s.account_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND a.deactivated_at IS NULL`, secret.Hash(token))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return row.Account, row.CSRFHash, err
}

// EndSession logs a session out.
func EndSession(ctx context.Context, q sqlx.ExecerContext, token string) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, secret.Hash(token))
	return err
}

// GetAccount returns account id with whether it is deactivated.
func GetAccount(ctx context.Context, q sqlx.QueryerContext, id int64) (staff.Account, error) {
	var a staff.Account
	err := sqlx.GetContext(ctx, q, &a, `SELECT id, community_id, username, role, deactivated_at IS NOT NULL AS deactivated
		FROM accounts WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return a, err
}

// DeactivateAccount ends account target on behalf of account by: it can
// no longer log in, its sessions end with it, and the audit says who did
// it. Deactivating it again changes nothing and is not audited twice.
func DeactivateAccount(ctx context.Context, db *DB, target, by staff.Account) error {
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET deactivated_at = now() WHERE id = $1 AND deactivated_at IS NULL`, target.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := endSessions(ctx, tx, target.ID); err != nil {
			return err
		}
		return Audit(ctx, tx, target.CommunityID, &by.ID, "user.deactivate", target.Username, map[string]string{"role": target.Role})
	})
}

// ResetPassword gives account target a new password on behalf of account
// by and ends target's sessions, so whoever knew the old one is logged out.
func ResetPassword(ctx context.Context, db *DB, target, by staff.Account, password string) error {
	if len(password) < MinPasswordLen {
		return ErrPasswordTooShort
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return err
	}
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $2 WHERE id = $1`, target.ID, string(hash)); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, target.ID); err != nil {
			return err
		}
		return Audit(ctx, tx, target.CommunityID, &by.ID, "user.password_reset", target.Username, nil)
	})
}

func endSessions(ctx context.Context, q sqlx.ExecerContext, accountID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID)
	return err
}

// Audit records that an account did something. detail must not carry secrets.
func Audit(ctx context.Context, q sqlx.ExecerContext, communityID *int64, accountID *int64, action, subject string, detail any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	js, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, `INSERT INTO audit_entries (community_id, account_id, action, subject, detail)
		VALUES ($1, $2, $3, $4, $5)`, communityID, accountID, action, subject, js)
	return err
}
