package auditd

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// Config is an auditd configuration owned by tracebench: a directory (given
// to auditd with -c) holding auditd.conf, an empty plugin directory and the
// log directory.
type Config struct {
	// Dir is the configuration directory; it must be absolute.
	Dir string
	// LogFormat is RAW (records as the kernel sent them) or ENRICHED
	// (Debian's default: auditd appends resolved names to every record,
	// which costs it more per record).
	LogFormat string
	// Flush is how auditd flushes its log: NONE, INCREMENTAL,
	// INCREMENTAL_ASYNC (Debian's default), DATA or SYNC.
	Flush string
	// Freq is the number of records between explicit flushes for the
	// INCREMENTAL flush modes (Debian: 50).
	Freq int
	// PriorityBoost is how much auditd raises its own priority (nice -N;
	// Debian: 4).
	PriorityBoost int
}

// DefaultConfig returns Debian's shipped settings for the parts that affect
// the cost of auditing, with tracebench's paths. Everything that could act
// on the machine is off: log rotation, e-mail, network listening, plugins
// (the plugin directory is empty), and low-disk actions other than syslog
// and suspending the log.
func DefaultConfig(dir string) Config {
	return Config{Dir: dir, LogFormat: "ENRICHED", Flush: "INCREMENTAL_ASYNC", Freq: 50, PriorityBoost: 4}
}

// LogFile is where auditd writes its log.
func (c Config) LogFile() string { return filepath.Join(c.Dir, "log", "audit.log") }

// PluginDir is the (empty) plugin directory auditd is pointed at.
func (c Config) PluginDir() string { return filepath.Join(c.Dir, "plugins.d") }

// File is the path of auditd.conf.
func (c Config) File() string { return filepath.Join(c.Dir, "auditd.conf") }

// Render returns the text of auditd.conf. auditd reads "key = value" lines
// of at most 160 characters; it rejects a file that is not owned by root
// or is world writable.
func (c Config) Render() ([]byte, error) {
	if !filepath.IsAbs(c.Dir) {
		return nil, fmt.Errorf("auditd config dir %q is not absolute", c.Dir)
	}
	switch c.LogFormat {
	case "RAW", "ENRICHED":
	default:
		return nil, fmt.Errorf("auditd log_format %q: want RAW or ENRICHED", c.LogFormat)
	}
	switch c.Flush {
	case "NONE", "INCREMENTAL", "INCREMENTAL_ASYNC", "DATA", "SYNC":
	default:
		return nil, fmt.Errorf("auditd flush %q: want NONE, INCREMENTAL, INCREMENTAL_ASYNC, DATA or SYNC", c.Flush)
	}
	if c.Freq < 0 || c.PriorityBoost < 0 {
		return nil, fmt.Errorf("auditd freq %d, priority_boost %d: must not be negative", c.Freq, c.PriorityBoost)
	}
	var b bytes.Buffer
	b.WriteString("# Written by tracebench; auditd runs with -c " + c.Dir + "\n")
	for _, kv := range [][2]string{
		{"local_events", "yes"},
		{"write_logs", "yes"},
		{"log_file", c.LogFile()},
		{"log_group", "0"}, // numeric: a guest may have no /etc/group
		{"log_format", c.LogFormat},
		{"flush", c.Flush},
		{"freq", fmt.Sprint(c.Freq)},
		{"priority_boost", fmt.Sprint(c.PriorityBoost)},
		{"name_format", "NONE"},
		// One log file, never rotated, so every record of a run is in it.
		{"max_log_file", "8"},
		{"max_log_file_action", "IGNORE"},
		{"num_logs", "0"},
		{"space_left", "2"},
		{"space_left_action", "SYSLOG"},
		{"admin_space_left", "1"},
		{"admin_space_left_action", "SUSPEND"},
		{"disk_full_action", "SUSPEND"},
		{"disk_error_action", "SUSPEND"},
		{"verify_email", "no"},
		{"action_mail_acct", "root"},
		{"use_libwrap", "no"},
		{"distribute_network", "no"},
		{"q_depth", "2000"},
		{"overflow_action", "SYSLOG"},
		{"max_restarts", "10"},
		{"plugin_dir", c.PluginDir()},
		{"end_of_event_timeout", "2"},
	} {
		line := kv[0] + " = " + kv[1]
		if len(line) > 160 {
			return nil, fmt.Errorf("auditd.conf line %q is longer than the 160 characters auditd reads", line)
		}
		b.WriteString(line + "\n")
	}
	return b.Bytes(), nil
}

// Write creates the directory tree and auditd.conf.
func (c Config) Write() error {
	text, err := c.Render()
	if err != nil {
		return err
	}
	for _, d := range []string{c.Dir, c.PluginDir(), filepath.Dir(c.LogFile())} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return fmt.Errorf("auditd config: %w", err)
		}
	}
	if err := os.WriteFile(c.File(), text, 0o640); err != nil {
		return fmt.Errorf("auditd config: %w", err)
	}
	return nil
}
