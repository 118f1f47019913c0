// Package profile is E4's per-layer analysis: for every layer of a model at a
// batch size it computes the memory (parameters, activations kept for the
// backward pass), the forward and backward FLOPs, the bytes that must move at
// least and the arithmetic intensity, then measures each layer alone as a
// compiled graph on the active backend, together with the device's two
// ceilings (a large matmul and a large copy) measured through the same backend.
//
// Its output, File, is the JSON that `alexbench profile` writes to
// results/profile/<model>-b<batch>.json; the report reads it as this same
// type (reports.Profile embeds File), so the two cannot drift.
//
// Conventions: FLOPs count 2 × multiply-adds (unlike fvcore/thop, which count
// MACs); bytes are of float32; every per-layer number is for one whole batch.
package profile
