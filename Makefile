# The two commands of the README.
.PHONY: serve test

# Set up, build the graph from corpus/ into the embedded store (build/store), and serve it.
serve:
	@scripts/setup.sh
	.venv/bin/sahelkg build
	.venv/bin/sahelkg serve

# Set up (with the Debian packages the tests use) and run the whole test suite.
test:
	@scripts/setup.sh --test
	.venv/bin/python -m pytest
