# syntax=docker/dockerfile:1
# Ticketer's container image: the UI built with Node, a static Go binary
# (CGO_ENABLED=0: modernc.org/sqlite is pure Go), and a final image FROM
# scratch holding only the binary, CA certificates, the time zone database
# and a passwd entry for the non-root user.
#
#   docker build -t ticketer .
#   docker run -p 8080:8080 -p 2525:2525 -v ticketer-data:/data ticketer
#
# The final stage takes its files from the stages named "build" and
# "rootfs" only, so it can also be built from files made elsewhere:
#   podman build --build-context build=DIR --build-context rootfs=DIR --target image .
# with DIR/out/ticketer and DIR/rootfs/... as the stages would leave them
# (cmd/ticketer/image_test.go does that, as no registry is reachable there).

ARG GO_VERSION=1.26
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY api/ /src/api/
COPY web/ ./
RUN npm run build

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY third_party/ third_party/
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/ web/dist/
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/ticketer ./cmd/ticketer \
 && cp "$(go env GOROOT)/lib/time/zoneinfo.zip" /out/zoneinfo.zip

# The few files a static binary needs from a distribution. The time zone
# database is Go's zoneinfo.zip (400 KB; the unpacked tree is 4 MB and the
# image must stay under 40 MB).
FROM debian:bookworm-slim AS rootfs
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share /rootfs/data /rootfs/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && echo 'ticketer:x:10001:10001:Ticketer:/data:/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'ticketer:x:10001:' > /rootfs/etc/group

FROM scratch AS image
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Ticketer" \
      org.opencontainers.image.description="Email-driven helpdesk: mail in, tickets, replies out" \
      org.opencontainers.image.source="https://github.com/ticketer/ticketer" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=rootfs /rootfs/etc/ /etc/
COPY --from=rootfs --chown=10001:10001 /rootfs/data/ /data/
COPY --from=rootfs --chmod=1777 /rootfs/tmp/ /tmp/
COPY --from=build /out/zoneinfo.zip /usr/share/zoneinfo.zip
COPY --from=build /out/ticketer /usr/local/bin/ticketer
ENV ZONEINFO=/usr/share/zoneinfo.zip \
    TICKETER_DATA_DIR=/data \
    TICKETER_HTTP_ADDR=0.0.0.0:8080 \
    TICKETER_SMTP_ADDR=0.0.0.0:2525
USER 10001:10001
WORKDIR /data
VOLUME /data
EXPOSE 8080 2525
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["/usr/local/bin/ticketer", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/ticketer"]
CMD ["serve"]
