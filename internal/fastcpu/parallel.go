package fastcpu

import (
	"cmp"
	"runtime"
	"sync"
)

// workers is how many goroutines one convolution uses: every core, since
// SimpleGo runs one graph node at a time here (harness/backend's
// ops_sequential) and OpenBLAS runs single-threaded inside each.
// The workers switch (sw.Workers) overrides it.
func workers() int {
	if sw.Workers > 0 {
		return sw.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// parallel runs fn(0) … fn(n-1) at once and waits for all of them.
func parallel(n int, fn func(worker int)) {
	if n <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w)
		}()
	}
	fn(0)
	wg.Wait()
}

// blockBytes is the patch block each worker fills and multiplies before the
// next: a quarter of a 1 MiB L2, so the block and the GEMM's packing of it
// stay in cache. The block switch (sw.BlockKiB) overrides it.
var blockBytes = cmp.Or(sw.BlockKiB, 256) << 10

// splitRange runs fn over [0, n) in one contiguous share per core when n is
// large enough to pay for the goroutines (elementwise ops are memory-bound;
// a second core still adds its own cache bandwidth).
func splitRange(n int, fn func(lo, hi int)) {
	nw := workers()
	if n < 1<<16 || nw == 1 {
		fn(0, n)
		return
	}
	parallel(nw, func(w int) { fn(w*n/nw, (w+1)*n/nw) })
}
