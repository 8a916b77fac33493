package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
)

// The go-plugin handshake Terraform performs with a provider protocol 6
// plugin (terraform-plugin-go's tf6server).
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
	schemaMethod     = "/tfplugin6.Provider/GetProviderSchema"
)

// startup is one launch of the provider the way the CLI launches it.
type startup struct {
	// handshake is from exec to the go-plugin handshake line on stdout:
	// process start, Go runtime and package initialisation, gRPC server
	// listening.
	handshake time.Duration
	// schema is from exec to the complete GetProviderSchema answer.
	schema      time.Duration
	schemaBytes int
	peakRSS     int64
}

// measureStartup launches the provider binary as a plugin, reads its
// handshake, asks for its schema over gRPC as the CLI does (without the
// CLI's mutual TLS, which the provider only uses when asked for) and kills
// it.
func measureStartup(ctx context.Context, binary string) (startup, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	socketDir, err := os.MkdirTemp("", "msgraph-bench-plugin-")
	if err != nil {
		return startup{}, err
	}
	defer os.RemoveAll(socketDir)
	cmd := exec.CommandContext(ctx, binary)
	cmd.Env = append(cleanEnv(os.Environ()), magicCookieKey+"="+magicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=6", "PLUGIN_UNIX_SOCKET_DIR="+socketDir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return startup{}, err
	}
	cmd.Stderr = io.Discard
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return startup{}, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return startup{}, fmt.Errorf("reading the plugin handshake: %w", err)
	}
	out := startup{handshake: time.Since(start)}
	network, address, err := parseHandshake(line)
	if err != nil {
		return startup{}, err
	}
	target := "passthrough:///" + address
	if network == "unix" {
		target = "unix://" + address
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return startup{}, err
	}
	defer conn.Close()
	var schema rawMessage
	if err := conn.Invoke(ctx, schemaMethod, &rawMessage{}, &schema, grpc.ForceCodecV2(rawCodec{})); err != nil {
		return startup{}, fmt.Errorf("GetProviderSchema: %w", err)
	}
	out.schema = time.Since(start)
	out.schemaBytes = len(schema.data)
	if !bytes.Contains(schema.data, []byte("msgraph_group_conversation")) {
		return startup{}, errors.New("the provider's schema does not mention msgraph_group_conversation")
	}
	out.peakRSS, _ = readHWM(cmd.Process.Pid)
	return out, nil
}

// parseHandshake reads go-plugin's
// "CORE-PROTOCOL|APP-PROTOCOL|NETWORK|ADDRESS|PROTOCOL[|CERT]" line.
func parseHandshake(line string) (network, address string, err error) {
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 || parts[0] != "1" || parts[1] != "6" || parts[4] != "grpc" {
		return "", "", fmt.Errorf("unexpected plugin handshake %q (want core protocol 1, provider protocol 6, grpc)", line)
	}
	switch parts[2] {
	case "unix", "tcp":
		return parts[2], parts[3], nil
	}
	return "", "", fmt.Errorf("unexpected plugin network %q in handshake %q", parts[2], line)
}

// rawMessage carries protobuf bytes unparsed: GetProviderSchema's request
// is an empty message, and only the answer's size and content matter here.
type rawMessage struct{ data []byte }

type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(*rawMessage)
	if !ok {
		return nil, fmt.Errorf("rawCodec cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(m.data)}, nil
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*rawMessage)
	if !ok {
		return fmt.Errorf("rawCodec cannot unmarshal into %T", v)
	}
	m.data = data.Materialize()
	return nil
}
