package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
)

const keysUsage = `Usage:
  switchboard keys create --name NAME [--models a,b] [--expires-in 720h] [--json]
  switchboard keys list [--all] [--json]
  switchboard keys get ID [--json]
  switchboard keys revoke ID [--json]

Common flags: --url (default $SWITCHBOARD_URL or http://$SWITCHBOARD_ADDR or http://127.0.0.1:8080),
--data-dir (where admin.key is read when SWITCHBOARD_ADMIN_KEY is unset).
`

// adminFlags are the flags every keys subcommand takes.
type adminFlags struct {
	url, dataDir *string
	json         *bool
}

func addAdminFlags(fs interface {
	String(string, string, string) *string
	Bool(string, bool, string) *bool
}) adminFlags {
	return adminFlags{
		url:     fs.String("url", "", "gateway URL"),
		dataDir: fs.String("data-dir", "", "data directory holding admin.key"),
		json:    fs.Bool("json", false, "print JSON"),
	}
}

func keys(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, keysUsage)
		return errUsage
	}
	fs := newFlagSet("keys "+args[0], e)
	af := addAdminFlags(fs)
	var run func(context.Context, switchboardv1connect.AdminServiceClient, []string) (proto.Message, error)
	switch args[0] {
	case "create":
		name := fs.String("name", "", "key name (required)")
		models := fs.String("models", "", "comma-separated model aliases the key may use (default: all)")
		expiresIn := fs.Duration("expires-in", 0, "expire the key after this long (default: never)")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			if *name == "" {
				return nil, errors.New("keys create: --name is required")
			}
			req := &switchboardv1.CreateKeyRequest{Name: *name, AllowedModels: splitList(*models)}
			if *expiresIn > 0 {
				req.ExpireTime = timestamppb.New(time.Now().Add(*expiresIn))
			}
			resp, err := c.CreateKey(ctx, connect.NewRequest(req))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	case "list":
		all := fs.Bool("all", false, "include revoked keys")
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, _ []string) (proto.Message, error) {
			out := &switchboardv1.ListKeysResponse{}
			token := ""
			for {
				resp, err := c.ListKeys(ctx, connect.NewRequest(&switchboardv1.ListKeysRequest{PageSize: 1000, PageToken: token, IncludeRevoked: *all}))
				if err != nil {
					return nil, err
				}
				out.Keys = append(out.Keys, resp.Msg.Keys...)
				if token = resp.Msg.NextPageToken; token == "" {
					return out, nil
				}
			}
		}
	case "get", "revoke":
		verb := args[0]
		run = func(ctx context.Context, c switchboardv1connect.AdminServiceClient, rest []string) (proto.Message, error) {
			if len(rest) != 1 {
				return nil, fmt.Errorf("keys %s: want exactly one key id", verb)
			}
			if verb == "get" {
				resp, err := c.GetKey(ctx, connect.NewRequest(&switchboardv1.GetKeyRequest{Id: rest[0]}))
				if err != nil {
					return nil, err
				}
				return resp.Msg, nil
			}
			resp, err := c.RevokeKey(ctx, connect.NewRequest(&switchboardv1.RevokeKeyRequest{Id: rest[0]}))
			if err != nil {
				return nil, err
			}
			return resp.Msg, nil
		}
	default:
		fmt.Fprintf(e.stderr, "switchboard keys: unknown subcommand %q\n\n%s", args[0], keysUsage)
		return errUsage
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	client, err := adminClient(af, e)
	if err != nil {
		return err
	}
	msg, err := run(ctx, client, fs.Args())
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
	printKeys(e, msg)
	return nil
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
	bearer := "Bearer " + key
	auth := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", bearer)
			return next(ctx, req)
		}
	})
	return switchboardv1connect.NewAdminServiceClient(http.DefaultClient, strings.TrimRight(url, "/"), connect.WithInterceptors(auth)), nil
}

// describeRPCError turns a Connect error into one line a person can act on.
func describeRPCError(err error) error {
	var ce *connect.Error
	if errors.As(err, &ce) {
		if ce.Code() == connect.CodeUnavailable {
			return fmt.Errorf("cannot reach the gateway (%s): is `switchboard serve` running? %s", ce.Code(), ce.Message())
		}
		return fmt.Errorf("%s: %s", ce.Code(), ce.Message())
	}
	return err
}

func printKeys(e env, msg proto.Message) {
	var keys []*switchboardv1.Key
	switch m := msg.(type) {
	case *switchboardv1.CreateKeyResponse:
		fmt.Fprintf(e.stdout, "key id: %s\nsecret: %s\n\nThe secret is shown once: store it now. Use it as \"Authorization: Bearer <secret>\".\n", m.GetKey().GetId(), m.GetSecret())
		return
	case *switchboardv1.ListKeysResponse:
		keys = m.Keys
	case *switchboardv1.GetKeyResponse:
		keys = []*switchboardv1.Key{m.Key}
	case *switchboardv1.RevokeKeyResponse:
		keys = []*switchboardv1.Key{m.Key}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tMODELS\tCREATED\tSTATUS")
	for _, k := range keys {
		models := strings.Join(k.GetAllowedModels(), ",")
		if models == "" {
			models = "*"
		}
		status := "active"
		switch {
		case k.GetRevokeTime() != nil:
			status = "revoked " + k.GetRevokeTime().AsTime().Format(time.RFC3339)
		case k.GetExpireTime() != nil && k.GetExpireTime().AsTime().Before(time.Now()):
			status = "expired"
		case k.GetExpireTime() != nil:
			status = "expires " + k.GetExpireTime().AsTime().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.GetId(), k.GetName(), k.GetSecretPrefix(), models, k.GetCreateTime().AsTime().Format(time.RFC3339), status)
	}
	tw.Flush()
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
