package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ticketer/ticketer/internal/config"
)

// healthcheckTimeout bounds one check: a container runtime runs it every
// interval and counts a hang as a failure anyway.
const healthcheckTimeout = 5 * time.Second

// runHealthcheck asks the running server's /readyz, at the HTTP address the
// configuration names, and fails unless it answers 200. Container images
// carry no curl; this is their HEALTHCHECK.
func runHealthcheck(ctx context.Context, e Env, args []string) error {
	cfg, rest, err := config.Load("healthcheck", args, e.Lookup, e.Stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("healthcheck: unexpected arguments %q", rest)
	}
	url := "http://" + dialAddr(cfg.HTTPAddr) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s: %s", url, resp.Status, body)
	}
	fmt.Fprintf(e.Stdout, "ok %s\n", body)
	return nil
}

// dialAddr turns a listen address into one to connect to: a server
// listening on every interface (0.0.0.0, ::, or no host) is reached on
// loopback.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
