// Package trainer is d2l's train_ch6 in Go: Xavier-uniform init, plain SGD, mean
// cross-entropy, running train loss/accuracy, test accuracy each epoch, and
// examples/sec that excludes evaluation. Seeded and deterministic on CPU.
package trainer
