package models

import "alexbench/models/nn"

// Layer is re-exported so callers of models need not import nn for the type.
type Layer = nn.Layer
