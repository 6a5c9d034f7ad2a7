// Package bpf holds tracebench's eBPF programs: C sources (CO-RE, one file
// per backend family) and the Go bindings and objects bpf2go generates from
// them for amd64 and arm64. The generated files are committed so users need
// no clang; `make generate` rebuilds them and `make check-generate` fails
// when they are stale.
package bpf

//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 -type counter Tracepoint tracepoint.c -- -I./include
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 RawTP rawtp.c -- -I./include
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 TPBTF tpbtf.c -- -I./include
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 Kprobe kprobe.c -- -I./include
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 Fentry fentry.c -- -I./include
//go:generate go tool bpf2go -cc clang -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 PerfEvent perfevent.c -- -I./include
