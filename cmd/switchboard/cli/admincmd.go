package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

// adminFlags are the flags every AdminService command takes.
type adminFlags struct {
	url, dataDir *string
	json         *bool
}

const adminCommonUsage = `Common flags: --url (default $SWITCHBOARD_URL or http://$SWITCHBOARD_ADDR or http://127.0.0.1:8080),
--data-dir (where admin.key is read when SWITCHBOARD_ADMIN_KEY is unset), --json (print the response as JSON).
The credential is SWITCHBOARD_ADMIN_KEY (the bootstrap admin key or an admin credential), else DATA_DIR/admin.key.
`

func addAdminFlags(fs *flag.FlagSet) adminFlags {
	return adminFlags{
		url:     fs.String("url", "", "gateway URL"),
		dataDir: fs.String("data-dir", "", "data directory holding admin.key"),
		json:    fs.Bool("json", false, "print JSON"),
	}
}

// adminRun performs one subcommand with a connected client and the
// positional arguments, returning the response to print.
type adminRun func(ctx context.Context, c switchboardv1connect.AdminServiceClient, args []string) (proto.Message, error)

// adminCommand parses flags, calls run, and prints its response as JSON
// (--json) or with print.
func adminCommand(ctx context.Context, e env, fs *flag.FlagSet, af adminFlags, args []string, run adminRun, print func(env, proto.Message)) error {
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	client, err := adminClient(af, e)
	if err != nil {
		return err
	}
	msg, err := run(ctx, client, positional)
	if err != nil {
		return describeRPCError(err)
	}
	if *af.json {
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(msg)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	print(e, msg)
	return nil
}

// parseInterspersed parses flags before and after positional arguments
// ("keys update ID --name x" as well as "keys update --name x ID"), which
// the flag package alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func adminClient(af adminFlags, e env) (switchboardv1connect.AdminServiceClient, error) {
	url := firstNonEmpty(*af.url, e.get("SWITCHBOARD_URL"))
	if url == "" {
		url = "http://" + firstNonEmpty(e.get("SWITCHBOARD_ADDR"), "127.0.0.1:8080")
	}
	key := e.get("SWITCHBOARD_ADMIN_KEY")
	if key == "" {
		path := filepath.Join(resolveDataDir(*af.dataDir, e), "admin.key")
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("no admin key: set SWITCHBOARD_ADMIN_KEY or run from the directory where the gateway keeps %s (%v)", path, err)
		}
		key = strings.TrimSpace(string(b))
	}
	auth := bearerAuth("Bearer " + key)
	return switchboardv1connect.NewAdminServiceClient(http.DefaultClient, strings.TrimRight(url, "/"), connect.WithInterceptors(auth)), nil
}

// bearerAuth sends the credential on unary and streaming calls
// (QuerySpend streams).
type bearerAuth string

func (b bearerAuth) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", string(b))
		return next(ctx, req)
	}
}

func (b bearerAuth) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", string(b))
		return conn
	}
}

func (bearerAuth) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// describeRPCError turns a Connect error into one line a person can act on.
func describeRPCError(err error) error {
	var ce *connect.Error
	if errors.As(err, &ce) {
		if ce.Code() == connect.CodeUnavailable && strings.Contains(ce.Message(), "key store unavailable") {
			return fmt.Errorf("%s: the gateway cannot reach its key store; try again when the database is back", ce.Code())
		}
		if ce.Code() == connect.CodeUnavailable {
			return fmt.Errorf("cannot reach the gateway (%s): is `switchboard serve` running? %s", ce.Code(), ce.Message())
		}
		return fmt.Errorf("%s: %s", ce.Code(), ce.Message())
	}
	return err
}

// oneID returns the single positional id of a subcommand.
func oneID(verb string, args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("%s: want exactly one id", verb)
	}
	return args[0], nil
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// parseUSD turns a decimal dollar amount ("12.50") into nano-dollars,
// exactly.
func parseUSD(s string) (int64, error) {
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	if !ok || r.Sign() < 0 {
		return 0, fmt.Errorf("--budget-usd %q: want a non-negative amount such as 25 or 12.50", s)
	}
	r.Mul(r, big.NewRat(1_000_000_000, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("--budget-usd %q: at most 9 decimals, below 9.2 billion dollars", s)
	}
	return r.Num().Int64(), nil
}

// formatUSD prints nano-dollars as dollars without losing precision.
func formatUSD(nanos int64) string {
	s := new(big.Rat).SetFrac64(nanos, 1_000_000_000).FloatString(9)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return "$" + s
}

func timestampAfter(d time.Duration) *timestamppb.Timestamp {
	return timestamppb.New(time.Now().Add(d))
}

func formatTime(t *timestamppb.Timestamp) string {
	if t == nil {
		return "-"
	}
	return t.AsTime().Format(time.RFC3339)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func keyStatus(revoked, expires *timestamppb.Timestamp) string {
	switch {
	case revoked != nil:
		return "revoked " + revoked.AsTime().Format(time.RFC3339)
	case expires != nil && expires.AsTime().Before(time.Now()):
		return "expired"
	case expires != nil:
		return "expires " + expires.AsTime().Format(time.RFC3339)
	}
	return "active"
}
