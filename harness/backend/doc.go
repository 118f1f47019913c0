// Package backend turns a backend spec ("auto", "go", "xla:cuda", "xla:cpu",
// "xla:/abs/path/plugin.so") into a GoMLX backend, and says in one line what it
// found and why it chose it.
//
// The CUDA PJRT plugin is looked for where people actually have it: the
// directories in PJRT_PLUGIN_LIBRARY_PATH, pip's jax plugin
// (site-packages/jax_plugins/xla_cuda*/xla_cuda_plugin.so) in the usual Python
// prefixes, and go-xla's installer directories. It is always loaded by absolute
// path, with auto-install off, so nothing is ever downloaded behind the user's
// back.
//
// go-xla v0.1.4 writes a hard-coded, foreign --xla_gpu_cuda_data_dir into
// XLA_FLAGS after loading a CUDA plugin whose ../nvidia directory exists;
// GOPJRT_CUDA_CHECKS=0 switches that code off, and this package sets the
// directory go-xla meant to set itself. XLA GPU clients are created with
// preallocate=false (BFC allocator growing on demand), so the memory a run uses
// is what it needs rather than 75% of the card. Extra XLA flags come from
// the XLA flags switch (ExtraFlagsEnv, read by internal/switches), checked against the flags the plugin knows before XLA
// sees them (XLA aborts the process on an unknown flag).
package backend
