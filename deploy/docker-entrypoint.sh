#!/bin/sh
# Entry point of the orleans-embeddings image: runs one of its programs by name.
#   silo [ARGS]        the silo host (the default)
#   gateway [ARGS]     the standalone gateway
#   embeddings ARGS    the command-line client
# Anything else runs as a command of its own (e.g. `sh`).
set -eu

app="${EMBEDDINGS_APP_DIR:-/app}"

# In Redis mode a silo must advertise an address the other silos and the gateways reach it at. Kubernetes passes
# the pod's IP (Embeddings__Cluster__AdvertisedIP from the downward API), which is left alone. Replicas of one
# docker compose service share one configuration, so there each container takes its own address, the first
# non-loopback IPv4 address its hostname resolves to. If there is none, the setting stays empty and Orleans picks
# the first non-loopback address of the container's interfaces itself.
advertise_container_address() {
    [ "${Embeddings__Cluster__Mode:-}" = "Redis" ] || return 0
    [ -z "${Embeddings__Cluster__AdvertisedIP:-}" ] || return 0
    for address in $(hostname -i 2>/dev/null || true); do
        case "$address" in
            127.*|*:*) continue ;;
        esac
        Embeddings__Cluster__AdvertisedIP="$address"
        export Embeddings__Cluster__AdvertisedIP
        return 0
    done
}

program="${1:-silo}"
[ "$#" -gt 0 ] && shift

case "$program" in
    silo)
        advertise_container_address
        exec dotnet "$app/silo/Orleans.Embeddings.Silo.dll" "$@"
        ;;
    gateway)
        exec dotnet "$app/gateway/Orleans.Embeddings.Gateway.dll" "$@"
        ;;
    embeddings)
        exec dotnet "$app/cli/embeddings.dll" "$@"
        ;;
    *)
        exec "$program" "$@"
        ;;
esac
