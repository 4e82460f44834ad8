// Package pgtest gives tests a real, throwaway PostgreSQL database.
//
// The server is the one named by DATABASE_URL (make test sets it). The first
// call in a test binary creates and migrates a template database; every call
// then clones it, so each test starts from an empty, migrated schema in a
// database of its own, dropped when the test ends. A package's TestMain
// calls Main, which drops the template when the tests are done; what a
// crashed test binary leaves behind, scripts/sweep.sh drops later.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"gongjue/postgres"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// Main runs a package's tests, then drops the template database: call it
// as os.Exit(pgtest.Main(m)) from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	if templateName != "" {
		if db, err := postgres.Open(context.Background(), os.Getenv("DATABASE_URL")); err == nil {
			db.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, templateName))
			db.Close()
		}
	}
	return code
}

// New returns a connection to a fresh migrated database and its URL.
func New(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(adminURL(t)) })
	if templateErr != nil {
		t.Fatalf("pgtest: preparing template database: %v", templateErr)
	}
	return create(t, " TEMPLATE "+templateName)
}

// Empty returns a connection to a fresh database without any migration
// applied, and its URL: the start of an upgrade test.
func Empty(t testing.TB) (*postgres.DB, string) {
	t.Helper()
	return create(t, "")
}

// create makes a database with the CREATE DATABASE options given, dropped
// when the test ends.
func create(t testing.TB, options string) (*postgres.DB, string) {
	t.Helper()
	admin := adminURL(t)
	name := "gongjue_test_" + randomSuffix()
	ctx := context.Background()
	adminDB, err := postgres.Open(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer adminDB.Close()
	if _, err := adminDB.Exec(fmt.Sprintf(`CREATE DATABASE %s%s`, name, options)); err != nil {
		t.Fatalf("pgtest: creating %s: %v", name, err)
	}
	dbURL := withDatabase(admin, name)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		if os.Getenv("PGTEST_KEEP") != "" {
			t.Logf("pgtest: kept database %s", name)
			return
		}
		a, err := postgres.Open(context.Background(), admin)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return db, dbURL
}

// ServeRole creates a login role that owns nothing, gives it the grants
// of gongjue serve on the test database db at dbURL (postgres.GrantServe),
// and returns a connection to that database as the role, and its name.
// The role is dropped when the test ends.
func ServeRole(t testing.TB, db *postgres.DB, dbURL string) (*postgres.DB, string) {
	t.Helper()
	ctx := context.Background()
	role := "gongjue_serve_" + randomSuffix()
	if _, err := db.Exec(`CREATE ROLE ` + role + ` LOGIN`); err != nil {
		t.Fatalf("pgtest: creating role %s: %v", role, err)
	}
	var roleDB *postgres.DB
	t.Cleanup(func() {
		if roleDB != nil {
			roleDB.Close()
		}
		// The grants are in db; DROP OWNED takes them back so the role can go.
		db.Exec(`DROP OWNED BY ` + role)
		db.Exec(`DROP ROLE ` + role)
	})
	if err := postgres.GrantServe(ctx, db, role); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	if roleDB, err = postgres.Open(ctx, u.String()); err != nil {
		t.Fatalf("pgtest: connecting as %s: %v", role, err)
	}
	return roleDB, role
}

func adminURL(t testing.TB) string {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("pgtest: DATABASE_URL is not set; run the tests with `make test`, which starts PostgreSQL")
	}
	return u
}

// makeTemplate creates a migrated database to clone. Its name is unique to
// this test binary so packages tested in parallel never share one.
func makeTemplate(admin string) (string, error) {
	ctx := context.Background()
	db, err := postgres.Open(ctx, admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	name := "gongjue_tmpl_" + randomSuffix()
	if _, err := db.Exec(fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		return "", err
	}
	tdb, err := postgres.Open(ctx, withDatabase(admin, name))
	if err != nil {
		return "", err
	}
	_, err = postgres.Migrate(ctx, tdb)
	tdb.Close()
	if err != nil {
		return "", err
	}
	return name, nil
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// randomSuffix is the creation time and a random part: the time lets
// scripts/sweep.sh drop only databases too old to belong to a running test.
func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%d_%s", time.Now().Unix(), hex.EncodeToString(b))
}
