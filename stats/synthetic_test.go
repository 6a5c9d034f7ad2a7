package stats

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// population is a synthetic distribution of chunk timings in ns per
// operation, shaped like what the harness sees around a getppid-like 1 µs.
// Its median is known from its CDF, not from samples.
type population struct {
	name string
	// spread is a typical deviation from the median, used to size shifts
	// that a given sample size can or cannot detect.
	spread float64
	draw   func(r *rand.Rand) float64
	cdf    func(x float64) float64
}

func phi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

var populations = []population{
	{
		name: "normal", spread: 20,
		draw: func(r *rand.Rand) float64 { return 1000 + 20*r.NormFloat64() },
		cdf:  func(x float64) float64 { return phi((x - 1000) / 20) },
	},
	{
		// Strongly right-skewed.
		name: "lognormal", spread: 400,
		draw: func(r *rand.Rand) float64 { return 1000 * math.Exp(0.5*r.NormFloat64()) },
		cdf: func(x float64) float64 {
			if x <= 0 {
				return 0
			}
			return phi(math.Log(x/1000) / 0.5)
		},
	},
	{
		// Pareto tail of index 1.2 (infinite variance) above 1000 ns.
		name: "pareto", spread: 30,
		draw: func(r *rand.Rand) float64 { return 980 + 20*math.Pow(1-r.Float64(), -1/1.2) },
		cdf: func(x float64) float64 {
			if x <= 1000 {
				return 0
			}
			return 1 - math.Pow((x-980)/20, -1.2)
		},
	},
	{
		// 5% of chunks hit by an interrupt costing 5 µs on average
		// (exponential): a normal plus, sometimes, an exponentially
		// modified Gaussian.
		name: "interrupted", spread: 20,
		draw: func(r *rand.Rand) float64 {
			x := 1000 + 20*r.NormFloat64()
			if r.Float64() < 0.05 {
				x += 5000 * r.ExpFloat64()
			}
			return x
		},
		cdf: func(x float64) float64 {
			const mu, sigma, theta = 1000, 20, 5000
			a := (x - mu) / sigma
			emg := phi(a) - math.Exp(-(x-mu)/theta+sigma*sigma/(2*theta*theta))*phi(a-sigma/theta)
			return 0.95*phi(a) + 0.05*emg
		},
	},
}

// median solves cdf(m) = 0.5 by bisection.
func (p population) median() float64 {
	lo, hi := 0.0, 1e6
	for range 200 {
		mid := (lo + hi) / 2
		if p.cdf(mid) < 0.5 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// sample returns n values of p, each scaled by mul and shifted by add.
func (p population) sample(r *rand.Rand, n int, mul, add float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = mul*p.draw(r) + add
	}
	return xs
}

// seeded returns the random stream of one trial, so every test is
// reproducible.
func seeded(trial int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(trial), salt))
}

// TestPopulations checks the fixtures themselves: each generator draws
// from the distribution its CDF describes, so the "true" medians the
// coverage tests rely on are right. With 10⁵ draws the sample median is
// within 4 standard errors of the CDF's median, and the empirical CDF is
// within 0.01 of the CDF at five points (Kolmogorov–Smirnov scale).
func TestPopulations(t *testing.T) {
	const n = 100_000
	for _, p := range populations {
		t.Run(p.name, func(t *testing.T) {
			xs := p.sample(seeded(0, 1), n, 1, 0)
			sort.Float64s(xs)
			m := p.median()
			if got := p.cdf(m); math.Abs(got-0.5) > 1e-9 {
				t.Fatalf("cdf(median %v) = %v, want 0.5", m, got)
			}
			// The median's standard error is 1/(2 f(m) √n); estimate
			// the density f(m) from the CDF.
			const h = 1e-3
			f := (p.cdf(m+h) - p.cdf(m-h)) / (2 * h)
			se := 1 / (2 * f * math.Sqrt(n))
			if got := xs[n/2]; math.Abs(got-m) > 4*se {
				t.Errorf("sample median %v, CDF median %v (standard error %v)", got, m, se)
			}
			for _, q := range []float64{0.1, 0.25, 0.5, 0.75, 0.9} {
				x := xs[int(q*n)]
				if got := p.cdf(x); math.Abs(got-q) > 0.01 {
					t.Errorf("cdf(sample %v-quantile %v) = %v", q, x, got)
				}
			}
		})
	}
}
