package hedge

import (
	"slices"
	"sync"
	"time"
)

// DefaultWarmup is how many samples an Estimator needs before Quantile
// reports an estimate.
const DefaultWarmup = 20

// Estimator is a streaming quantile estimate of latency (the P² algorithm,
// Jain & Chlamtac 1985): five markers track the quantile in constant memory
// and constant time per sample, without storing samples. It is safe for
// concurrent use and allocates nothing per sample.
//
// P² summarises every sample since creation; for a dependency whose latency
// drifts, replace the Estimator periodically (e.g. a fresh one per hour).
type Estimator struct {
	mu     sync.Mutex
	p      float64
	warmup int
	count  int
	q      [5]float64 // marker heights (nanoseconds)
	n      [5]float64 // marker positions
	want   [5]float64 // desired positions
	inc    [5]float64 // desired position increments
}

// NewEstimator returns an estimator of quantile p in (0, 1), e.g. 0.95.
// Values outside take 0.95.
func NewEstimator(p float64) *Estimator {
	if !(p > 0 && p < 1) {
		p = 0.95
	}
	e := &Estimator{p: p, warmup: DefaultWarmup}
	e.n = [5]float64{0, 1, 2, 3, 4}
	e.want = [5]float64{0, 2 * p, 4 * p, 2 + 2*p, 4}
	e.inc = [5]float64{0, p / 2, p, (1 + p) / 2, 1}
	return e
}

// Observe adds one latency sample.
func (e *Estimator) Observe(d time.Duration) {
	x := float64(d)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count < 5 {
		e.q[e.count] = x
		e.count++
		if e.count == 5 {
			slices.Sort(e.q[:])
		}
		return
	}
	e.count++
	var k int
	switch {
	case x < e.q[0]:
		e.q[0], k = x, 0
	case x >= e.q[4]:
		e.q[4], k = x, 3
	default:
		for k = 0; k < 3 && x >= e.q[k+1]; k++ {
		}
	}
	for i := k + 1; i < 5; i++ {
		e.n[i]++
	}
	for i := range e.want {
		e.want[i] += e.inc[i]
	}
	for i := 1; i <= 3; i++ {
		d := e.want[i] - e.n[i]
		if (d >= 1 && e.n[i+1]-e.n[i] > 1) || (d <= -1 && e.n[i-1]-e.n[i] < -1) {
			s := 1.0
			if d < 0 {
				s = -1
			}
			h := e.parabolic(i, s)
			if !(e.q[i-1] < h && h < e.q[i+1]) {
				j := i + int(s)
				h = e.q[i] + s*(e.q[j]-e.q[i])/(e.n[j]-e.n[i])
			}
			e.q[i] = h
			e.n[i] += s
		}
	}
}

func (e *Estimator) parabolic(i int, s float64) float64 {
	q, n := &e.q, &e.n
	return q[i] + s/(n[i+1]-n[i-1])*((n[i]-n[i-1]+s)*(q[i+1]-q[i])/(n[i+1]-n[i])+
		(n[i+1]-n[i]-s)*(q[i]-q[i-1])/(n[i]-n[i-1]))
}

// Quantile returns the current estimate, and false until enough samples
// (DefaultWarmup) have been observed.
func (e *Estimator) Quantile() (time.Duration, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count < e.warmup || e.count < 5 {
		return 0, false
	}
	return time.Duration(e.q[2]), true
}

// Count returns how many samples were observed.
func (e *Estimator) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}
