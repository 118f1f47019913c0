// Package data finds, verifies and loads Fashion-MNIST, and builds the
// in-graph input pipeline that turns the raw uint8 dataset into model inputs.
//
// # Files
//
// The four IDX files are looked for, in order, in the --data directory (or
// the data-folder switch, EnvVar), ./data/fashion-mnist, the Debian package's
// /usr/share/datasets/fashion-mnist, and, only when asked to (Options.Fetch),
// downloaded from the upstream release into ./data/fashion-mnist. Each file may
// be gzipped or raw (detected by its magic bytes, not its name). Content is
// verified by the SHA-256 of the decompressed IDX bytes, so Debian's re-gzipped
// copies and the upstream files both pass. Every problem with a file comes back
// as one *FileError naming the file, what was expected and what was found.
//
// # Where the work happens
//
// The trainer uploads each whole uint8 split to the device once (47 MB for the
// training images) and keeps it there. Each step it sends only an int32 index
// vector of the batch's examples; Batch gathers those examples in the graph and
// does every per-pixel step there too: conversion, /255 scaling, optional
// mean/std normalization and the bilinear resize to 224×224 for AlexNet. A
// resized AlexNet batch of 256 is 51 MB of float32 that would otherwise cross
// the host–device link every step; an index vector is 1 KB, so it is never a
// bottleneck.
//
// Shuffling stays on the host (SeededPermutation) because it is per example,
// not per pixel: it is cheap, and a host-side PCG stream makes the example
// order identical on every backend, which is what makes CPU and GPU runs with
// the same seed comparable.
//
// # Subsets
//
// A limit (train_limit, test_limit) keeps a stratified random sample of a
// split, not its first images, drawn with a fixed seed that is not the run's,
// so every run with that limit sees the same images (Split.Subset).
package data
