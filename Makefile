# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test tmux snapshots check dump bench bench-year fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/dealdesk

# The end-to-end tests drive the dashboard in a real terminal through tmux, and over a
# real sshd on loopback (tests/test_ssh.py); the OPML tests round-trip through newsboat;
# headless Chromium opens the HTML report (tests/test_report.py).
tmux:
	@{ command -v tmux && command -v ssh && { command -v sshd || test -x /usr/sbin/sshd; } \
		&& command -v newsboat && command -v chromium; } >/dev/null 2>&1 || { \
		echo "installing tmux, openssh, newsboat and chromium for the end-to-end tests"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && \
			apt-get install -y -q tmux openssh-client openssh-server newsboat chromium; \
		else sudo apt-get update -q && \
			sudo apt-get install -y -q tmux openssh-client openssh-server newsboat chromium; fi; }

# ruff, mypy (--strict) and lint-imports (the layer contracts) read their settings from
# pyproject.toml ([tool.ruff], [tool.mypy], [tool.importlinter]).
test: $(STAMP) tmux
	$(BIN)/ruff check src tests
	$(BIN)/mypy src
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

# Regenerate the SVGs in snapshots/; open each changed one before committing it.
snapshots: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_snapshots.py --snapshot-update

check: $(STAMP)
	$(BIN)/dealdesk check

dump: $(STAMP)
	$(BIN)/dealdesk dump

# Side by side with newsboat and a bare Textual app; writes benchmarks/RESULTS.md. Not in CI.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# A year of news: DealDesk at 10k, 100k and 1M stored items (500 feeds, 365 days) beside
# newsboat; writes benchmarks/RESULTS-year.md and benchmarks/year.png. The filled stores are
# cached in BENCH_CACHE and reused while their parameters match. Not in CI.
BENCH_CACHE ?= $(HOME)/.cache/dealdesk-bench
bench-year: $(STAMP)
	$(BIN)/python benchmarks/year_bench.py --cache $(BENCH_CACHE)

# Coverage-guided fuzzing of the parse path with atheris. Not in CI.
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet atheris
	$(BIN)/python tests/fuzz/fuzz_parse.py -max_total_time=$${FUZZ_SECONDS:-300}

clean:
	rm -rf $(VENV) .pytest_cache snapshot_report.html
