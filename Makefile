# Thin wrapper over CMake and the scripts in scripts/: every target
# installs what is missing first (scripts/setup-deps), then configures,
# builds and runs.  See README.md and docs/building.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
MAKEFLAGS  += --no-print-directory
CMAKE_ARGS ?=

.PHONY: all deps build asan tsan tsan-build test test-kernel run bench fuzz format format-check clean

all: build

deps:
	@scripts/setup-deps

build: deps
	@cmake -S . -B $(BUILD) -DRMT_WERROR=ON $(CMAKE_ARGS) >$(BUILD).configure.log 2>&1 \
		|| { cat $(BUILD).configure.log; exit 1; }
	@grep 'rmt:' $(BUILD).configure.log || true
	@cmake --build $(BUILD) -j$(JOBS)

# Unit tests and fuzz targets again, built by clang with ASan and UBSan.
asan: deps
	@CC=clang cmake -S . -B $(ASAN_BUILD) -DRMT_WERROR=ON -DRMT_SANITIZE=ON \
		-DRMT_FUZZ=ON $(CMAKE_ARGS) >$(ASAN_BUILD).configure.log 2>&1 \
		|| { cat $(ASAN_BUILD).configure.log; exit 1; }
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# The concurrency tests as plain programs under ThreadSanitizer (clang;
# only what they link is built): tests/tsan/.
tsan-build: deps
	@CC=clang cmake -S . -B $(TSAN_BUILD) -DRMT_WERROR=ON -DRMT_TSAN=ON \
		$(CMAKE_ARGS) >$(TSAN_BUILD).configure.log 2>&1 \
		|| { cat $(TSAN_BUILD).configure.log; exit 1; }
	@cmake --build $(TSAN_BUILD) -j$(JOBS) --target rmt_tsan_tests

tsan: tsan-build
	@ctest --test-dir $(TSAN_BUILD) -L tsan --output-on-failure

test: build asan tsan-build
	@scripts/run-tests $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

# Only the kernel tests (Debian's kernel booted under qemu).
test-kernel: build
	@ctest --test-dir $(BUILD) -L kernel --output-on-failure

run: build
	@scripts/run-demo $(BUILD)

bench: build
	@scripts/run-benches $(BUILD)

fuzz: asan
	@scripts/run-fuzz $(ASAN_BUILD)

format:
	@git ls-files '*.c' '*.h' | grep -v '_table\.c$$' | xargs clang-format -i

format-check:
	@scripts/format-check

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(BUILD).configure.log \
		$(ASAN_BUILD).configure.log $(TSAN_BUILD).configure.log
