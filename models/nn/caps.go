package nn

import (
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

// hasOps tells whether g's backend implements every op in ops. Layers ask it
// for the ops their native formulation's gradient needs, so a backend that
// gains them (SimpleGo is growing) switches to the native path by itself.
func hasOps(g *Graph, ops ...backends.OpType) bool {
	caps := g.Backend().Capabilities().Operations
	for _, op := range ops {
		if !caps[op] {
			return false
		}
	}
	return true
}

// Formulation forces a layer formulation, for tests and the fallback-vs-native
// comparisons: Auto picks by backend capabilities.
type Formulation int

const (
	Auto Formulation = iota
	Native
	Fallback
)

// Force, when not Auto, overrides the capability check in every layer. It is a
// test hook: production code leaves it at Auto.
var Force = Auto

func useNative(g *Graph, ops ...backends.OpType) bool {
	switch Force {
	case Native:
		return true
	case Fallback:
		return false
	}
	return hasOps(g, ops...)
}
