#!/usr/bin/env bash
# The cluster paths (`schemas pull`, `--cluster`, `diff --live`, `--print-rbac`) against a real
# API server in a kind cluster: what tests/it/cluster.rs checks against recorded answers. It
# needs docker (running), kind and kubectl, and skips with a message where they are missing
# (CI has none; the recorded-answer tests run there). It creates the cluster
# `inferstack-e2e` and deletes it when it ends.
#
#   bash scripts/kind-e2e.sh            # builds target/release/inferstack
#   INFERSTACK=path/to/inferstack bash scripts/kind-e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in docker kind kubectl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "kind-e2e: skipped: $tool is not on PATH (needs docker, kind and kubectl)"
        exit 0
    fi
done
if ! docker info >/dev/null 2>&1; then
    echo "kind-e2e: skipped: docker is installed but its daemon does not answer"
    exit 0
fi

reference=${INFERSTACK_REFERENCE:-../shared/reference}
if [ ! -d "$reference/crds" ]; then
    echo "kind-e2e: the reference set is not at $reference (set INFERSTACK_REFERENCE)" >&2
    exit 2
fi
bin=${INFERSTACK:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/inferstack
fi

name=inferstack-e2e
work=$(mktemp -d)
kubeconfig=$work/kubeconfig
cleanup() {
    kind delete cluster --name "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
kind create cluster --name "$name" --kubeconfig "$kubeconfig" --wait 180s
k() { kubectl --kubeconfig "$kubeconfig" "$@"; }

# The CRDs the recorded cluster has (tests/it/support/apiserver.rs INSTALLED_CRDS), and a
# config-features that enables node selectors.
for dir in gateway-api/standard gateway-api-inference-extension llm-d-router knative-serving; do
    k apply --server-side -f "$reference/crds/$dir"
done
k wait --for condition=established --timeout 120s crd --all
k create namespace knative-serving
k -n knative-serving create configmap config-features \
    --from-literal=kubernetes.podspec-nodeselector=enabled

expect() {
    local want=$1
    shift
    set +e
    "$@" >"$work/out" 2>&1
    local got=$?
    set -e
    if [ "$got" != "$want" ]; then
        echo "kind-e2e: FAILED: exit $got, not $want: $*" >&2
        cat "$work/out" >&2
        exit 1
    fi
    echo "kind-e2e: ok (exit $got): $*"
}

stack=tests/stacks/valid-https.toml
expect 0 "$bin" schemas pull --kubeconfig "$kubeconfig" -o "$work/schemas"
# The pulled schemas give the verdict the reference set gives.
set +e
"$bin" validate tests/manifests/valid --openapi "$work/schemas/openapi" --crds "$work/schemas/crds" >/dev/null 2>&1
pulled=$?
"$bin" validate tests/manifests/valid --openapi "$reference/openapi/kubernetes/v1.35" \
    --crds "$reference/crds/gateway-api/standard" --crds "$reference/crds/gateway-api-inference-extension" \
    --crds "$reference/crds/llm-d-router" --crds "$reference/crds/knative-serving" >/dev/null 2>&1
offline=$?
set -e
[ "$pulled" = "$offline" ] || { echo "kind-e2e: FAILED: validate with pulled schemas exits $pulled, with the reference set $offline" >&2; exit 1; }
expect 0 "$bin" validate tests/manifests/knative/node-selector.yaml --cluster --kubeconfig "$kubeconfig"
expect 0 "$bin" check "$stack" --cluster --kubeconfig "$kubeconfig"
# Nothing is applied yet: every object is added.
expect 1 "$bin" diff "$stack" --live --kubeconfig "$kubeconfig"
"$bin" build "$stack" -o - | k apply --server-side --field-manager inferstack-e2e -f -
expect 0 "$bin" diff "$stack" --live --kubeconfig "$kubeconfig"
k -n "$(k get deployments -A -o jsonpath='{.items[0].metadata.namespace}')" scale deployment --all --replicas 3
expect 1 "$bin" diff "$stack" --live --kubeconfig "$kubeconfig"
"$bin" diff "$stack" --print-rbac | k apply -f -
echo "kind-e2e: all passed"
