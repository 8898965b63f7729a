# The README's commands. `make serve` and `make test` set everything up themselves on a fresh clone.
.PHONY: serve test test-fast

# Set up, build the graph from corpus/ into the embedded store (build/store), and serve it.
serve:
	@scripts/setup.sh
	.venv/bin/sahelkg build
	.venv/bin/sahelkg serve

# Set up (with the Debian packages the tests use) and run the whole test suite on every core
# (pytest-xdist; the tests that share a SPARQL server stay on one worker: --dist loadgroup).
test:
	@scripts/setup.sh --test
	.venv/bin/python -m pytest -n auto --dist loadgroup --durations=15

# The edit loop: no Java, browser, SPARQL server or slow test (the set-up is `make test`'s, once).
test-fast:
	@scripts/setup.sh --test --no-debian
	.venv/bin/python -m pytest -n auto --dist loadgroup -q -m "not java and not browser and not remote and not slow"
