package auditd

import (
	"os"
	"strings"
	"testing"
)

func TestConfigRender(t *testing.T) {
	cfg := DefaultConfig("/run/tb/auditd")
	text, err := cfg.Render()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok || len(line) > 160 {
			t.Fatalf("line %q is not a key = value line auditd reads", line)
		}
		if _, dup := got[k]; dup {
			t.Errorf("key %s set twice", k)
		}
		got[k] = v
	}
	for k, want := range map[string]string{
		"log_file":            "/run/tb/auditd/log/audit.log",
		"plugin_dir":          "/run/tb/auditd/plugins.d",
		"log_format":          "ENRICHED",
		"flush":               "INCREMENTAL_ASYNC",
		"freq":                "50",
		"priority_boost":      "4",
		"max_log_file_action": "IGNORE",
		"write_logs":          "yes",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	for _, port := range []string{"tcp_listen_port"} {
		if _, ok := got[port]; ok {
			t.Errorf("%s is set: auditd would listen on the network", port)
		}
	}
	for name, bad := range map[string]Config{
		"relative dir": {Dir: "rel", LogFormat: "RAW", Flush: "NONE"},
		"log format":   {Dir: "/x", LogFormat: "NOLOG", Flush: "NONE"},
		"flush":        {Dir: "/x", LogFormat: "RAW", Flush: "sometimes"},
		"freq":         {Dir: "/x", LogFormat: "RAW", Flush: "NONE", Freq: -1},
		"long path":    {Dir: "/" + strings.Repeat("d", 160), LogFormat: "RAW", Flush: "NONE"},
	} {
		if _, err := bad.Render(); err == nil {
			t.Errorf("%s: Render accepted %+v", name, bad)
		}
	}
}

func TestConfigWrite(t *testing.T) {
	cfg := DefaultConfig(t.TempDir() + "/auditd")
	if err := cfg.Write(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(cfg.File())
	if err != nil {
		t.Fatal(err)
	}
	// auditd refuses a world-writable configuration file.
	if fi.Mode().Perm()&0o002 != 0 {
		t.Errorf("auditd.conf mode %v is world writable", fi.Mode())
	}
	entries, err := os.ReadDir(cfg.PluginDir())
	if err != nil || len(entries) != 0 {
		t.Errorf("plugin dir: %d entries, %v; want empty", len(entries), err)
	}
	if _, err := os.Stat(strings.TrimSuffix(cfg.LogFile(), "/audit.log")); err != nil {
		t.Errorf("log dir: %v", err)
	}
}
