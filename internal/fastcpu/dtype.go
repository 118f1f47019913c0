package fastcpu

import "github.com/gomlx/gomlx/pkg/core/dtypes"

func dtypeOf[T float32 | float64](T) dtypes.DType {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return dtypes.Float32
	}
	return dtypes.Float64
}

// isFloat tells whether the executors here take dtype (float32, float64).
func isFloat(dtype dtypes.DType) bool { return dtype == dtypes.Float32 || dtype == dtypes.Float64 }
