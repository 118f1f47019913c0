// Package models is the architecture registry: d2l's LeNet-5 and AlexNet with
// their ablation knobs, and 28×28 models for E2.2. A model is a list of
// nn.Layers, so the same values build the graph, print the summary and drive the
// per-layer profile. It knows nothing about files or TOML.
package models
