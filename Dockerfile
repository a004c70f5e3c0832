# syntax=docker/dockerfile:1.7
# One image recipe for every service: docker build --build-arg SERVICE=auth-service .
# (SERVICE is auth-service, appointment-service or prescription-service; PORT its port.)

FROM rust:1.95-slim-bookworm AS build
ARG SERVICE
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The registry and target caches survive between builds, so only changed crates rebuild.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    test -n "$SERVICE" \
 && cargo build --release --locked --bin "$SERVICE" \
 && cp "target/release/$SERVICE" /usr/local/bin/service

FROM debian:bookworm-slim AS runtime
ARG SERVICE
ARG PORT=8001
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin app
# Migrations are embedded in the binary: nothing else to copy.
COPY --from=build /usr/local/bin/service /usr/local/bin/service
USER 10001:10001
ENV HOST=0.0.0.0 \
    PORT=${PORT} \
    APP_ENV=production \
    LOG_FORMAT=json
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT}/health" || exit 1
ENTRYPOINT ["/usr/local/bin/service"]
