// Package plugin runs backends out of process with hashicorp/go-plugin over
// gRPC. The harness starts one plugin process per backend; a crash or hang
// there fails that backend's cells, never the run. Built-in backends are
// served by the tracebench binary itself (`tracebench backend serve NAME`);
// external backends are executables in a plugins directory that speak the
// same protocol (backends/backendpb/backend.proto), in any language.
package plugin

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/tracebench/tracebench/backends"
	pb "github.com/tracebench/tracebench/backends/backendpb"
)

// Handshake is the go-plugin handshake of tracebench backends. A plugin
// executable started by anything else exits with a message instead of
// serving; a mismatched protocol version is refused.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "TRACEBENCH_BACKEND_PLUGIN",
	MagicCookieValue: "tracebench-backend-v1",
}

const pluginKey = "backend"

type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl backends.Backend
}

func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterBackendServer(s, &server{impl: p.impl})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return &client{rpc: pb.NewBackendClient(c)}, nil
}

// Serve serves impl as a plugin on this process's stdout handshake. It
// returns when the harness closes the plugin.
func Serve(impl backends.Backend) {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         goplugin.PluginSet{pluginKey: &grpcPlugin{impl: impl}},
		GRPCServer:      goplugin.DefaultGRPCServer,
		Logger:          hclog.New(&hclog.LoggerOptions{Output: os.Stderr, Level: hclog.Warn}),
	})
}

// Process is a running backend plugin.
type Process struct {
	backends.Backend
	client *goplugin.Client
	cmd    *exec.Cmd
}

// Start launches cmd as a backend plugin and connects to it. The plugin's
// log and stderr go to log. The plugin is put in its own process group (a
// Ctrl-C on the terminal reaches only the harness, which then cleans up in
// order) and is killed by the kernel if the harness dies.
func Start(cmd *exec.Cmd, log io.Writer) (*Process, error) {
	if log == nil {
		log = io.Discard
	}
	// Keep what the caller set (e.g. a chroot), add the process group.
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid, cmd.SysProcAttr.Pdeathsig = true, syscall.SIGKILL
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          goplugin.PluginSet{pluginKey: &grpcPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Output: log, Level: hclog.Warn, Name: "plugin"}),
		Stderr:           log,
	})
	conn, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, fmt.Errorf("start backend plugin %s: %w", cmd.Path, err)
	}
	raw, err := conn.Dispense(pluginKey)
	if err != nil {
		c.Kill()
		return nil, fmt.Errorf("start backend plugin %s: %w", cmd.Path, err)
	}
	return &Process{Backend: raw.(backends.Backend), client: c, cmd: cmd}, nil
}

// PID returns the plugin process's pid.
func (p *Process) PID() int {
	if p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Exited reports whether the plugin process has exited.
func (p *Process) Exited() bool { return p.client.Exited() }

// ExitStatus describes how the plugin process ended ("signal: killed",
// "exit status 2"), or "" while it runs.
func (p *Process) ExitStatus() string {
	if !p.client.Exited() || p.cmd.ProcessState == nil {
		return ""
	}
	return p.cmd.ProcessState.String()
}

// Kill stops the plugin: gracefully if it answers, by SIGKILL otherwise.
func (p *Process) Kill() { p.client.Kill() }
