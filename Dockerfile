# Terbuka: one image with both binaries (`terbuka` = API, `worker` = stand-alone worker).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p api -p worker \
 && cp target/release/terbuka target/release/worker /usr/local/bin/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates fonts-dejavu-core tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/terbuka --create-home terbuka
COPY --from=build /usr/local/bin/terbuka /usr/local/bin/worker /usr/local/bin/
USER terbuka
WORKDIR /var/lib/terbuka
ENV TERBUKA_BIND=0.0.0.0:8080 \
    TERBUKA_BLOB_DIR=/var/lib/terbuka/files \
    TERBUKA_LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["terbuka"]
CMD ["serve"]
