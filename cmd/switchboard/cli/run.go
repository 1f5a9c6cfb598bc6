package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

const usage = `switchboard: an LLM gateway.

Usage:
  switchboard serve [--addr HOST:PORT] [--config FILE] [--data-dir DIR] [--pprof HOST:PORT]
  switchboard keys create --name NAME [--models a,b] [--expires-in 720h]
  switchboard keys list [--all]
  switchboard keys get ID
  switchboard keys revoke ID
  switchboard keys update ID [--name N] [--models a,b] [--tags x,y] [--rpm N] [--tpm N] [--budget-usd X]
  switchboard keys rotate ID [--grace 24h]
  switchboard teams create|list|get|update|delete ...     teams (see: switchboard teams)
  switchboard users create|list|get|update|delete|export|delete-data ...     users of a team (see: switchboard users)
  switchboard limits get|set|clear|usage SCOPE ...   rate limits of a key, team or user (see: switchboard limits)
  switchboard budgets set|remove|status SCOPE ...    budgets of a key, team or user (see: switchboard budgets)
  switchboard admin-keys create|list|get|revoke|rotate ...   admin credentials with a role
  switchboard whoami                      the role and team of the admin credential in use
  switchboard audit list|requests ...     the audit trail and request records (see: switchboard audit)
  switchboard spend [--since 7d] [--group-by key,model,day] [--team ID] [--csv|--json]   spend from the ledger
  switchboard migrate [--config FILE]     apply the store's schema migrations (sqlite or postgres)
  switchboard sim [--addr HOST:PORT]      run the provider simulator alone
  switchboard version

Environment:
  SWITCHBOARD_ADDR        listen address (default 127.0.0.1:8080; --addr wins)
  SWITCHBOARD_DATA_DIR    data directory (default .switchboard)
  SWITCHBOARD_ADMIN_KEY   the admin key (default: generated into DATA_DIR/admin.key); for the
                          admin commands also an admin credential (sk-sbadmin-...)
  SWITCHBOARD_URL         gateway URL for the keys commands (default http://SWITCHBOARD_ADDR)
  SWITCHBOARD_LOG_LEVEL   debug, info, warn or error (default info)
  SWITCHBOARD_PPROF       serve the Go profiler on this address (default off; --pprof wins)
  OPENAI_API_KEY          enables openai/<model> routes
`

// env is the process environment, swappable in tests.
type env struct {
	lookup func(string) (string, bool)
	stdout io.Writer
	stderr io.Writer
}

func (e env) get(name string) string {
	v, _ := e.lookup(name)
	return v
}

// Run runs the command line args (without the program name) and returns
// the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, env{lookup: os.LookupEnv, stdout: stdout, stderr: stderr})
}

// errUsage marks an error already explained by printed usage.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], e)
	case "keys":
		err = keys(ctx, args[1:], e)
	case "teams":
		err = teams(ctx, args[1:], e)
	case "users":
		err = users(ctx, args[1:], e)
	case "limits":
		err = limitsCommand(ctx, args[1:], e)
	case "budgets":
		err = budgetsCommand(ctx, args[1:], e)
	case "admin-keys":
		err = adminKeys(ctx, args[1:], e)
	case "whoami":
		err = whoami(ctx, args[1:], e)
	case "audit":
		err = auditCommand(ctx, args[1:], e)
	case "spend":
		err = spendCommand(ctx, args[1:], e)
	case "migrate":
		err = migrateCommand(ctx, args[1:], e)
	case "sim":
		err = simulate(ctx, args[1:], e)
	case "version", "--version":
		fmt.Fprintln(e.stdout, "switchboard", Version)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
	default:
		fmt.Fprintf(e.stderr, "switchboard: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintln(e.stderr, "switchboard:", err)
	return 1
}

// newFlagSet returns a flag set that prints to stderr and returns errors.
func newFlagSet(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses, mapping a parse failure to errUsage (the flag package
// has already printed why).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
