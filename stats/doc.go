// Package stats turns timed chunks of a workload into an overhead figure that
// can be trusted: the added cost of a condition (a backend attached, or a new
// run) over a baseline, with a confidence interval, a significance test, and
// warnings that travel with the numbers.
//
// The harness toggles a backend on and off during one long workload run; each
// timed chunk yields one sample in ns per operation. Compare reduces the "off"
// and "on" samples to an Effect; Effect.Precise is the adaptive stop rule. The
// same maths compares two runs (tracebench compare A B), following benchstat's
// conventions: medians, the Mann–Whitney U test through
// golang.org/x/perf/benchmath.AssumeNothing, and "unresolved" instead of a
// number when the data cannot tell.
//
// # Why these statistics
//
// Chunk timings are not normal: a chunk hit by an interrupt, a context switch
// or a page fault is slower, never faster, so the distribution has a long
// right tail. The centre is therefore the median, the test is rank-based, and
// nothing is trimmed: trimming needs a threshold, changes what is estimated,
// and is unnecessary because neither the median, its order-statistic interval
// nor the U statistic is moved by how far out a tail value lies.
//
// The confidence interval of median(on) − median(off) is the distribution-free
// interval of Price and Bonett (J. Stat. Comput. Simul. 72(2), 2002; Bonett and
// Price, Psychological Methods 7(3), 2002). Each median's standard error is
// read off its exact order-statistic confidence interval (the one benchmath
// computes) as width / (2·z), where z is the normal quantile of that
// interval's actual binomial coverage; the two standard errors add in
// quadrature. It is chosen over the alternatives because:
//
//   - it estimates what is reported: the difference of medians, even when the
//     backend changes the shape of the distribution and not only its location
//     (the Hodges–Lehmann interval from the U statistic assumes a pure shift
//     and estimates the median of pairwise differences instead);
//   - it is deterministic without a seed and costs a few sorts per side, so
//     Compare takes about 1.5 ms for 10⁴ samples per side on the 2-core
//     development VM (BenchmarkCompare); a bootstrap needs thousands of
//     resamples and still depends on its random stream;
//   - its 95% interval covers the true difference in 94–95% of trials from
//     30 samples per side, for normal, skewed, infinite-variance and
//     interrupted data, and is conservative (97–99%) at 10 samples on skewed
//     data; its width is within 1% of the asymptotic optimum for medians at
//     10³ samples. The tests check all of this.
//
// The ratio median(on)/median(off), which is all that is meaningful under
// software emulation, gets the same interval on the log scale.
//
// Chunks are assumed independent. Drift over a run (frequency, thermal,
// background load) breaks that assumption; the harness defends against it by
// alternating on and off many times within one run.
package stats
