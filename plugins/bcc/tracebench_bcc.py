"""BCC backends for tracebench, as an external plugin written in Python.

BCC (python3-bpfcc) is used as its users use it: a C program in a Python
string, compiled by BCC's embedded clang against the running kernel's
headers when the BPF object is made, then attached with attach_tracepoint
or attach_kprobe. The plugin speaks tracebench's backend protocol
(backends/backendpb/backend.proto) over go-plugin's gRPC transport, like
the Go plugins: the handshake line on stdout, the gRPC health service
"plugin", and go-plugin's controller Shutdown.

Setup compiles and loads (the front end's start-up: its time, the CPU it
spent and the plugin's peak memory, clang's included since it runs in this
process, are the cell's facts), Attach and Detach attach and detach the
loaded program, as BCC can do in-process. BCC needs the headers of the
running kernel (linux-headers-<release>, /lib/modules/<release>/build, or
CONFIG_IKHEADERS): without them it cannot compile, which Probe reports as
missing-tool.
"""

import os
import platform
import resource
import sys
import threading
import time
from concurrent import futures

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402

import backend_pb2 as pb  # noqa: E402
import backend_pb2_grpc  # noqa: E402
import controller_pb2  # noqa: E402
import controller_pb2_grpc  # noqa: E402
import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402
import status_pb2  # noqa: E402

# go-plugin handshake (backends/plugin.Handshake).
COOKIE_KEY = "TRACEBENCH_BACKEND_PLUGIN"
COOKIE_VALUE = "tracebench-backend-v1"
APP_PROTOCOL_VERSION = 1

# The events' static tracepoints (backends/tracepoints.go).
TRACEPOINTS = {
    "getppid": ("syscalls", "sys_enter_getppid"),
    "openat": ("syscalls", "sys_enter_openat"),
    "exec": ("sched", "sched_process_exec"),
    "connect": ("syscalls", "sys_enter_connect"),
}

# The kernel functions a kprobe observes per event; BCC resolves the
# syscall prefix of this kernel and architecture (__x64_sys_, __arm64_sys_).
SYSCALLS = {"getppid": "getppid", "openat": "openat", "connect": "connect"}
KPROBE_FUNCTIONS = {"exec": ["begin_new_exec"]}

# One per-CPU counter, incremented for tasks of the workload's cgroup only.
PROGRAM = """
BPF_PERCPU_ARRAY(seen, u64, 1);
int count(void *ctx) {
    if (bpf_get_current_cgroup_id() != CGROUP_ID)
        return 0;
    int zero = 0;
    u64 *n = seen.lookup(&zero);
    if (n)
        (*n)++;
    return 0;
}
"""


class Unsupported(Exception):
    """The kernel or the system cannot do what was asked: a classified reason."""

    def __init__(self, klass, detail):
        super().__init__("%s: %s" % (klass, detail))
        self.klass, self.detail = klass, detail


# The harness names the running kernel's headers here when they are not
# where the system keeps them (a guest's kernel: harness.KernelHeadersEnv).
HEADERS_ENV = "TRACEBENCH_KERNEL_HEADERS"


def headers_dir():
    """The running kernel's headers, where BCC looks for them, or None.

    A headers tree the harness names (a kernel source tree's layout) is
    handed to BCC as BCC_KERNEL_SOURCE, which BCC reads instead of
    /lib/modules/<release>."""
    given = os.environ.get(HEADERS_ENV) or os.environ.get("BCC_KERNEL_SOURCE")
    if given:
        if not os.path.isdir(os.path.join(given, "include")):
            return None
        os.environ["BCC_KERNEL_SOURCE"] = given
        return given
    release = platform.release()
    for d in ("/lib/modules/%s/build" % release, "/lib/modules/%s/source" % release):
        if os.path.isdir(d):
            return d
    if os.path.exists("/sys/kernel/kheaders.tar.xz"):
        return "/sys/kernel/kheaders.tar.xz"
    return None


def load_bcc():
    """Imports BCC, or says why it cannot be used here."""
    try:
        import bcc
    except ImportError as e:
        raise Unsupported("missing-tool", "BCC's Python module is not installed (python3-bpfcc): %s" % e)
    if headers_dir() is None:
        release = platform.release()
        raise Unsupported(
            "missing-tool",
            "BCC compiles against the running kernel's headers and there are none for %s "
            "(no /lib/modules/%s/build from linux-headers-%s, no CONFIG_IKHEADERS /sys/kernel/kheaders.tar.xz, "
            "no kernel source tree named in %s or BCC_KERNEL_SOURCE)"
            % (release, release, release, HEADERS_ENV),
        )
    return bcc


def cgroup_id(path):
    """The cgroup v2 id of the cgroup directory path: its inode number."""
    return os.stat(path).st_ino


def own_cgroup():
    """The calling process's cgroup v2 directory, for trial attaches."""
    root = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            if fields[sep + 1] == "cgroup2":
                root = fields[4]
                break
    if root is None:
        raise Unsupported("missing-config", "no cgroup2 mount: BCC's filter needs the workload's cgroup v2")
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return (root + line[3:].strip()).rstrip("/")
    raise Unsupported("missing-config", "this process has no cgroup v2")


def cpu_seconds(who):
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime


class Probe:
    """One event's program: compiled and loaded, attached or not."""

    def __init__(self, kind, event, cgroup_path):
        bcc = load_bcc()
        if event not in TRACEPOINTS:
            raise Unsupported("not-applicable", "no probe point for %s" % event)
        self.kind, self.event = kind, event
        start, cpu0 = time.monotonic(), cpu_seconds(resource.RUSAGE_SELF)
        try:
            self.bpf = bcc.BPF(text=PROGRAM.replace("CGROUP_ID", "%dULL" % cgroup_id(cgroup_path)))
        except Exception as e:
            raise Unsupported("failed", "BCC could not compile and load the program: %s" % e)
        self.compile_ns = int((time.monotonic() - start) * 1e9)
        self.compile_cpu_ns = int((cpu_seconds(resource.RUSAGE_SELF) - cpu0) * 1e9)
        self.point = self.resolve(bcc)
        self.attached = False

    def resolve(self, bcc):
        if self.kind == "tracepoint":
            return "%s:%s" % TRACEPOINTS[self.event]
        if not (os.path.exists("/sys/bus/event_source/devices/kprobe/type") or os.path.exists("/sys/kernel/tracing/kprobe_events")):
            raise Unsupported("missing-config", "the kernel has no kprobes (CONFIG_KPROBES unset)")
        if self.event in SYSCALLS:
            return self.bpf.get_syscall_fnname(SYSCALLS[self.event]).decode()
        for fn in KPROBE_FUNCTIONS.get(self.event, []):
            if bcc.BPF.ksymname(fn) != -1:
                return fn
        raise Unsupported("missing-symbol", "no kernel function for %s" % self.event)

    def attach(self):
        if self.kind == "tracepoint":
            self.bpf.attach_tracepoint(tp=self.point, fn_name=b"count")
        else:
            self.bpf.attach_kprobe(event=self.point, fn_name=b"count")
        self.attached = True

    def detach(self):
        if not self.attached:
            return
        if self.kind == "tracepoint":
            self.bpf.detach_tracepoint(tp=self.point)
        else:
            self.bpf.detach_kprobe(event=self.point)
        self.attached = False

    def seen(self):
        return sum(self.bpf["seen"][0])

    def close(self):
        self.detach()
        self.bpf.cleanup()


class Backend(backend_pb2_grpc.BackendServicer):
    def __init__(self, kind):
        self.kind = kind
        self.name = "bcc/" + kind
        self.probes = []
        self.lock = threading.Lock()

    def Describe(self, request, context):
        d = pb.Description(name=self.name, summary="BCC (Python) %ss, compiled against the kernel's headers at start" % self.kind, modes=["count"])
        for ev in ("getppid", "openat", "exec", "connect"):
            if self.kind == "tracepoint":
                cands = ["%s:%s" % TRACEPOINTS[ev]]
            else:
                cands = [SYSCALLS[ev]] if ev in SYSCALLS else KPROBE_FUNCTIONS[ev]
            d.probes.add(event=ev, candidates=cands)
        return d

    def Probe(self, request, context):
        reply = pb.ProbeReply()
        for mode in request.modes:
            for ev in request.events:
                s = reply.support.add(event=ev, mode=mode)
                try:
                    if mode != "count":
                        raise Unsupported("not-applicable", "%s has no mode %r" % (self.name, mode))
                    p = Probe(self.kind, ev, own_cgroup())
                    try:
                        p.attach()
                        p.detach()
                    finally:
                        p.close()
                    s.supported, s.probe_point = True, p.point
                except Unsupported as u:
                    s.reason.CopyFrom(pb.Reason(detail=u.detail, **{"class": u.klass}))
                except Exception as e:
                    s.reason.CopyFrom(pb.Reason(detail=str(e), **{"class": "failed"}))
        return reply

    def Plan(self, request, context):
        # Programs and perf-event attachments die with the process.
        return pb.PlanReply()

    def Setup(self, request, context):
        with self.lock:
            if request.mode != "count":
                return abort(context, Unsupported("not-applicable", "%s has no mode %r" % (self.name, request.mode)))
            if not request.filter.cgroup_path:
                return abort(context, ValueError("setup: bcc needs the workload's cgroup path (filter.cgroup_path)"))
            start = time.monotonic()
            try:
                for ev in request.events:
                    self.probes.append(Probe(self.kind, ev, request.filter.cgroup_path))
            except Exception as e:
                self.close()
                return abort(context, e)
            reply = pb.SetupReply(setup_ns=int((time.monotonic() - start) * 1e9))
            for p in self.probes:
                reply.probe_points[p.event] = p.point
            first = self.probes[0]
            reply.facts["attach"] = "in-process"
            reply.facts["startup_ns"] = str(first.compile_ns)
            reply.facts["startup_cpu_ns"] = str(first.compile_cpu_ns)
            reply.facts["peak_rss_kb"] = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            return reply

    def Attach(self, request, context):
        with self.lock:
            start = time.monotonic_ns()
            try:
                for p in self.probes:
                    p.attach()
            except Exception as e:
                for p in self.probes:
                    p.detach()
                return abort(context, Unsupported("failed", "attach: %s" % e))
            return pb.Timing(ns=time.monotonic_ns() - start)

    def Detach(self, request, context):
        with self.lock:
            start = time.monotonic_ns()
            for p in self.probes:
                p.detach()
            return pb.Timing(ns=time.monotonic_ns() - start)

    def Counters(self, request, context):
        with self.lock:
            reply = pb.CountersReply()
            for p in self.probes:
                reply.counters.add(event=p.event, seen=p.seen())
            return reply

    def Teardown(self, request, context):
        with self.lock:
            self.close()
            return pb.Empty()

    def close(self):
        for p in self.probes:
            p.close()
        self.probes = []

    def Usage(self, request, context):
        self_, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return pb.UsageReply(
            user_ns=int((self_.ru_utime + children.ru_utime) * 1e9),
            system_ns=int((self_.ru_stime + children.ru_stime) * 1e9),
            max_rss_kb=max(self_.ru_maxrss, children.ru_maxrss),
        )


def abort(context, err):
    """Ends the call with err: an Unsupported travels as FAILED_PRECONDITION
    with the Reason in the status details, as backends/plugin expects."""
    if isinstance(err, Unsupported):
        reason = pb.Reason(detail=err.detail, **{"class": err.klass})
        st = status_pb2.Status(code=grpc.StatusCode.FAILED_PRECONDITION.value[0], message=str(err))
        st.details.add(type_url="type.googleapis.com/tracebench.backend.v1.Reason", value=reason.SerializeToString())
        context.set_trailing_metadata((("grpc-status-details-bin", st.SerializeToString()),))
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(err))
    context.abort(grpc.StatusCode.UNKNOWN, str(err))


class Health(health_pb2_grpc.HealthServicer):
    def Check(self, request, context):
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


class Controller(controller_pb2_grpc.GRPCControllerServicer):
    def __init__(self, stopped):
        self.stopped = stopped

    def Shutdown(self, request, context):
        self.stopped.set()
        return controller_pb2.Empty()


def serve(kind):
    """Serves the bcc/<kind> backend until the host shuts it down."""
    if os.environ.get(COOKIE_KEY) != COOKIE_VALUE:
        sys.stderr.write("This is a tracebench backend plugin: tracebench runs it (tracebench run --plugins DIR).\n")
        sys.exit(1)
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(APP_PROTOCOL_VERSION)).split(",")
    if str(APP_PROTOCOL_VERSION) not in versions:
        sys.stderr.write("tracebench asks for plugin protocol versions %s; this plugin speaks %d\n" % (versions, APP_PROTOCOL_VERSION))
        sys.exit(1)
    backend = Backend(kind)
    stopped = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    backend_pb2_grpc.add_BackendServicer_to_server(backend, server)
    health_pb2_grpc.add_HealthServicer_to_server(Health(), server)
    controller_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(stopped), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write("1|%d|tcp|127.0.0.1:%d|grpc\n" % (APP_PROTOCOL_VERSION, port))
    sys.stdout.flush()
    stopped.wait()
    backend.close()
    server.stop(0)
