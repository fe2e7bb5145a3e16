# syntax=docker/dockerfile:1
# The `hedgeflow` binary: one image, one role per container (see docker-compose.temporal.yml).
#   docker build -t hedgeflow:latest .

FROM rust:1.95-bookworm AS builder
# protoc for the protobuf code generation; cmake for native dependencies that fall back to it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends protobuf-compiler cmake \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin hedgeflow \
 && cp target/release/hedgeflow /usr/local/bin/hedgeflow

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/hedgeflow --create-home hedgeflow \
 && install -d -o hedgeflow -g hedgeflow -m 0700 /var/lib/hedgeflow/hot-wallet
COPY --from=builder /usr/local/bin/hedgeflow /usr/local/bin/hedgeflow
# A named volume mounted on /var/lib/hedgeflow/hot-wallet starts with this owner and mode.
USER hedgeflow
WORKDIR /var/lib/hedgeflow
ENTRYPOINT ["hedgeflow"]
