// Package verifier asks a kernel's eBPF verifier about each program of an
// object file, one program at a time, and reports what it said: accepted,
// with the number of instructions it processed and the load time, or
// refused, with the lines of its log that explain why and a classified
// reason. The same object can be accepted by one kernel and refused by
// another, or accepted from one compiler's output and refused from
// another's: CO-RE makes field offsets portable, not code shapes.
//
// The host side (Run) builds objects with several compilers (package
// toolchain), loads them on the host and, through `tracebench verify-guest`
// as a guest's /init, on every kernel of the matrix, and writes the matrix
// (results.VerifierRun).
package verifier
