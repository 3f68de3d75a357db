// Command ticketer is the Ticketer helpdesk: one binary for the server and
// its administration commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ticketer/ticketer/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ticketer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr *os.File) error {
	return app.Run(ctx, app.Env{Args: args, Lookup: env, Stdin: os.Stdin, Stdout: stdout, Stderr: stderr})
}
