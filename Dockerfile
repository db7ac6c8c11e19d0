# syntax=docker/dockerfile:1
# The verifier tool as a container image; `verifier serve` is its usual command (deploy/).
#
# Two stages. The build stage installs exactly what uv.lock pins (no dev group) into a
# virtual environment at /opt/verifier, using Debian 12's Python 3.11. The final stage is
# distroless Python on Debian 12 (the same Python at the same path): no shell, no apt, no
# pip, running as the unprivileged user 65532. Both bases are pinned by digest; to move to
# newer bases, resolve the tags' digests (skopeo inspect / crane digest) and update both.

FROM docker.io/library/debian:bookworm-slim@sha256:4b50eb66f977b4062683ff434ef18ac191da862dbe966961bc11990cf5791a8d AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# uv, pinned by version, only in this stage.
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir uv==0.13.9
ENV UV_PYTHON=/usr/bin/python3 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/verifier \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1
WORKDIR /src
# Dependencies first (cached while only our code changes), exactly as locked.
COPY pyproject.toml uv.lock README.md ./
RUN /opt/uv/bin/uv sync --locked --no-dev --no-install-project
COPY verifier ./verifier
RUN /opt/uv/bin/uv sync --locked --no-dev --no-editable

FROM gcr.io/distroless/python3-debian12:nonroot@sha256:17b27c84c985a53d0cd2adef4f196ca327fa9b6755369be605cf45533b4e700b
COPY --from=build /opt/verifier /opt/verifier
ENV PATH=/opt/verifier/bin:/usr/bin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["/opt/verifier/bin/verifier"]
CMD ["serve"]
