# alexbench — see README.md. Two commands do everything on a fresh Debian machine:
#   make ablation   every experiment matrix (full profile on a GPU, quick on CPU) + the HTML report
#   make test       the whole test suite (what CI runs)
SHELL := /bin/bash
export CGO_ENABLED := 1
# go-nvml's header marks many calls deprecated; the warnings are noise at build time.
export CGO_CFLAGS := -O2 -Wno-deprecated-declarations
GO ?= go
BIN := bin/alexbench
RESULTS ?= results
PROFILE ?= auto
REPORT ?= $(RESULTS)/report.html
MATRICES ?= $(sort $(filter-out experiments/bench.toml,$(wildcard experiments/*.toml)))

.PHONY: all build setup data blas js browser ablation run report test test-short bench bench-cpu nightly clean

all: build

build: $(BIN)
$(BIN): $(shell find . -name '*.go' -not -path './node_modules/*') go.mod go.sum
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/alexbench

# Set-up a fresh machine needs (idempotent): Go modules, the dataset, OpenBLAS and oneDNN for fast CPU
# training, echarts for the report.
setup: data blas js
	$(GO) mod download

# OpenBLAS and oneDNN, which internal/fastcpu opens at run time (without OpenBLAS SimpleGo's own,
# slower kernels run; without oneDNN the convolutions stay on OpenBLAS).
blas:
	@if ! ldconfig -p 2>/dev/null | grep 'libopenblas\.so\.0' >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libopenblas0) \
		|| echo "make blas: could not install libopenblas0; CPU training falls back to SimpleGo's own kernels (slower)"; \
	fi
	@if ! ldconfig -p 2>/dev/null | grep 'libdnnl\.so\.2' >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libdnnl2) \
		|| echo "make blas: could not install libdnnl2; convolutions stay on OpenBLAS"; \
	fi

# Fashion-MNIST: Debian's dataset-fashion-mnist where apt works (root), else the resolver downloads.
data: $(BIN)
	@if [ ! -d /usr/share/datasets/fashion-mnist ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist) \
		|| echo "make data: apt-get could not install dataset-fashion-mnist; falling back to a download"; \
	fi
	$(BIN) data verify --fetch

# Headless Chromium for the report's browser test (Debian's package), where apt works (root).
browser:
	@if ! command -v chromium >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		|| echo "make browser: could not install chromium; the browser test will skip (and fail under CI=true)"; \
	fi

# echarts for the offline report, pinned by package-lock.json.
js: node_modules/echarts/dist/echarts.min.js
node_modules/echarts/dist/echarts.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

ablation: setup
	$(BIN) run $(MATRICES) --results $(RESULTS) --profile $(PROFILE)
	$(BIN) profile alexnet --backend auto -o $(RESULTS)/profile
	$(MAKE) report

report: $(BIN) js
	$(BIN) report --results $(RESULTS) -o $(REPORT)

test: setup browser
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 30m ./...

test-short: $(BIN)
	$(GO) test -short -count=1 ./...

bench: setup
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 60m ./...

# Our CPU train step beside PyTorch's (Debian's python3-torch), interleaved, as a table.
bench-cpu: setup
	bash scripts/bench_cpu.sh

# What the nightly GPU job runs (see docs/NIGHTLY.md).
nightly: setup
	$(BIN) run experiments/bench.toml --profile full --results results-nightly
	$(BIN) compare --baseline benchmarks results-nightly

clean:
	rm -rf bin
