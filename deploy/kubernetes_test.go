package deploy

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/tracebench/tracebench/internal/testutil"
)

// manifests decodes every document of deploy/kubernetes/*.yaml strictly
// (unknown or duplicate fields are errors) into its API type.
func manifests(t *testing.T) (jobs map[string]*batchv1.Job, claims map[string]*corev1.PersistentVolumeClaim) {
	files, err := filepath.Glob(filepath.Join(testutil.ModuleRoot(t), "deploy", "kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("manifests: %v %v", files, err)
	}
	jobs, claims = map[string]*batchv1.Job{}, map[string]*corev1.PersistentVolumeClaim{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range regexp.MustCompile(`(?m)^---$`).Split(string(b), -1) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			switch tm.APIVersion + " " + tm.Kind {
			case "batch/v1 Job":
				j := &batchv1.Job{}
				decodeStrict(t, f, i, doc, j, &j.ObjectMeta)
				jobs[j.Name] = j
			case "v1 PersistentVolumeClaim":
				c := &corev1.PersistentVolumeClaim{}
				decodeStrict(t, f, i, doc, c, &c.ObjectMeta)
				claims[c.Name] = c
			default:
				t.Fatalf("%s document %d: unexpected %s %s", f, i, tm.APIVersion, tm.Kind)
			}
		}
	}
	return jobs, claims
}

func decodeStrict(t *testing.T, file string, i int, doc string, obj any, meta *metav1.ObjectMeta) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
		t.Fatalf("%s document %d: %v", file, i, err)
	}
	if meta.Name == "" {
		t.Fatalf("%s document %d: no metadata.name", file, i)
	}
}

// Strict decoding is strict: a misspelt field is an error.
func TestStrictDecoding(t *testing.T) {
	var j batchv1.Job
	err := yaml.UnmarshalStrict([]byte("apiVersion: batch/v1\nkind: Job\nspec:\n  completionMod: Indexed\n"), &j)
	if err == nil || !strings.Contains(err.Error(), "completionMod") {
		t.Fatalf("misspelt field: %v", err)
	}
}

func mountOf(c corev1.Container, path string) *corev1.VolumeMount {
	for i, m := range c.VolumeMounts {
		if m.MountPath == path {
			return &c.VolumeMounts[i]
		}
	}
	return nil
}

func volumeOf(spec corev1.PodSpec, name string) *corev1.Volume {
	for i, v := range spec.Volumes {
		if v.Name == name {
			return &spec.Volumes[i]
		}
	}
	return nil
}

func envOf(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// claimAt checks that path is mounted from a ReadWriteMany claim of the
// manifests (pods of several nodes mount it at once).
func claimAt(t *testing.T, job *batchv1.Job, claims map[string]*corev1.PersistentVolumeClaim, path string) string {
	t.Helper()
	spec := job.Spec.Template.Spec
	m := mountOf(spec.Containers[0], path)
	if m == nil {
		t.Fatalf("%s mounts nothing at %s", job.Name, path)
	}
	v := volumeOf(spec, m.Name)
	if v == nil || v.PersistentVolumeClaim == nil {
		t.Fatalf("%s: %s is not a volume claim", job.Name, path)
	}
	c := claims[v.PersistentVolumeClaim.ClaimName]
	if c == nil || !slices.Contains(c.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Fatalf("%s: claim %s for %s is not in the manifests or not ReadWriteMany", job.Name, v.PersistentVolumeClaim.ClaimName, path)
	}
	return c.Name
}

// What tracebench relies on in the shards Job.
func TestShardsJob(t *testing.T) {
	jobs, claims := manifests(t)
	job := jobs["tracebench-shards"]
	if job == nil {
		t.Fatal("no tracebench-shards Job")
	}
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("the shards Job is not Indexed: pods would not know their shard")
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism || *s.Completions < 1 {
		t.Fatalf("completions %v, parallelism %v: want N and N", s.Completions, s.Parallelism)
	}
	n := int(*s.Completions)
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex != 0 {
		t.Error("a failed shard should fail its index only (backoffLimitPerIndex: 0), not be rerun into the same directory")
	}
	pod := s.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged {
		t.Error("shards need a privileged container (eBPF, tracefs, audit, /dev/kvm)")
	}
	if !pod.HostPID || !pod.HostNetwork {
		t.Error("shards need the node's PID namespace (eBPF and audit pids, audit control) and network namespace (audit multicast)")
	}
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %s: a restarted shard would measure into a half-written directory", pod.RestartPolicy)
	}
	if a := pod.Affinity; a == nil || a.PodAntiAffinity == nil || len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 1 {
		t.Error("two shards on one node would measure each other and share audit state: want a required anti-affinity")
	} else {
		term := a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution[0]
		for k, v := range term.LabelSelector.MatchLabels {
			if s.Template.Labels[k] != v {
				t.Errorf("anti-affinity selects %s=%s, which the shard pods do not carry", k, v)
			}
		}
		if term.TopologyKey != "kubernetes.io/hostname" {
			t.Errorf("anti-affinity topology %s, want kubernetes.io/hostname", term.TopologyKey)
		}
	}
	if claimAt(t, job, claims, "/results") != "tracebench-results" {
		t.Error("results go to the wrong claim")
	}
	cache := envOf(c, "TRACEBENCH_CACHE")
	if cache == "" || claimAt(t, job, claims, cache) != "tracebench-kernels" {
		t.Errorf("TRACEBENCH_CACHE %q is not the kernels claim", cache)
	}
	if m := mountOf(c, "/run/tracebench"); m == nil || volumeOf(pod, m.Name).HostPath == nil {
		t.Error("the node's /run/tracebench (journal registry) is not mounted: a killed pod's kernel changes would not be undone")
	}
	if len(c.Command) != 2 || c.Command[0] != "/bin/sh" || c.Command[1] != "-c" || len(c.Args) != 1 {
		t.Fatalf("command %q args %q: want /bin/sh -c SCRIPT", c.Command, c.Args)
	}

	// Run the pod's script for each completion index with a tracebench that
	// prints its arguments: pod I runs shard I+1/N into /results/shard-I+1.
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "tracebench"), []byte("#!/bin/sh\nprintf '%s\\n' \"$@\"\n"), 0o755)
	var selection []string
	for i := range n {
		args := podArgs(t, c.Args[0], i, bin)
		if args[0] != "run" {
			t.Fatalf("pod %d runs tracebench %q", i, args)
		}
		flags := map[string]string{}
		var sel []string
		for j := 1; j < len(args); j++ {
			switch args[j] {
			case "--shard", "--out":
				flags[args[j]] = args[j+1]
				j++
			case "--offline":
				flags["--offline"] = "true"
			default:
				sel = append(sel, args[j])
			}
		}
		if want := fmt.Sprintf("%d/%d", i+1, n); flags["--shard"] != want {
			t.Errorf("pod %d runs --shard %q, want %s", i, flags["--shard"], want)
		}
		if want := "/results/shard-" + strconv.Itoa(i+1); flags["--out"] != want {
			t.Errorf("pod %d writes to %q, want %s", i, flags["--out"], want)
		}
		if flags["--offline"] != "true" {
			t.Errorf("pod %d may resolve kernels itself: want --offline (the kernels Job fetched them)", i)
		}
		if i > 0 && !slices.Equal(sel, selection) {
			t.Errorf("pod %d selects %q, pod 0 %q: every shard must plan the same selection", i, sel, selection)
		}
		selection = sel
	}

	// The real tracebench accepts the pods' flags and plans N shards from
	// them: with a wrong --plan-id a pod stops (before touching the kernel)
	// naming the plan it computed, the one 'tracebench plan' prints.
	tb := testutil.Binary(t)
	out, err := exec.Command(tb, append([]string{"plan", "--quiet", "--shards", strconv.Itoa(n)}, selection...)...).Output()
	if err != nil {
		t.Fatalf("tracebench plan %q: %v", selection, err)
	}
	id := regexp.MustCompile(`"plan":"([0-9a-f]+)"`).FindSubmatch(out)
	if id == nil || strings.Count(string(out), `"shard":`) != n {
		t.Fatalf("plan output %s: want %d shards", out, n)
	}
	real := t.TempDir()
	os.Symlink(tb, filepath.Join(real, "tracebench"))
	cmd := exec.Command("/bin/sh", "-c", c.Args[0]+" --plan-id 000000000000")
	cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX=0", "PATH="+real+":"+os.Getenv("PATH"), "TRACEBENCH_CACHE="+t.TempDir())
	res, err := cmd.CombinedOutput()
	if want := "the plan of this selection is " + string(id[1]); err == nil || !strings.Contains(string(res), want) {
		t.Errorf("pod 0 with a wrong plan ID: %v\n%s\nwant %q", err, res, want)
	}
}

// podArgs runs a pod's shell script at a completion index with bin (a
// tracebench that prints its arguments) first on PATH.
func podArgs(t *testing.T, script string, index int, bin string) []string {
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX="+strconv.Itoa(index), "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pod %d script: %v", index, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// The kernels and merge Jobs use the same volumes, without privileges.
func TestKernelsAndMergeJobs(t *testing.T) {
	jobs, claims := manifests(t)
	shards := jobs["tracebench-shards"].Spec.Template.Spec.Containers[0]
	for _, name := range []string{"tracebench-kernels", "tracebench-merge"} {
		j := jobs[name]
		if j == nil {
			t.Fatalf("no %s Job", name)
		}
		c := j.Spec.Template.Spec.Containers[0]
		if c.Image != shards.Image {
			t.Errorf("%s runs image %s, the shards %s", name, c.Image, shards.Image)
		}
		if sc := c.SecurityContext; sc != nil && sc.Privileged != nil && *sc.Privileged || j.Spec.Template.Spec.HostPID {
			t.Errorf("%s needs no privilege", name)
		}
	}
	k := jobs["tracebench-kernels"].Spec.Template.Spec.Containers[0]
	if !slices.Equal(k.Args, []string{"vm", "fetch", "all", "--prune"}) || envOf(k, "TRACEBENCH_CACHE") != envOf(shards, "TRACEBENCH_CACHE") {
		t.Errorf("kernels Job: args %q, cache %q: want vm fetch all --prune into the shards' cache", k.Args, envOf(k, "TRACEBENCH_CACHE"))
	}
	if claimAt(t, jobs["tracebench-kernels"], claims, envOf(k, "TRACEBENCH_CACHE")) != "tracebench-kernels" {
		t.Error("the kernels Job fills another claim than the shards read")
	}
	m := jobs["tracebench-merge"]
	if claimAt(t, m, claims, "/results") != "tracebench-results" {
		t.Error("the merge Job reads another claim than the shards write")
	}
	script := strings.Join(m.Spec.Template.Spec.Containers[0].Args, " ")
	for _, want := range []string{"tracebench merge /results/merged /results/shard-*/", "tracebench report /results/merged", "tracebench junit /results/merged --out /results/merged/portability.xml"} {
		if !strings.Contains(script, want) {
			t.Errorf("the merge Job does not run %q", want)
		}
	}
}
