// Command msgraph-emulator serves the in-memory Microsoft Graph v1.0 emulator
// for group conversations on a loopback address, with one Microsoft 365 group
// already in it. Scripts start it, wait for -ready-file, read the endpoint and
// group id from it, and stop the process with SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const (
	defaultToken   = "emulator-token"
	userName       = "Emulator User"
	userAddress    = "emulator.user@contoso.example"
	appName        = "Emulator App"
	appAddress     = "emulator.app@contoso.example"
	mailDomain     = "contoso.example"
	defaultGroup   = "Emulator Demo"
	defaultListen  = "127.0.0.1:0"
	exitUsageError = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "msgraph-emulator:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(exitUsageError)
		}
		os.Exit(1)
	}
}

// usageError marks errors in the command line, which exit with status 2 like
// the flag package's own.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	*l = append(*l, v)
	return nil
}

type config struct {
	listen             string
	tokens             stringList
	appTokens          stringList
	latency            time.Duration
	invisibleFor       time.Duration
	mailboxConcurrency int
	retryAfter         int
	pageSize           int
	seed               int64
	groupName          string
	readyFile          string
	verbose            bool
	faults             emulator.Faults
	faultStatuses      string
	maxPageSize        int
	seedConversations  int
	behaviour          emulator.Behaviour
	refuseCreateStamps bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("msgraph-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.listen, "listen", defaultListen, "loopback `address` to serve on (127.0.0.0/8, ::1 or localhost; port 0 picks a free port)")
	fs.Var(&cfg.tokens, "token", "bearer `token` of the delegated user \""+userName+"\" <"+userAddress+">; repeatable (default \""+defaultToken+"\")")
	fs.Var(&cfg.appTokens, "app-token", "bearer `token` of an application (client-credentials) principal, which may read but not create or reply; repeatable")
	fs.DurationVar(&cfg.latency, "latency", 0, "`duration` added to every request")
	fs.DurationVar(&cfg.invisibleFor, "invisible-for", 0, "`duration` a new conversation stays invisible to reads (Exchange eventual consistency)")
	fs.IntVar(&cfg.mailboxConcurrency, "mailbox-concurrency", 0, "requests in flight allowed per group mailbox before 429; 0 is unlimited")
	fs.IntVar(&cfg.retryAfter, "retry-after", 1, "Retry-After `seconds` sent with 429 answers")
	fs.IntVar(&cfg.pageSize, "page-size", 10, "default list page `size` when the client sends no $top")
	fs.Int64Var(&cfg.seed, "seed", 1, "seed of the id generator; the same seed gives the same group id and ids")
	fs.StringVar(&cfg.groupName, "group-name", defaultGroup, "display `name` of the seeded Microsoft 365 group")
	fs.StringVar(&cfg.readyFile, "ready-file", "", "`path` of a JSON file {endpoint, group_id, pid} written once the emulator listens")
	fs.BoolVar(&cfg.verbose, "v", false, "log every request (method, path, status, duration) to stderr")
	fs.StringVar(&cfg.faultStatuses, "fault-status", "429,503,504", "comma-separated HTTP `statuses` drawn for injected faults")
	fs.IntVar(&cfg.faults.Every, "fault-every", 0, "answer every `N`th mailbox request with an injected fault; 0 is off")
	fs.Float64Var(&cfg.faults.Rate, "fault-rate", 0, "answer this `fraction` of mailbox requests with an injected fault")
	fs.IntVar(&cfg.faults.RetryAfterSeconds, "fault-retry-after", 1, "Retry-After `seconds` of injected faults; negative sends none")
	fs.IntVar(&cfg.faults.DropAfterCreateEvery, "drop-after-create-every", 0, "apply every `N`th create, then drop the connection without answering; 0 is off")
	fs.Float64Var(&cfg.faults.DropAfterCreateRate, "drop-after-create-rate", 0, "apply this `fraction` of creates, then drop the connection without answering")
	fs.Int64Var(&cfg.faults.Seed, "fault-seed", 1, "`seed` of the fault draws; the same seed and request order give the same faults")
	fs.IntVar(&cfg.maxPageSize, "max-page-size", 1000, "the service's page cap: no list page holds more than `N` items, whatever $top or odata.maxpagesize ask")
	fs.IntVar(&cfg.seedConversations, "seed-conversations", 0, "store `N` conversations in the group at start, as a mailbox that has received mail for a while")
	cfg.behaviour.RegisterFlags(fs)
	fs.BoolVar(&cfg.refuseCreateStamps, "refuse-create-stamps", false, "refuse creates whose first post carries an open extension or extended property (400), as a service that takes neither would")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	if len(cfg.tokens) == 0 {
		cfg.tokens = stringList{defaultToken}
	}
	for _, t := range cfg.appTokens {
		for _, u := range cfg.tokens {
			if t == u {
				return cfg, usageError{fmt.Errorf("token %q is given both as -token and -app-token", t)}
			}
		}
	}
	switch {
	case cfg.latency < 0:
		return cfg, usageError{errors.New("-latency must not be negative")}
	case cfg.invisibleFor < 0:
		return cfg, usageError{errors.New("-invisible-for must not be negative")}
	case cfg.mailboxConcurrency < 0:
		return cfg, usageError{errors.New("-mailbox-concurrency must not be negative")}
	case cfg.retryAfter < 1:
		return cfg, usageError{errors.New("-retry-after must be at least 1")}
	case cfg.pageSize < 1:
		return cfg, usageError{errors.New("-page-size must be at least 1")}
	case cfg.maxPageSize < 1:
		return cfg, usageError{errors.New("-max-page-size must be at least 1")}
	case cfg.seedConversations < 0:
		return cfg, usageError{errors.New("-seed-conversations must not be negative")}
	case strings.TrimSpace(cfg.groupName) == "":
		return cfg, usageError{errors.New("-group-name must not be empty")}
	case cfg.faults.Every < 0 || cfg.faults.DropAfterCreateEvery < 0:
		return cfg, usageError{errors.New("-fault-every and -drop-after-create-every must not be negative")}
	case cfg.faults.Rate < 0 || cfg.faults.Rate > 1 || cfg.faults.DropAfterCreateRate < 0 || cfg.faults.DropAfterCreateRate > 1:
		return cfg, usageError{errors.New("-fault-rate and -drop-after-create-rate must be between 0 and 1")}
	}
	if err := cfg.behaviour.Validate(); err != nil {
		return cfg, usageError{err}
	}
	for _, field := range strings.Split(cfg.faultStatuses, ",") {
		status, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || status < 400 || status > 599 {
			return cfg, usageError{fmt.Errorf("-fault-status: %q is not an HTTP error status", field)}
		}
		cfg.faults.Statuses = append(cfg.faults.Statuses, status)
	}
	return cfg, nil
}

// run serves until ctx ends. It is main without the process around it, so
// tests can drive it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	tokens := make(map[string]emulator.Principal)
	for _, t := range cfg.tokens {
		tokens[t] = emulator.Principal{DisplayName: userName, Address: userAddress}
	}
	for _, t := range cfg.appTokens {
		tokens[t] = emulator.Principal{DisplayName: appName, Address: appAddress, AppOnly: true}
	}
	opts := emulator.Options{
		Latency:            cfg.latency,
		InvisibleFor:       cfg.invisibleFor,
		MailboxConcurrency: cfg.mailboxConcurrency,
		RetryAfterSeconds:  cfg.retryAfter,
		PageSize:           cfg.pageSize,
		Tokens:             tokens,
		Seed:               cfg.seed,
		Faults:             cfg.faults,
		MaxPageSize:        cfg.maxPageSize,
		Behaviour:          cfg.behaviour,
		RefuseCreateStamps: cfg.refuseCreateStamps,
	}
	if cfg.verbose {
		logger := log.New(stderr, "", log.LstdFlags|log.Lmicroseconds)
		opts.LogRequest = func(method, path string, status int, elapsed time.Duration) {
			logger.Printf("%s %s %d %s", method, path, status, elapsed.Round(time.Microsecond))
		}
	}
	srv := emulator.New(opts)
	nickname := mailNickname(cfg.groupName)
	group := srv.AddGroup(emulator.Group{
		DisplayName:  cfg.groupName,
		MailNickname: nickname,
		Mail:         nickname + "@" + mailDomain,
		GroupTypes:   []string{"Unified"},
		MailEnabled:  true,
	})
	if _, err := srv.SeedConversations(group.ID, cfg.seedConversations, emulator.Principal{DisplayName: userName, Address: userAddress}); err != nil {
		return err
	}

	endpoint, err := srv.Listen(cfg.listen)
	if err != nil {
		return err
	}
	defer srv.Close()

	fmt.Fprintf(stdout, "endpoint=%s\n", endpoint)
	fmt.Fprintf(stdout, "group_id=%s\n", group.ID)
	fmt.Fprintf(stdout, "Try: curl -H 'Authorization: Bearer %s' %s/groups/%s/conversations (stop with Ctrl-C)\n", cfg.tokens[0], endpoint, group.ID)

	if cfg.readyFile != "" {
		if err := writeReadyFile(cfg.readyFile, readyInfo{Endpoint: endpoint, GroupID: group.ID, PID: os.Getpid()}); err != nil {
			return err
		}
		// A file left behind would tell the next script an old endpoint is
		// ready.
		defer os.Remove(cfg.readyFile)
	}

	<-ctx.Done()
	fmt.Fprintln(stderr, "msgraph-emulator: shutting down")
	return srv.Close()
}

// mailNickname derives a mail nickname from a display name, keeping
// lowercase letters and digits, as Exchange does when it suggests aliases.
func mailNickname(displayName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(displayName) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "emulatorgroup"
	}
	return b.String()
}

type readyInfo struct {
	Endpoint string `json:"endpoint"`
	GroupID  string `json:"group_id"`
	PID      int    `json:"pid"`
}

// writeReadyFile writes the file under a temporary name in the same directory
// and renames it into place, so a script polling for it never reads half a
// file.
func writeReadyFile(path string, info readyInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	// CreateTemp makes the file private; scripts of other users may read it.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write ready file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write ready file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	return nil
}
