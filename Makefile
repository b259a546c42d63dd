# Quiver: the two set-up commands are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
DATA ?= ./quiver-data
PORT ?= 19530

.PHONY: setup configure build run test unit e2e bench crashtest fuzz powercut corruption asan tsan tsan-unit install clean

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

# With CI=true (.ci/run) the short sanitizer forms run first: each libFuzzer target for
# FUZZ_SECONDS (60 s) in build-fuzz (clang-14, about 5 minutes to build on 2 cores), then the
# short TSan form (tsan-unit below); a crash or a sanitizer report fails the run.
test: $(if $(filter true,$(CI)),fuzz tsan-unit) unit e2e

# Long crash tests (CI runs short forms inside the e2e suite): kill -9 at random moments
# (CYCLES cycles of the journal loop), then every named crash point CRASH_ROUNDS times under
# mixed load (crash/crash_point_loop.mjs), each followed by the I1-I7 checks.
CYCLES ?= 50
CRASH_ROUNDS ?= 10
crashtest: build
	cd tests/e2e && QUIVER_BIN=$(abspath $(BUILD_DIR))/quiver node crash/journal_crash_loop.mjs $(CYCLES)
	cd tests/e2e && QUIVER_BIN=$(abspath $(BUILD_DIR))/quiver node crash/crash_point_loop.mjs $(CRASH_ROUNDS)

# The corruption campaign (tests/e2e/23-corruption.test.mjs) with more flips per file type.
CORRUPTION_FLIPS ?= 100
corruption: build
	cd tests/e2e && CORRUPTION_FLIPS=$(CORRUPTION_FLIPS) QUIVER_BIN=$(abspath $(BUILD_DIR))/quiver \
	  node --test --test-force-exit --test-reporter=spec 23-corruption.test.mjs

# The server built with ASan+UBSan (build-asan) or TSan (build-tsan), under the concurrent
# mixed load of tests/e2e/crash/mixed_load.mjs for LOAD_SECONDS; any sanitizer report, invariant
# violation or unexpected error fails. Each sanitized build takes 15-30 min on 2 cores.
LOAD_SECONDS ?= 120
asan:
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIVER_SANITIZE=address -DQUIVER_BUILD_TESTS=OFF > /dev/null
	@cmake --build build-asan -j $(JOBS) --target quiver
	cd tests/e2e && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  QUIVER_BIN=$(abspath build-asan)/quiver node crash/mixed_load.mjs $(LOAD_SECONDS)
tsan:
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQUIVER_SANITIZE=thread -DQUIVER_BUILD_TESTS=OFF > /dev/null
	@cmake --build build-tsan -j $(JOBS) --target quiver
	cd tests/e2e && $(TSAN_ENV) QUIVER_BIN=$(abspath build-tsan)/quiver node crash/mixed_load.mjs $(LOAD_SECONDS)

# The short TSan form: the in-process mixed load over the whole engine (concurrency_test, for
# TSAN_SECONDS) and the unit tests that run threads (HNSW adds beside searches, the executor, WAL
# group commit), built with -fsanitize=thread at -O1 in build-tsan-unit (generated protobuf code
# uninstrumented; about 5 minutes on 2 cores); any TSan report fails. The mixed load runs without
# TSan's lock-order detector: hnswlib creates 65,536 mutexes per index and the detector's
# bookkeeping for them turns 5 s of load into 2 minutes; the unit tests and `make tsan` keep it.
TSAN_SECONDS ?= 60
TSAN_FLAGS = halt_on_error=0 second_deadlock_stack=1 ignore_noninstrumented_modules=1 suppressions=$(abspath tests/tsan.supp)
TSAN_ENV = TSAN_OPTIONS="$(TSAN_FLAGS)"
tsan-unit: setup
	@cmake -S . -B build-tsan-unit -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
	  -DQUIVER_SANITIZE=thread > /dev/null
	@cmake --build build-tsan-unit -j $(JOBS) --target concurrency_test index_test common_test wal_test
	TSAN_OPTIONS="$(TSAN_FLAGS) detect_deadlocks=0" QUIVER_CONCURRENCY_SECONDS=$(TSAN_SECONDS) \
	  ./build-tsan-unit/src/embed/concurrency_test
	$(TSAN_ENV) ./build-tsan-unit/src/index/index_test --gtest_filter='HnswIndex.SearchesWhileAdding*:HnswIndex.OverlappingSearches*'
	$(TSAN_ENV) ./build-tsan-unit/src/common/common_test --gtest_filter='Executor.*'
	$(TSAN_ENV) ./build-tsan-unit/src/wal/wal_test --gtest_filter='WalTest.ConcurrentAppenders*'

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

# The long forms of the power-cut tests (CI runs 400 WAL seeds x 8 cuts inside wal_test and 60
# DataService seeds x 5 cuts inside datanode_test).
POWER_CUT_SEEDS ?= 20000
DATA_POWER_CUT_SEEDS ?= 1000
powercut: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target wal_test datanode_test
	QUIVER_POWER_CUT_SEEDS=$(POWER_CUT_SEEDS) ./$(BUILD_DIR)/src/wal/wal_test --gtest_filter='WalPowerCut.*:WalFsyncFailure.*:WalDiskFull.*'
	QUIVER_POWER_CUT_SEEDS=$(DATA_POWER_CUT_SEEDS) ./$(BUILD_DIR)/src/datanode/datanode_test --gtest_filter='DataServicePowerCut.*'

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
