// Package fastcpu makes GoMLX's pure-Go SimpleGo backend train at BLAS speed.
//
// SimpleGo v0.26.0 runs matrix products at 6–13 GFLOP/s on the cores where
// OpenBLAS reaches 190–370, and alexbench's convolutions on SimpleGo were
// im2col patch matrices built from dozens of strided-slice and concatenate
// graph ops. This package replaces two of SimpleGo's node executors:
//
//   - DotGeneral: one cblas_sgemm/cblas_dgemm per batch element when the
//     operands are plain row-major matrices (batch axes first, cross and
//     contracting axes each contiguous), as every matmul alexbench builds is;
//   - ConvGeneral (2-D, no feature or batch groups): an im2col or col2im in one
//     pass over memory plus one GEMM, whichever moves fewer elements. That
//     covers the forward convolution and both of its gradients, which
//     models/nn writes as convolutions (input dilation for the input
//     gradient, kernel dilation for the weight gradient).
//
// Every other case, dtype or op falls through to SimpleGo's own executor.
//
// SimpleGo keeps its executor table unexported; the executors are installed
// through //go:linkname into backends/simplego, which Go permits for
// non-standard-library packages. Because that reaches into the internals of
// one pinned GoMLX version, Install first checks with reflect that every
// struct it reads (Node, Buffer, the DotGeneral and ConvGeneral node data)
// has exactly the fields, offsets and sizes this package mirrors, and refuses
// to install otherwise; Status says why.
//
// OpenBLAS is opened at run time with dlopen (libopenblas.so.0, or the file
// named by ALEXBENCH_BLAS), so the binary builds and runs on a machine without
// it, only slower. ALEXBENCH_FASTCPU=0 turns the whole package off, for
// side-by-side comparisons; so does building without cgo or with the
// nofastcpu build tag.
package fastcpu
