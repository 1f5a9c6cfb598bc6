// Command switchboard is the Switchboard LLM gateway: `switchboard serve`
// runs it, and the other subcommands administer a running gateway.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/switchboard-gw/switchboard/cmd/switchboard/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
