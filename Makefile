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

bench: build
	@dpkg -s dataset-fashion-mnist libfaiss-dev >/dev/null 2>&1 || apt-get install -y dataset-fashion-mnist libfaiss-dev
	@cmake -S . -B $(BUILD_DIR) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target insert_bench search_bench startup_bench ann_bench
	./$(BUILD_DIR)/bench/ann_bench --out $(BUILD_DIR)/ann_bench.jsonl
	@/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || apt-get install -y python3-matplotlib
	/usr/bin/python3 bench/plot.py $(BUILD_DIR)/ann_bench.jsonl $(BUILD_DIR)/ann_bench.png
	./$(BUILD_DIR)/bench/insert_bench ./$(BUILD_DIR)/quiver
	./$(BUILD_DIR)/bench/search_bench ./$(BUILD_DIR)/quiver 100000 FLAT
	./$(BUILD_DIR)/bench/search_bench ./$(BUILD_DIR)/quiver 100000 AUTOINDEX filtered
	./$(BUILD_DIR)/bench/startup_bench ./$(BUILD_DIR)/quiver 1000000

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
