# Quiver: the two set-up commands are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
DATA ?= ./quiver-data
PORT ?= 19530

.PHONY: setup configure build run test unit e2e bench crashtest fuzz powercut install clean

setup:
	@./scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/quiver serve --data $(DATA) --port $(PORT)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

e2e: build
	cd tests/e2e && QUIVER_BIN=$(abspath $(BUILD_DIR))/quiver npm test

test: unit e2e

# A long crash–restart loop (CI runs a 3-cycle one inside the e2e suite).
CYCLES ?= 50
crashtest: build
	cd tests/e2e && QUIVER_BIN=$(abspath $(BUILD_DIR))/quiver node crash/crash_loop.mjs $(CYCLES)

# libFuzzer targets (tests/fuzz) built with clang-14 + ASan/UBSan in their own build dir, each
# run for FUZZ_SECONDS. Crashers land in $(FUZZ_DIR)/crashes; copy them into
# tests/fuzz/corpus/<target>/ once fixed so ctest replays them (docs/reliability.md).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= expr wal segment rest catalog
fuzz:
	@./scripts/setup.sh --fuzz
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIVER_FUZZ=ON > /dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	./scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The long form of the WAL power-cut test (CI runs 400 seeds x 8 cuts inside wal_test).
POWER_CUT_SEEDS ?= 20000
powercut: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target wal_test
	QUIVER_POWER_CUT_SEEDS=$(POWER_CUT_SEEDS) ./$(BUILD_DIR)/src/wal/wal_test --gtest_filter='WalPowerCut.*:WalFsyncFailure.*:WalDiskFull.*'

# Every benchmark, ~15 min on the 2-core machine: tables on stdout and in
# $(BUILD_DIR)/bench-results/<name>.txt, JSON lines in <name>.jsonl (bench/run_all.sh).
bench: build
	@dpkg -s dataset-fashion-mnist libfaiss-dev python3-matplotlib >/dev/null 2>&1 || apt-get install -y dataset-fashion-mnist libfaiss-dev python3-matplotlib
	@cmake -S . -B $(BUILD_DIR) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target insert_bench search_bench startup_bench ann_bench kernel_bench load_bench
	./bench/run_all.sh $(BUILD_DIR)

# Installs the binary, the embedded library (libquiver.so, <quiver/quiver.h>, CMake package
# Quiver) under PREFIX (default /usr/local) and, when pip is there, the milvus_lite drop-in so
# pymilvus's MilvusClient("./x.db") uses Quiver.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)
	@ldconfig 2>/dev/null || true
	@if python3 -m pip --version >/dev/null 2>&1; then python3 -m pip install --no-deps ./python; \
	else echo "pip not found: put python/ on PYTHONPATH to use the milvus_lite drop-in"; fi

clean:
	rm -rf $(BUILD_DIR)
