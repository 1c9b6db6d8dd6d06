#!/usr/bin/env bash
# Builds the GitOps repository of the dry-run example in DIR (made, or emptied first): one commit
# pins support-agent to 2.3.3 a day ago, the next to 2.4.0 five minutes ago, inside the policy's
# guard window. Needs nothing but git.
set -euo pipefail
dir=${1:?usage: examples/dry-run/gitops.sh DIR}
rm -rf "$dir"
mkdir -p "$dir/apps/support-agent"
git -C "$dir" init -q -b main
pin() {
  local tag=$1 ago=$2 when
  when="@$(($(date +%s) - ago)) +0000"
  cat > "$dir/apps/support-agent/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
images:
  - name: ghcr.io/acme/support-agent
    newTag: "$tag" # bumped by CI on release
YAML
  git -C "$dir" add -A
  GIT_AUTHOR_DATE=$when GIT_COMMITTER_DATE=$when \
    git -C "$dir" -c user.name=deploy -c user.email=deploy@example.com commit -q -m "deploy support-agent $tag"
}
pin 2.3.3 86400
pin 2.4.0 300
echo "$dir: support-agent pinned 2.3.3 -> 2.4.0 five minutes ago"
