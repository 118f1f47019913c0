// Command alexbench trains, sweeps, profiles and reports d2l's AlexNet chapter
// on Fashion-MNIST. Run `alexbench help` for the subcommands.
package main

import (
	_ "github.com/NVIDIA/go-nvml/pkg/nvml"
	_ "github.com/go-echarts/go-echarts/v2/charts"
	_ "github.com/gomlx/gomlx/backends/simplego"
	_ "github.com/gomlx/gomlx/backends/xla"
	_ "github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	_ "alexbench/harness/config"
	_ "alexbench/models/nn"
)

func main() {}
