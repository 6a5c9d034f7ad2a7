package kstate

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// The child side of TestRecoverAfterKill: journal two changes, make them,
// and die without undoing anything.
func TestMain(m *testing.M) {
	if dir := os.Getenv("TB_KSTATE_CHILD"); dir != "" {
		ActiveDir = os.Getenv("TB_KSTATE_ACTIVE")
		j, err := Create(dir)
		if err != nil {
			panic(err)
		}
		for _, sub := range []string{"a", "b"} {
			p := filepath.Join(dir, sub)
			if _, err := j.Record(Change{Owner: "child", Kind: Dir, Path: p}); err != nil {
				panic(err)
			}
			if err := os.Mkdir(p, 0o755); err != nil {
				panic(err)
			}
		}
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	os.Exit(m.Run())
}

func TestUndoOrderAndIdempotence(t *testing.T) {
	ActiveDir = t.TempDir()
	dir := t.TempDir()
	j, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "knob")
	os.WriteFile(file, []byte("old"), 0o644)
	sub := filepath.Join(dir, "instance")
	// The file lives in sub's parent; undo runs newest first, so the
	// write is restored before the directory goes.
	for _, c := range []Change{
		{Owner: "x", Kind: Dir, Path: sub},
		{Owner: "x", Kind: File, Path: file, Restore: "old"},
		{Owner: "y", Kind: Dir, Path: filepath.Join(dir, "other")},
	} {
		if _, err := j.Record(c); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(sub, 0o755)
	os.WriteFile(file, []byte("new"), 0o644)
	os.Mkdir(filepath.Join(dir, "other"), 0o755)
	if err := j.UndoOwner("x"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != "old" {
		t.Errorf("file not restored: %q", b)
	}
	if _, err := os.Stat(sub); !os.IsNotExist(err) {
		t.Errorf("dir not removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other")); err != nil {
		t.Errorf("another owner's change was undone: %v", err)
	}
	if got := len(j.Pending()); got != 1 {
		t.Errorf("%d pending, want 1", got)
	}
	if err := j.UndoOwner("x"); err != nil {
		t.Errorf("second undo: %v", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other")); !os.IsNotExist(err) {
		t.Errorf("close did not undo everything: %v", err)
	}
	pending, err := Read(j.Path())
	if err != nil || len(pending) != 0 {
		t.Errorf("journal after close: %v pending, err %v", pending, err)
	}
	if ents, _ := os.ReadDir(ActiveDir); len(ents) != 0 {
		t.Errorf("journal still registered as active")
	}
}

func TestRecoverAfterKill(t *testing.T) {
	active := t.TempDir()
	ActiveDir = active
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "TB_KSTATE_CHILD="+dir, "TB_KSTATE_ACTIVE="+active)
	err := cmd.Run()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child did not die by signal: %v", err)
	}
	for _, sub := range []string{"a", "b"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
			t.Fatalf("child did not make its change: %v", err)
		}
	}
	orphans, err := Orphans()
	if err != nil {
		t.Fatal(err)
	}
	if len(orphans) != 1 || len(orphans[0].Pending) != 2 || orphans[0].PID != cmd.Process.Pid {
		t.Fatalf("orphans = %+v, want one journal of pid %d with 2 changes", orphans, cmd.Process.Pid)
	}
	if _, err := RecoverOrphans(); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"a", "b"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); !os.IsNotExist(err) {
			t.Errorf("%s not undone: %v", sub, err)
		}
	}
	if orphans, _ := Orphans(); len(orphans) != 0 {
		t.Errorf("still orphaned after recovery: %+v", orphans)
	}
}

func TestTornLastLineIgnored(t *testing.T) {
	p := filepath.Join(t.TempDir(), JournalFile)
	os.WriteFile(p, []byte(`{"op":"change","change":{"id":1,"owner":"x","kind":"dir","path":"/nonexistent/a"}}`+"\n"+`{"op":"chan`), 0o644)
	pending, err := Read(p)
	if err != nil || len(pending) != 1 {
		t.Errorf("got %v, %v; want the one complete change", pending, err)
	}
}

func TestUnknownKindRefused(t *testing.T) {
	ActiveDir = t.TempDir()
	j, err := Create(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := j.Record(Change{Kind: "teleport"}); err == nil {
		t.Error("a change this binary cannot undo was journaled")
	}
}
