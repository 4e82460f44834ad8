package main

import (
	"context"
	"errors"
	"os"

	"gongjue/postgres"
	"gongjue/secret"
)

// env is the configuration every database command shares.
type env struct {
	DB        *postgres.DB
	Keys      *secret.Keys
	PublicURL string
}

func getenv(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// openEnv connects to DATABASE_URL, migrates it and loads the keys.
func openEnv(ctx context.Context) (*env, error) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return nil, errors.New("DATABASE_URL is not set (make run sets it up; or e.g. postgres://postgres@127.0.0.1:5432/gongjue?sslmode=disable)")
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if _, err := postgres.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	keys, err := secret.LoadKeys(getenv("GONGJUE_DATA_DIR", ".data"))
	if err != nil {
		db.Close()
		return nil, err
	}
	return &env{DB: db, Keys: keys, PublicURL: getenv("PUBLIC_URL", "http://localhost:8080")}, nil
}
