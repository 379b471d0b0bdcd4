// Command hearth runs Hearth: the meetings schedule, its API and feeds, the
// browser pages and the media server, in one binary.
//
//	hearth [serve] [flags]   run the server (the default)
//	hearth help              list commands
//
// Every flag has an environment twin (HEARTH_*); flags win over env.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the tz database, so a static binary works in a scratch image
)

// env is the process environment, injected so commands can be tested.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand. Add one by adding a row to commands.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, e env) error
}

func commands() []command {
	return []command{
		{"serve", "run the Hearth server (default)", runServe},
		{"import", "import meetings: hearth import meeting-guide FILE|URL", runImport},
		{"help", "list commands", runHelp},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	e := env{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	if err := run(ctx, os.Args[1:], e); err != nil {
		fmt.Fprintln(os.Stderr, "hearth:", err)
		os.Exit(1)
	}
}

// run picks the subcommand: the first argument when it names one, else serve.
func run(ctx context.Context, args []string, e env) error {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args, e)
		}
	}
	return errors.New("unknown command " + fmt.Sprintf("%q", name) + "; run `hearth help`")
}

func runHelp(_ context.Context, _ []string, e env) error {
	fmt.Fprintln(e.stdout, "usage: hearth [command] [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(e.stdout, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(e.stdout, "\nRun `hearth <command> -h` for a command's flags.")
	return nil
}
