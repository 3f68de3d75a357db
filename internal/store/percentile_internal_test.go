package store

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPercentilesSelectAsSorting: the p50 and p90 found by selection are
// the values at their nearest ranks in the sorted list, for lists short and
// long, sorted either way, with many equal values or none, and every
// selectNth leaves vs[k] where a sort would put it.
func TestPercentilesSelectAsSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := map[string]func(n int) []int64{
		"random": func(n int) []int64 {
			vs := make([]int64, n)
			for i := range vs {
				vs[i] = r.Int64N(1_000_000)
			}
			return vs
		},
		"few values": func(n int) []int64 {
			vs := make([]int64, n)
			for i := range vs {
				vs[i] = r.Int64N(3)
			}
			return vs
		},
		"ascending":  func(n int) []int64 { return seq(n, 1) },
		"descending": func(n int) []int64 { return seq(n, -1) },
		"organ pipe": func(n int) []int64 {
			vs := seq(n, 1)
			for i := n / 2; i < n; i++ {
				vs[i] = int64(n - i)
			}
			return vs
		},
	}
	for name, g := range gen {
		for _, n := range []int{1, 2, 3, 9, 10, 11, 17, 100, 101, 1000, 65_537} {
			vs := g(n)
			sorted := slices.Sorted(slices.Values(vs))
			p50, p90 := percentiles(slices.Clone(vs))
			// Nearest rank: the value at rank ceil(p*n/100), from 1.
			want50, want90 := sorted[(50*n+99)/100-1], sorted[(90*n+99)/100-1]
			if *p50 != want50 || *p90 != want90 {
				t.Errorf("%s, n=%d: p50 %d p90 %d, want %d %d", name, n, *p50, *p90, want50, want90)
			}
			for _, k := range []int{0, n / 3, n - 1} {
				c := slices.Clone(vs)
				selectNth(c, k)
				if c[k] != sorted[k] || slices.Max(c[:k+1]) != c[k] || slices.Min(c[k:]) != c[k] {
					t.Errorf("%s, n=%d: selectNth(%d) gives %d, want %d with none greater before nor smaller after", name, n, k, c[k], sorted[k])
				}
			}
		}
	}
	if p50, p90 := percentiles(nil); p50 != nil || p90 != nil {
		t.Errorf("no values: %v %v, want nil", p50, p90)
	}
}

func seq(n int, step int64) []int64 {
	vs := make([]int64, n)
	for i := range vs {
		vs[i] = int64(i) * step
	}
	return vs
}
