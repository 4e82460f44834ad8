// Command gongjue runs Gongjue (共决), e-voting for owners' assemblies.
//
//	gongjue serve [--addr HOST:PORT] [--trusted-proxies CIDR,...] [--metrics-addr HOST:PORT]
//	                                   migrate, then serve the API and pages
//	gongjue migrate [--grant ROLE]     apply the SQL migrations; grant ROLE what serve needs
//	gongjue demo                       create the demo estate and accounts
//	gongjue import --community ID FILE import an owner roll (CSV or XLSX)
//	gongjue community add --name N --address A   create an estate, print its id
//	gongjue user add --username U --password P --role ROLE [--community ID]
//	gongjue evaluate < scenario.json   the Article 278 calculator (DESIGN §4)
//
// Environment: DATABASE_URL (lib/pq form), PUBLIC_URL (what QR codes point
// at, default http://localhost:8080), GONGJUE_DATA_DIR (key files, default
// ./.data), GONGJUE_METRICS_TOKEN (serves /metrics on --addr to that
// bearer token).
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage: gongjue <command> [flags]

commands:
  serve     migrate the database, then serve (--addr, default :8080;
            --trusted-proxies CIDR,...; --metrics-addr HOST:PORT)
  migrate   apply the SQL migrations (--grant ROLE: give ROLE the least privileges serve needs)
  demo      create the demo estate (3,762 units in five zones) and accounts
  import    import an owner roll: gongjue import --community ID FILE
  community add an estate, printing its id: gongjue community add --name N --address A
  user      add an account: gongjue user add --username U --password P --role ROLE [--community ID]
  evaluate  read a scenario (JSON) on stdin, print the verdict (JSON)
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "evaluate":
		return runEvaluate(rest, stdin, stdout, stderr)
	case "serve":
		err = runServe(ctx, rest, stdout)
	case "migrate":
		err = runMigrate(ctx, rest, stdout)
	case "demo":
		err = runDemo(ctx, stdout)
	case "import":
		err = runImport(ctx, rest, stdout)
	case "community":
		err = runCommunity(ctx, rest, stdout)
	case "user":
		err = runUser(ctx, rest, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "gongjue: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "gongjue %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
