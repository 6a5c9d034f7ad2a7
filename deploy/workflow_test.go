package deploy

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/tracebench/tracebench/internal/testutil"
	"github.com/tracebench/tracebench/plan"
)

func workflowsDir(t *testing.T) string {
	return filepath.Join(testutil.ModuleRoot(t), ".github", "workflows")
}

// linter checks workflows as the actionlint command does, scripts with
// shellcheck when it is installed (Makefile deps installs it).
func linter(t *testing.T, out *bytes.Buffer) *actionlint.Linter {
	opts := &actionlint.LinterOptions{}
	if p, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = p
	} else {
		t.Log("shellcheck is not installed: run: scripts are not checked")
	}
	l, err := actionlint.NewLinter(out, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestActionlint(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(workflowsDir(t), "*.yml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	proj, err := actionlint.NewProject(testutil.ModuleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	errs, err := linter(t, &out).LintFiles(files, proj)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("actionlint: %d errors:\n%s", len(errs), out.String())
	}

	// The same linter finds a broken reference: the check can fail.
	path := filepath.Join(workflowsDir(t), "kernel-matrix.yml")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(src, []byte("needs.plan.outputs.matrix"), []byte("needs.plan.outputs.matrx"), 1)
	out.Reset()
	errs, err = linter(t, &out).Lint(path, broken, proj)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 || !strings.Contains(out.String(), "matrx") {
		t.Errorf("actionlint missed an undefined job output:\n%s", out.String())
	}
}

func parseWorkflow(t *testing.T, name string) *actionlint.Workflow {
	src, err := os.ReadFile(filepath.Join(workflowsDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	w, errs := actionlint.Parse(src)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", name, errs[0])
	}
	return w
}

// step finds a job's step by name.
func step(t *testing.T, w *actionlint.Workflow, job, name string) *actionlint.Step {
	j := w.Jobs[job]
	if j == nil {
		t.Fatalf("no job %s", job)
	}
	for _, s := range j.Steps {
		if s.Name != nil && strings.HasPrefix(s.Name.Value, name) {
			return s
		}
	}
	t.Fatalf("job %s has no step %q", job, name)
	return nil
}

// usesAction finds a job's step that uses an action with these inputs.
func usesAction(w *actionlint.Workflow, job, action string, inputs map[string]string) bool {
	for _, s := range w.Jobs[job].Steps {
		a, ok := s.Exec.(*actionlint.ExecAction)
		if !ok || !strings.HasPrefix(a.Uses.Value, action+"@") {
			continue
		}
		match := true
		for k, v := range inputs {
			match = match && a.Inputs[k] != nil && a.Inputs[k].Value.Value == v
		}
		if match {
			return true
		}
	}
	return false
}

// What tracebench relies on in the reusable workflow.
func TestKernelMatrixWorkflow(t *testing.T) {
	w := parseWorkflow(t, "kernel-matrix.yml")
	var call *actionlint.WorkflowCallEvent
	for _, e := range w.On {
		if c, ok := e.(*actionlint.WorkflowCallEvent); ok {
			call = c
		}
	}
	if call == nil {
		t.Fatal("kernel-matrix.yml is not a reusable workflow (on: workflow_call)")
	}
	for _, j := range []string{"plan", "kernels", "shard", "merge"} {
		if w.Jobs[j] == nil {
			t.Errorf("no job %s", j)
		}
	}
	shard := w.Jobs["shard"]
	if m := shard.Strategy.Matrix; m == nil || m.Expression == nil || m.Expression.Value != "${{ fromJSON(needs.plan.outputs.matrix) }}" {
		t.Errorf("the shard matrix is not the plan's output as is: %+v", m)
	}
	if ff := shard.Strategy.FailFast; ff == nil || ff.Value {
		t.Error("a failed shard must not cancel the others (fail-fast: false)")
	}
	if c := shard.Container; c == nil || !strings.Contains(c.Options.Value, "--privileged") || !strings.Contains(c.Options.Value, "--pid=host") {
		t.Errorf("shards need a privileged container in the runner's PID namespace: %+v", c)
	}
	// Every matrix field the workflow reads is one the plan writes.
	fields := map[string]bool{}
	typ := reflect.TypeFor[plan.MatrixEntry]()
	for i := range typ.NumField() {
		fields[typ.Field(i).Tag.Get("json")] = true
	}
	src, _ := os.ReadFile(filepath.Join(workflowsDir(t), "kernel-matrix.yml"))
	refs := regexp.MustCompile(`(?:^|[^/\w])matrix\.([a-z_-]+)`).FindAllStringSubmatch(string(src), -1)
	if len(refs) < 5 {
		t.Errorf("%d matrix references: the shard job reads shard, index, plan, targets and boots", len(refs))
	}
	for _, m := range refs {
		if !fields[m[1]] {
			t.Errorf("the workflow reads matrix.%s, which tracebench plan does not write", m[1])
		}
	}
	// Kernels cached on the matrix file and the Debian versions, restored
	// exactly by the shards.
	if !strings.Contains(step(t, w, "kernels", "Key the cache").Env.Vars["matrix_hash"].Value.Value, "hashFiles('vmtests/matrix.toml')") {
		t.Error("the kernel cache key does not hash vmtests/matrix.toml")
	}
	if !usesAction(w, "kernels", "actions/cache/save", map[string]string{"key": "${{ steps.key.outputs.key }}"}) ||
		!usesAction(w, "shard", "actions/cache/restore", map[string]string{"key": "${{ needs.kernels.outputs.key }}", "fail-on-cache-miss": "true"}) {
		t.Error("the kernel cache is not saved under the computed key and restored exactly by the shards")
	}
	if !usesAction(w, "merge", "actions/upload-artifact", map[string]string{"name": "report", "path": "merged/"}) ||
		!usesAction(w, "merge", "actions/upload-artifact", map[string]string{"name": "portability-junit", "path": "merged/portability.xml"}) {
		t.Error("the merge job does not upload the report and the JUnit results")
	}
	for _, cmd := range []string{"bin/tracebench merge merged shards/*/", "bin/tracebench report merged", "bin/tracebench junit merged --out merged/portability.xml"} {
		found := false
		for _, s := range w.Jobs["merge"].Steps {
			if r, ok := s.Exec.(*actionlint.ExecRun); ok && strings.Contains(r.Run.Value, cmd) {
				found = true
			}
		}
		if !found {
			t.Errorf("the merge job does not run %q", cmd)
		}
	}
}

// evalInputs replaces ${{ inputs.X }} and ${{ matrix.X }} with values.
func evalInputs(t *testing.T, s string, vals map[string]string) string {
	return regexp.MustCompile(`\$\{\{ *([a-z]+\.[a-z_-]+) *\}\}`).ReplaceAllStringFunc(s, func(m string) string {
		k := strings.Trim(strings.TrimSpace(strings.Trim(m, "${}")), " ")
		v, ok := vals[k]
		if !ok {
			t.Fatalf("no value for %s", k)
		}
		return v
	})
}

// runStep runs a run: step's script with bash as GitHub does (bash -e), in
// dir, with the step's env evaluated from vals.
func runStep(t *testing.T, s *actionlint.Step, dir string, vals map[string]string, extra ...string) ([]byte, error) {
	cmd := exec.Command("bash", "-e", "-c", s.Exec.(*actionlint.ExecRun).Run.Value)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extra...)
	for _, v := range s.Env.Vars {
		cmd.Env = append(cmd.Env, v.Name.Value+"="+evalInputs(t, v.Value.Value, vals))
	}
	return cmd.CombinedOutput()
}

// The plan job's step, run for real with the workflow's default inputs,
// prints a matrix the shard jobs consume; a shard job's step, run with an
// entry of it, computes the same plan (its --plan-id check names the plan
// it computed; a wrong ID stops it before it touches the kernel).
func TestWorkflowStepsAgree(t *testing.T) {
	w := parseWorkflow(t, "kernel-matrix.yml")
	vals := map[string]string{}
	for _, e := range w.On {
		if c, ok := e.(*actionlint.WorkflowCallEvent); ok {
			for _, in := range c.Inputs {
				vals["inputs."+in.ID] = in.Default.Value
			}
		}
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "bin"), 0o755)
	if err := os.Symlink(testutil.Binary(t), filepath.Join(dir, "bin", "tracebench")); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "github_output")
	if out, err := runStep(t, step(t, w, "plan", "Plan the shards"), dir, vals, "GITHUB_OUTPUT="+outFile); err != nil {
		t.Fatalf("plan step: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		outputs[k] = v
	}
	var m plan.Matrix
	dec := json.NewDecoder(strings.NewReader(outputs["matrix"]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("matrix output %q: %v", outputs["matrix"], err)
	}
	boots := 0
	for _, e := range m.Include {
		boots += e.Boots
		if e.Plan != outputs["plan"] {
			t.Errorf("entry %s of plan %s, output plan %s", e.Shard, e.Plan, outputs["plan"])
		}
	}
	if len(m.Include) != 4 || outputs["boots"] != itoa(boots) {
		t.Fatalf("plan outputs %v: want 4 shards (the default) and their boots", outputs)
	}
	t.Logf("plan %s: %s", outputs["plan"], outputs["matrix"])

	e := m.Include[1]
	vals["matrix.shard"], vals["matrix.index"], vals["matrix.plan"] = e.Shard, itoa(e.Index), "000000000000"
	out, err := runStep(t, step(t, w, "shard", "Run shard"), dir, vals, "TRACEBENCH_CACHE="+t.TempDir())
	want := "--plan-id 000000000000: the plan of this selection is " + outputs["plan"]
	if err == nil || !strings.Contains(string(out), want) {
		t.Fatalf("shard step with a wrong plan ID: %v\n%s\nwant it to stop with %q", err, out, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); err == nil {
		t.Error("the refused shard created its output directory")
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
