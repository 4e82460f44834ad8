// Package migrations holds the schema as plain SQL files, applied in name
// order by postgres.Migrate. A file, once released, is never edited: a
// change to the schema is a new file.
package migrations

import "embed"

// Files are the migration scripts, named NNNN_what.sql.
//
//go:embed *.sql
var Files embed.FS
