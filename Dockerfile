# Hearth: one static Go binary on a distroless, non-root base.
#
#   docker build -t hearth .
#   docker run -p 8080:8080 -p 8443:8443/udp -p 8443:8443/tcp -p 3478:3478/udp \
#     -v hearth-data:/data hearth --demo
#
# Ports:
#   8080/tcp  HTTP: pages, API (/api, /docs), calendar feeds, signaling WebSocket
#   8443/udp  WebRTC media (all peers multiplexed on one UDP port)
#   8443/tcp  ICE-TCP fallback for networks that block UDP
#   3478/udp  embedded TURN relay (when enabled)
# Put a TLS-terminating reverse proxy in front of 8080 for browsers to allow
# camera and microphone access on a public host.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: modernc.org/sqlite is pure Go and time/tzdata is embedded, so the
# binary needs nothing from the image.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/hearth ./cmd/hearth \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hearth /usr/local/bin/hearth
# The data directory must belong to the nonroot user (65532) so that the
# named volume created from it is writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV HEARTH_DATA=/data \
    HEARTH_ADDR=:8080 \
    HEARTH_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080/tcp 8443/udp 8443/tcp 3478/udp
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/hearth"]
CMD ["serve"]
