// Package audittest is what tests of the audit packages share: the gate for
// tests that enable audit, enabling it with a guaranteed restore, and a
// workload child that makes an exact number of getppid calls.
//
// Enabling audit slows every process created afterwards until reboot, so
// those tests run only where that does not matter: in a throwaway guest
// kernel. They run when TRACEBENCH_AUDIT_TESTS=1 and either the test binary
// is PID 1 (it is the guest's init) or TRACEBENCH_GUEST=1 says the runner
// booted a guest for it.
package audittest
