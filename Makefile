# tracebench — see README.md.
#
#   make bench      set up, measure on the host and the default kernel matrix, write the report
#   make test       set up, run every test (as root: tests use the real kernel and qemu guests)
#   make vmtest     the portability suite: every backend and event on every guest kernel
#   make generate   rebuild the eBPF objects and the plugin protocol code
#   make nobtf-kernel  build the matrix's kernel without BTF (nobtf:6.1/amd64) into the cache, once
#   make btf        write the Debian guest kernels' minimized BTF (committed, vmtests/btf)
#   make verifier-objects  build the eBPF programs with every clang (13-16), -O1/-O2, amd64/arm64
#   make verifier-matrix   load those builds on the host and every guest kernel: what each verifier says
#
# Set-up installs what is missing from Debian's packages and the Go module
# proxy; it is quick when everything is already there.

SHELL := /bin/bash
GO ?= go
BIN := bin/tracebench
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/tracebench/tracebench/harness.Version=$(VERSION)
RUN_ID := $(shell date -u +%Y%m%d-%H%M%S)
# Default measurement: every built-in backend, every event, every mode, on
# the host and every guest of the default matrix (vmtests/matrix.toml).
BENCH_TARGETS ?= all
BENCH_BACKENDS ?= all
BENCH_EVENTS ?= all
BENCH_BUDGET ?= 20s
BENCH_GUEST_BUDGET ?= 5s
BENCH_OUT ?= results/$(RUN_ID)
VMTEST_OUT ?= results/vmtest-$(RUN_ID)
VERIFY_TARGETS ?= all
VERIFY_OUT ?= results/verifier-$(RUN_ID)

# Debian packages the build, the tests and `make generate` need (chromium:
# the report test opens report.html in a headless browser; clang-13 … clang-16
# build the verifier matrix, tracebench verify --project; jq and shellcheck:
# the workflow tests run the workflows' steps and lint their scripts; auditd:
# the audit/auditd backend runs Debian's audit daemon; bpftrace … python3-grpc-tools:
# the front-end backends and the Python BCC plugin).
DEBIAN_PACKAGES := clang clang-13 clang-14 clang-15 clang-16 llvm libbpf-dev bpftool protobuf-compiler qemu-system-x86 qemu-system-arm dwarves chromium jq shellcheck auditd \
	bpftrace linux-perf trace-cmd bpfcc-tools python3-bpfcc python3-grpcio python3-grpc-tools
# The nobtf kernel: built from Debian's linux-source-6.1 (which tracebench
# fetches itself); pahole (dwarves) generates its BTF, bpftool minimizes it.
DEBIAN_PACKAGES += build-essential bc bison flex libelf-dev libssl-dev
PROTOC_GEN_GO := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
GOBIN := $(shell $(GO) env GOPATH)/bin

.PHONY: all build deps bench test vmtest verifier-objects verifier-matrix vet generate check-generate clean nobtf-kernel btf

all: build

# Static binaries: bin/tracebench for this machine, and one per guest
# architecture (a guest's /init), found next to it by `run --target`.
build:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tracebench
	for arch in amd64 arm64; do \
		GOARCH=$$arch CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/tracebench-linux-$$arch ./cmd/tracebench || exit 1; \
	done

# Service starts are denied while installing (a policy-rc.d, unless one is
# there): auditd's postinst would start the system's audit daemon, which
# enables audit until reboot and holds the daemon registration.
deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		made=; test -e /usr/sbin/policy-rc.d || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made=1; }; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; rc=$$?; \
		test -z "$$made" || rm -f /usr/sbin/policy-rc.d; \
		test $$rc = 0; \
	fi
	$(GO) mod download
	@test -x $(GOBIN)/protoc-gen-go || $(GO) install $(PROTOC_GEN_GO)
	@test -x $(GOBIN)/protoc-gen-go-grpc || $(GO) install $(PROTOC_GEN_GO_GRPC)

bench: deps build
	$(BIN) run --target $(BENCH_TARGETS) --backend $(BENCH_BACKENDS) --event $(BENCH_EVENTS) \
		--budget $(BENCH_BUDGET) --guest-budget $(BENCH_GUEST_BUDGET) --out $(BENCH_OUT)
	$(BIN) verify --project --target $(BENCH_TARGETS) --out $(BENCH_OUT) >/dev/null || \
		echo "verifier matrix: some program was refused, see $(BENCH_OUT)/verifier.txt"
	$(BIN) report $(BENCH_OUT)

vmtest: deps build
	$(BIN) vm fetch all
	$(BIN) run --target guests --backend all --event all --coverage-only --guest-budget 2s --out $(VMTEST_OUT)
	$(BIN) portability $(VMTEST_OUT)

test: deps vet check-generate
	# -p 1: test packages share the kernel (tracefs mounts, audit, cgroups);
	# run them one after another so that one cannot undo what another uses.
	$(GO) test -p 1 -count=1 -timeout 60m ./...

# The verifier matrix: tracebench's programs and the divergence fixtures
# (bpf/fixtures) built by every compiler, level and architecture, cached
# by source, compiler and flags under $TRACEBENCH_CACHE/bpf-objects.
verifier-objects: deps build
	$(BIN) verify --project --arch amd64,arm64 --build-only

# Fails if any kernel's verifier refuses one of tracebench's programs.
verifier-matrix: deps build
	$(BIN) verify --project --target $(VERIFY_TARGETS) --out $(VERIFY_OUT)

# The kernel without BTF of the matrix (nobtf:6.1/amd64): Debian's
# linux-source-6.1 with vmtests/kbuild/nobtf.config, built once (about 12
# minutes on 2 cores) and cached under $TRACEBENCH_CACHE/builds by source
# version, fragment, compiler and pahole; a cache hit takes seconds.
nobtf-kernel: deps build
	$(BIN) vm build-kernel nobtf

# Committed data: each Debian guest kernel's BTF, extracted from its cached
# image and minimized for tracebench's objects (vmtests/btf/RELEASE.btf, a
# few hundred bytes each), which hide_btf targets load through. Rerun when
# the matrix resolves new builds.
btf: build
	$(BIN) vm btf all --dir vmtests/btf

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) build ./...
	GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./...

# The Python plugins' protocol stubs (plugins/bcc/gen): protoc writes the
# messages, Debian's grpc_tools only the services (its own protoc is older
# than Debian's protobuf runtime, which refuses the messages it writes).
PY_STUBS := protoc -Iplugins/bcc/proto -Ibackends/backendpb --python_out=plugins/bcc/gen backend.proto health.proto controller.proto status.proto && \
	/usr/bin/python3 -m grpc_tools.protoc -Iplugins/bcc/proto -Ibackends/backendpb --grpc_python_out=plugins/bcc/gen backend.proto health.proto controller.proto

generate:
	PATH=$(GOBIN):$$PATH $(GO) generate ./bpf ./backends/backendpb
	$(PY_STUBS)

# The generated files are committed; fail when they differ from what the
# sources generate.
check-generate:
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	git ls-files -z | xargs -0 -I{} cp --parents {} $$tmp && \
	(cd $$tmp && PATH=$(GOBIN):$$PATH $(GO) generate ./bpf ./backends/backendpb >/dev/null && $(PY_STUBS)) && \
	for f in $$(git ls-files bpf backends/backendpb plugins/bcc/gen); do \
		cmp -s $$f $$tmp/$$f || { echo "stale generated file: $$f (run make generate)"; exit 1; }; \
	done && echo "generated files are up to date"

clean:
	rm -rf bin
