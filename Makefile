# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper for the human commands; meson/ninja do the work. Every target runs
# scripts/setup.sh first (Debian packages, hugepages, build), so each works on a
# fresh Debian 12 machine as root.
BUILD ?= build
export MYRIAD_BUILD := $(abspath $(BUILD))

.PHONY: all setup demo test bench lint format clean

all setup:
	./scripts/setup.sh

demo: setup
	./scripts/demo.sh $(DEMO_ARGS)

test:
	./tests/run

bench: setup
	./bench/run $(BENCH_ARGS)

lint:
	@files=$$(git ls-files '*.c' '*.h'); \
	clang-format --dry-run --Werror $$files && echo "lint: ok"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
