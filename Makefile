# The two commands the README promises, plus lint. Each bootstraps what it needs.
.PHONY: demo test lint bootstrap bench clean


bootstrap:
	@tools/bootstrap >/dev/null

lint:
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync ruff format --check verifier tests bench tools && \
	"$$uv" run --locked --no-sync ruff check verifier tests bench tools && \
	"$$uv" run --locked --no-sync mypy

test: lint
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync pytest -n 2 --dist loadgroup

demo:
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync python tools/demo.py

# Peer comparisons, run on demand (never in the tests). pypi_rebuild.py needs PyPI access;
# bench/webhook_load.sh (wrk against verifier serve, minutes) runs on its own.
BENCHES = digest rebuild verify store diff_vs_diffoscope diff_memory sbom_vs_peers admit

bench:
	@uv=$$(tools/bootstrap | tail -n 1); \
	for b in $(BENCHES); do echo "== bench/$$b.py"; "$$uv" run --locked --no-sync python bench/$$b.py || exit 1; done

clean:
	rm -rf .venv .tools .verifier .demo .pytest_cache .mypy_cache .ruff_cache
