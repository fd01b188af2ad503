# Vaglio: every job starts by installing what is missing (scripts/install-deps is a quick
# no-op when all is there), so each target works on a fresh Debian machine.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DVAGLIO_WERROR=ON

.PHONY: all deps build demo compare-demo test test-slow bench sanitize format clean

all: build

deps:
	@./scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: the NP1 hip prosthesis dossier evaluated against the example criteria set,
# with the committee's scores; the record (JSON), a Markdown report and the HTML report go
# to build/demo/.
demo: build
	./$(BUILD)/cli/vaglio evaluate examples/np1/np1.dossier.yaml --criteria examples/np1/irccs.criteria.yaml \
	  --scores examples/np1/np1.scores.yaml --format text --out $(BUILD)/demo --report $(BUILD)/demo/report.html

# Three hospitals' registries built from the NP1 dossier with their own criteria sets, then
# compared (examples/compare/README.md); registries and outputs go to build/compare-demo/.
compare-demo: build
	./examples/compare/run ./$(BUILD)/cli/vaglio $(BUILD)/compare-demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE slow

# Slow statistical checks (goodness of fit of the samplers), not part of `make test`.
test-slow: build
	ctest --test-dir $(BUILD) --output-on-failure -L slow

bench: build
	./bench/run-bench $(BUILD)

sanitize: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVAGLIO_WERROR=ON -DVAGLIO_SANITIZE=ON -DVAGLIO_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-asan -j $(JOBS)
	ctest --test-dir build-asan --output-on-failure -j $(JOBS) -LE slow

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

# A PostgreSQL test server left running by an interrupted `make test` is stopped first.
clean:
	@for b in $(BUILD) build-asan; do ./scripts/pg-test-server stop $$b/tests/pg-test 2>/dev/null || true; done
	rm -rf $(BUILD) build-asan
