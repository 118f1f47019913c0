package fastcpu

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"alexbench/internal/switches"

	"github.com/gomlx/gomlx/backends"
)

// EnvSwitch turns the package off when set to "0" (or "off"), for
// side-by-side comparisons with SimpleGo's own kernels.
const EnvSwitch = switches.FastCPUVar

var (
	installOnce sync.Once
	installed   bool
	statusLine  string

	// SimpleGo's own executors, the fallback for every case ours don't take.
	origDot, origConv, origSlice executor

	// The dynamic type words of SimpleGo's node data, taken from the probe
	// graph: an executor only reinterprets node.data when its type matches.
	dotDataType, convDataType, sliceDataType, reduceWindowDataType, gatherDataType, constDataType unsafe.Pointer

	// bypass sends every node to SimpleGo's own executor: the tests' reference.
	bypass atomic.Bool
	// fastRuns counts nodes our executors computed, so tests can tell the
	// fast path from a silent fallback.
	fastRuns atomic.Int64
)

// init installs at program start, before any graph runs: SimpleGo reads its
// executor table on every node, unguarded, so it must not change under a
// running graph.
func init() { Install() }

// Install puts the BLAS-backed executors into SimpleGo's table, once per
// process; it must run before any SimpleGo graph is compiled (harness/backend
// calls it when it opens SimpleGo). It reports whether they are installed.
func Install() bool {
	installOnce.Do(func() {
		installed, statusLine = install()
	})
	return installed
}

// Status is one line for the backend description: what is installed, or why not.
func Status() string {
	Install()
	return statusLine
}

// Bypass sends every node to SimpleGo's own executors while on is true (the
// executors stay installed): for side-by-side checks of whole models.
func Bypass(on bool) { bypass.Store(on) }

// Installed reports whether the fast executors are in use.
func Installed() bool { return Install() }

// convKernels opens oneDNN unless DNNLEnv turns it off, and names the
// convolution kernels in use.
func convKernels() string {
	const blas = "OpenBLAS im2col/col2im"
	if dnnlDisabled() {
		return fmt.Sprintf("%s (oneDNN off: %s=%s)", blas, DNNLEnv, dnnlMode)
	}
	desc, err := openDNNL()
	if err != nil {
		return fmt.Sprintf("%s (%v)", blas, err)
	}
	dnnlOpened = true
	return fmt.Sprintf("%s convolutions (float32, shapes where it measured faster), else %s", desc, blas)
}

func install() (bool, string) {
	if sw.Off() {
		return false, fmt.Sprintf("fastcpu off (%s=%s): SimpleGo's own kernels", EnvSwitch, sw.Enabled)
	}
	if !builtWithBLAS {
		_, err := openBLAS()
		return false, "fastcpu off: " + err.Error()
	}
	if err := checkLayouts(); err != nil {
		return false, fmt.Sprintf("fastcpu off: GoMLX's SimpleGo internals differ from v0.26.0's (%v): SimpleGo's own kernels", err)
	}
	desc, err := openBLAS()
	if err != nil {
		return false, "fastcpu off: " + err.Error() + ": SimpleGo's own kernels (slower)"
	}
	desc += blasBuild()
	origDot = sgNodeExecutors[backends.OpTypeDotGeneral]
	origConv = sgNodeExecutors[backends.OpTypeConvGeneral]
	origSlice = sgNodeExecutors[backends.OpTypeSlice]
	origReduceWindow = sgNodeExecutors[backends.OpTypeReduceWindow]
	origGather = sgNodeExecutors[backends.OpTypeGather]
	origLogistic = sgNodeExecutors[backends.OpTypeLogistic]
	if origDot == nil || origConv == nil || origSlice == nil || origReduceWindow == nil || origGather == nil || origLogistic == nil {
		return false, "fastcpu off: SimpleGo has no DotGeneral/ConvGeneral/Slice/ReduceWindow/Gather/Logistic executor to fall back on"
	}
	sgSetNodeExecutor(backends.OpTypeDotGeneral, priorityUser, execDot)
	sgSetNodeExecutor(backends.OpTypeConvGeneral, priorityUser, execConv)
	sgSetNodeExecutor(backends.OpTypeSlice, priorityUser, execSlice)
	for op, kind := range map[backends.OpType]binaryKind{
		backends.OpTypeAdd: opAdd, backends.OpTypeSub: opSub, backends.OpTypeMul: opMul, backends.OpTypeDiv: opDiv,
		backends.OpTypeMax: opMax,
	} {
		origBinary[op] = sgNodeExecutors[op]
		sgSetNodeExecutor(op, priorityUser, binaryExecutor(op, kind))
	}
	for _, op := range []backends.OpType{backends.OpTypeReduceSum, backends.OpTypeReduceMax} {
		origReduce[op] = sgNodeExecutors[op]
		sgSetNodeExecutor(op, priorityUser, reduceExecutor(op))
	}
	for op, kind := range compareOps {
		origCompare[op] = sgNodeExecutors[op]
		sgSetNodeExecutor(op, priorityUser, compareExecutor(op, kind))
	}
	origWhere = sgNodeExecutors[backends.OpTypeWhere]
	sgSetNodeExecutor(backends.OpTypeWhere, priorityUser, execWhere)
	origBroadcastInDim = sgNodeExecutors[backends.OpTypeBroadcastInDim]
	sgSetNodeExecutor(backends.OpTypeBroadcastInDim, priorityUser, execBroadcastInDim)
	sgSetNodeExecutor(backends.OpTypeReduceWindow, priorityUser, execReduceWindow)
	sgSetNodeExecutor(backends.OpTypeGather, priorityUser, execGather)
	sgSetNodeExecutor(backends.OpTypeLogistic, priorityUser, execLogistic)
	// SimpleGo has no SelectAndScatterMax: only Wrap's builder makes its nodes.
	sgSetNodeExecutor(backends.OpTypeSelectAndScatterMax, priorityUser, execSelectAndScatterMax)
	wrapForProfile()
	return true, "fastcpu: DotGeneral on " + desc + "; ConvGeneral on " + convKernels() + "; " + cKernels() + "pools, slices, broadcasts, comparisons, reductions and gathers by runs; ReLU and sigmoid fused with their bias adds and gradients, tiled average pools in one node each way (with Wrap)"
}

// cKernels names the hand-written C loops this build and CPU run, so that a
// run's summary says which kernels gave its timings (each falls back to the
// Go or im2col path where it is absent).
func cKernels() string {
	s := ""
	if cMaxPools != "" {
		s = cMaxPools + "; "
	}
	switch {
	case hasDirect1ch && hasDirect1chWGrad:
		s += "one-input-channel convolutions of up to 25 taps and 4 to 8 output channels (LeNet's conv1) forward and weight gradient by direct AVX-512 loops; "
	case hasDirect1ch:
		s += "one-input-channel convolutions of up to 25 taps and 4 to 8 output channels (LeNet's conv1) forward by a direct AVX-512 loop; "
	}
	return s
}

// dataPointer returns node.data's pointer when its dynamic type is want.
func dataPointer(data *any, want unsafe.Pointer) unsafe.Pointer {
	words := (*[2]unsafe.Pointer)(unsafe.Pointer(data))
	if words[0] != want {
		return nil
	}
	return words[1]
}

// typeWord is the dynamic type word of an interface value.
func typeWord(data *any) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(data))[0]
}

// DebugEnv, when set to 1, prints each distinct node the fast executors hand
// back to SimpleGo's own (op, shapes), once: where a model still runs slowly.
const DebugEnv = switches.DebugVar

var (
	debugOn   = sw.Debug
	debugSeen sync.Map
)

func debugFallback(node *sgNode, inputs []*sgBuffer) {
	if !debugOn {
		return
	}
	key := fmt.Sprint(node.opType, node.shape)
	for _, in := range inputs {
		if in != nil {
			key += " " + in.shape.String()
		}
	}
	if _, seen := debugSeen.LoadOrStore(key, true); !seen {
		fmt.Fprintf(os.Stderr, "fastcpu: SimpleGo's own executor for %s\n", key)
	}
}
