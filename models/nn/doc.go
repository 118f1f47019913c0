// Package nn has the layers every model is built from (Conv2D, MaxPool2D,
// AvgPool2D, Dense, Dropout, BatchNorm, activations). Each layer uses GoMLX's
// native op where the backend can differentiate it (XLA) and otherwise a
// formulation from ops the backend has (SimpleGo: im2col via Gather+DotGeneral,
// pooling via Gather+ReduceMax), shaped for that backend's fast paths.
package nn
