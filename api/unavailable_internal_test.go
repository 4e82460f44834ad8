package api

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

// TestDatabaseUnavailable: connection failures and the server's shutdown or
// start-up are "unavailable"; a failed statement is not.
func TestDatabaseUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{refused, true},
		{fmt.Errorf("casting: %w", refused), true},
		{driver.ErrBadConn, true},
		{fmt.Errorf("committing: %w", sql.ErrConnDone), true},
		{io.EOF, true},
		{io.ErrUnexpectedEOF, true},
		{&pq.Error{Code: "08006"}, true},  // connection_failure
		{&pq.Error{Code: "08001"}, true},  // sqlclient_unable_to_establish_sqlconnection
		{&pq.Error{Code: "57P01"}, true},  // admin_shutdown
		{&pq.Error{Code: "57P03"}, true},  // cannot_connect_now
		{&pq.Error{Code: "57014"}, false}, // query_canceled
		{&pq.Error{Code: "23505"}, false}, // unique_violation
		{&pq.Error{Code: "22021"}, false}, // character_not_in_repertoire
		{errors.New("something else"), false},
	} {
		if got := databaseUnavailable(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
}
