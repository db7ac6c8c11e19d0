# The two commands the README promises, plus lint. Each bootstraps what it needs.
.PHONY: demo test lint bootstrap bench clean


bootstrap:
	@tools/bootstrap >/dev/null

lint:
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync ruff format --check verifier tests bench && \
	"$$uv" run --locked --no-sync ruff check verifier tests bench && \
	"$$uv" run --locked --no-sync mypy

test: lint
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync pytest -n 2 --dist loadgroup

demo:
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync python tools/demo.py

bench:
	@uv=$$(tools/bootstrap | tail -n 1); \
	"$$uv" run --locked --no-sync python bench/digest.py && \
	"$$uv" run --locked --no-sync python bench/rebuild.py && \
	"$$uv" run --locked --no-sync python bench/verify.py

clean:
	rm -rf .venv .tools .verifier .pytest_cache .mypy_cache .ruff_cache
