package backend

import (
	"fmt"
	"strings"

	"alexbench/internal/switches"
)

// AllocatorEnv picks the XLA GPU client's memory allocator:
//
//   - "bfc" (default): XLA's best-fit-with-coalescing pool, growing on demand
//     (preallocate=false). Fastest; but the pool only grows, in doubling
//     regions, and keeps compilation's autotuning scratch, so NVML sees the
//     pool, not the live buffers.
//   - "platform": cudaMalloc/cudaFree per buffer, no pool. Slower steps, but
//     NVML then sees what is really live: use it to measure memory (E3, E4).
//   - "cuda_async": CUDA's stream-ordered allocator (cudaMallocAsync), a
//     driver-side pool that can release memory.
//
// The choice is recorded in Info.Allocator and so in every result. The
// variable is read once, with the other switches, by internal/switches.
const AllocatorEnv = switches.XLAAllocatorVar

// Allocators lists AllocatorEnv's values, the default first.
var Allocators = []string{"bfc", "platform", "cuda_async"}

// gpuAllocator gives the PJRT client create options and Info.Allocator's text
// for an AllocatorEnv value ("" is the default).
func gpuAllocator(value string) (options map[string]any, desc string, err error) {
	switch value {
	case "", "bfc":
		// jax's XLA_PYTHON_CLIENT_PREALLOCATE=false: the BFC pool grows on
		// demand instead of grabbing 75% of the card.
		return map[string]any{"preallocate": false}, "bfc, preallocate=false", nil
	case "platform":
		return map[string]any{"preallocate": false, "allocator": "platform"}, "platform (cudaMalloc/cudaFree per buffer, no pool)", nil
	case "cuda_async":
		return map[string]any{"preallocate": false, "allocator": "cuda_async"}, "cuda_async (stream-ordered driver pool), preallocate=false", nil
	}
	return nil, "", fmt.Errorf("%s: %q is not one of %s", AllocatorEnv, value, strings.Join(Allocators, ", "))
}
