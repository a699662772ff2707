#!/bin/sh
# Creates the node directories of the consortium that deploy/compose.yaml runs:
# two consortium nodes (the founders, both signing the manifest), three
# providers and a regulator. Each node gets its own keys (0600), the signed
# manifest, providers the consortium secret and consortium and regulator
# nodes the alert-id key, each encrypted to the node. Every node
# advertises its compose service name as its gRPC endpoint; CORDON_LISTEN makes
# it bind 0.0.0.0 inside its container.
#
#   docker compose -f deploy/compose.yaml run --rm bootstrap
#
# NODES_DIR holds one directory per node (in compose: one volume each). Runs
# once: an existing consortium is left alone.
set -eu

NODES_DIR=${NODES_DIR:-/nodes}
CORDON=${CORDON:-"node /app/src/cli/bin.js"}
# The uid the image's node user has (deploy/Dockerfile, CORDON_UID).
OWNER=${OWNER:-10001:10001}
CONSORTIUM="consortium-1 consortium-2"
PROVIDERS="provider-a provider-b provider-c"
REGULATOR="regulator"

if [ -f "$NODES_DIR/consortium-1/cordon.json" ]; then
  echo "bootstrap: $NODES_DIR already holds a consortium; nothing to do"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

init() { # id role organisation
  $CORDON init --id "$1" --role "$2" --org "$3" --dir "$NODES_DIR/$1" --listen "$1:7400"
}
for id in $CONSORTIUM; do init "$id" consortium "Neutral operator ($id)"; done
for id in $PROVIDERS; do init "$id" provider "Lab ${id#provider-}"; done
init "$REGULATOR" regulator "The regulator"

members=""
for id in $CONSORTIUM $PROVIDERS $REGULATOR; do members="$members --member $NODES_DIR/$id/member.json"; done
# shellcheck disable=SC2086 # $members is a list of options
$CORDON consortium create --name compose-consortium --founders consortium-1,consortium-2 --threshold 2 --out "$work/manifest.json" $members
for id in $CONSORTIUM; do $CORDON consortium sign --manifest "$work/manifest.json" --node "$NODES_DIR/$id"; done
for id in $CONSORTIUM $PROVIDERS $REGULATOR; do cp "$work/manifest.json" "$NODES_DIR/$id/manifest.json"; done

$CORDON consortium issue-secret --manifest "$work/manifest.json" --out "$work/secrets"
for id in $PROVIDERS; do $CORDON secret install --node "$NODES_DIR/$id" "$work/secrets/$id.secret.jwe"; done

# Matching nodes (consortium, regulator) name alerts under the alert-id key; they do not start without it.
$CORDON consortium issue-alert-key --manifest "$work/manifest.json" --out "$work/alert-keys"
for id in $CONSORTIUM $REGULATOR; do $CORDON alert-key install --node "$NODES_DIR/$id" "$work/alert-keys/$id.alert-id-key.jwe"; done

# The nodes run as the image's unprivileged user; this script may run as root to write the volumes.
if [ "$(id -u)" = 0 ]; then chown -R "$OWNER" "$NODES_DIR"; fi
echo "bootstrap: created $(echo $CONSORTIUM $PROVIDERS $REGULATOR | wc -w) nodes in $NODES_DIR"
