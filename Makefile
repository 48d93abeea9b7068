# sre-eval: the commands a person (and CI) runs. CMake does the building.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all deps build test demo sanitize memcheck fuzz fuzz-build fuzz-ci bench format format-check tidy clean

all: build

# Installs the Debian packages that are missing (no apt call when none are).
deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The whole product on the built-in simulated cluster: the three incidents, the guide's
# questions to the built-in reference agent, the scores. Prints the scorecard and the run folder.
# Quiet: the build's output goes to $(BUILD)/demo-build.log, shown only when it fails.
demo: deps
	@echo "building sre-eval (log: $(BUILD)/demo-build.log) ..."
	@mkdir -p $(BUILD)
	@{ [ -f $(BUILD)/CMakeCache.txt ] || cmake -S . -B $(BUILD) $(CMAKE_FLAGS); } >$(BUILD)/demo-build.log 2>&1 && \
	  cmake --build $(BUILD) -j$(JOBS) --target sre-eval >>$(BUILD)/demo-build.log 2>&1 || \
	  { tail -n 40 $(BUILD)/demo-build.log; echo "make demo: the build failed; the whole log: $(BUILD)/demo-build.log"; exit 1; }
	@$(BUILD)/harness/sre-eval run

# Every unit and end-to-end test.
test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: deps
	cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DSRE_EVAL_SANITIZE=ON -DSRE_EVAL_BENCH=OFF
	cmake --build $(BUILD)-asan -j$(JOBS)
	cd $(BUILD)-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

# The subprocess and HTTP tests under valgrind's memcheck (leaks and errors fail the run).
memcheck: build
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
	  --error-exitcode=99 --trace-children=no \
	  $(BUILD)/tests/sre_eval_tests --gtest_filter='Subprocess*:HttpClient*'

# The libFuzzer targets (tests/fuzz/), built with clang in $(FUZZ_BUILD), each run for
# FUZZ_SECONDS on its corpus: `make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="sim_request"`.
# Debug keeps assert()s (nlohmann's among them); the fuzz CMake sets -O1.
fuzz-build: deps
	cmake -S . -B $(FUZZ_BUILD) -DSRE_EVAL_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_targets

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# What CI runs: every target for 20 s on the checked-in corpora.
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=20 FUZZ_TARGETS=

bench: build
	$(BUILD)/bench/sre_eval_bench

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.cc' '*.h')

tidy: $(BUILD)/CMakeCache.txt
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'harness/*.cc')

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(FUZZ_BUILD)
