// Package fastcpu makes GoMLX's pure-Go SimpleGo backend train at BLAS speed.
//
// SimpleGo v0.26.0 runs matrix products at 6–13 GFLOP/s on the cores where
// OpenBLAS reaches 190–370, walks every elementwise op through a generic
// per-element iterator, and has no max-pooling gradient at all, so
// alexbench's models on it were dozens of graph ops per layer. This package
// replaces SimpleGo's node executors for the cases alexbench's models build:
//
//   - DotGeneral: one cblas_sgemm/cblas_dgemm per batch element when the
//     operands are plain row-major matrices (batch axes first, cross and
//     contracting axes each contiguous), as every matmul alexbench builds is;
//   - ConvGeneral (2-D, no feature or batch groups), float32: a oneDNN
//     primitive in oneDNN's blocked layouts (forward, backward data or
//     backward weights: dnnlconv.go) where a measured per-shape rule says it
//     wins: every convolution of the models with several input channels,
//     and AlexNet's strided one-channel conv1;
//   - ConvGeneral otherwise: an im2col or col2im in one
//     pass over memory plus one GEMM, whichever moves fewer elements. That
//     covers the forward convolution and both of its gradients, which
//     models/nn writes as convolutions (input dilation for the input
//     gradient, kernel dilation for the weight gradient). A channels-last
//     weight gradient is the forward patches' transpose times dy
//     (weightgrad.go), and a one-channel same-width convolution fills its
//     patches by shifted copies of each image;
//   - ReduceWindow (max and sum pools over the spatial axes of [B,H,W,C]),
//     and SelectAndScatterMax, max pooling's gradient, which SimpleGo lacks:
//     Wrap adds it to SimpleGo's builder (pool.go);
//   - Slice, broadcasting Add/Sub/Mul/Div/Max, the comparisons, Where,
//     BroadcastInDim, reductions over any axes and row Gathers (a training
//     step's batch), by contiguous runs and branch-free;
//   - Logistic, one vectorized pass (GCC's, AVX-512/AVX2 picked at load
//     time: vecmath_cgo.go) instead of a float64 math.Exp per element;
//   - fusions Wrap's builder makes as GoMLX builds the graph, one pass each:
//     Max(Add(x, bias), 0) and ReLU's gradient (fuse.go), Logistic(Add(x,
//     bias)) and sigmoid's gradient v·y·(1−y) (fuse_sigmoid.go), and the
//     tiled average pool models/nn writes (reshape, sum, scale) and its
//     gradient (scale, reshape, broadcast) as one node each way
//     (fuse_pool.go, avgpool.go).
//
// Every other case, dtype or op falls through to SimpleGo's own executor.
// The kernels split their work over the cores in fixed shares, so a result
// never depends on timing (the same seed trains the same).
//
// SimpleGo keeps its executor table unexported; the executors are installed
// through //go:linkname into backends/simplego, which Go permits for
// non-standard-library packages. Because that reaches into the internals of
// one pinned GoMLX version, Install first checks with reflect that every
// struct it reads (Node, Buffer, the node data of DotGeneral, ConvGeneral,
// Slice, ReduceWindow, Gather and Constant) has exactly the fields, offsets
// and sizes this package mirrors, and refuses to install otherwise; Status
// says why. harness/backend opens SimpleGo through Wrap; a SimpleGo backend
// opened without it still gets every executor but max pooling's gradient
// and the fusions (models/nn then pools with slices).
//
// OpenBLAS is opened at run time with dlopen (libopenblas.so.0, or the file
// the BLAS switch names), so the binary builds and runs on a machine without
// it, only slower; so is oneDNN 2.x (libdnnl.so.2, or the file the DNNL
// switch names), through a C shim that declares the little of its API it
// calls, so neither its headers nor the library are needed to build. Without
// it the convolutions stay on OpenBLAS, and Status says so. The package's
// environment switches are read once, by internal/switches (whose doc names
// each variable), into sw: EnvSwitch=0 turns the whole package off, for
// side-by-side comparisons (so does building without cgo or with the
// nofastcpu build tag); DNNLEnv=0 keeps the convolutions off oneDNN, =1 puts
// every float32 convolution it takes on it; ProfileEnv=1 (or =shapes) times
// the nodes by op type (or op and shapes); DebugEnv=1 names the nodes left to
// SimpleGo; others set the workers, the patch block and OpenBLAS's threads.
package fastcpu
