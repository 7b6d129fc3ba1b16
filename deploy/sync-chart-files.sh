#!/usr/bin/env bash
# Copy the single source of truth for rules and dashboards into the chart. Helm does not follow
# symlinks that leave the chart, so helm/layerscope/files holds copies; test/helm/chart-files.test.ts
# fails when they differ from deploy/. Run after editing deploy/prometheus/rules or deploy/grafana.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
files="$root/helm/layerscope/files"
rm -f "$files"/prometheus/*.rules.yaml "$files"/grafana/*.json
mkdir -p "$files/prometheus" "$files/grafana"
cp "$root"/deploy/prometheus/rules/*.rules.yaml "$files/prometheus/"
cp "$root"/deploy/grafana/*.json "$files/grafana/"
echo "synced: $(cd "$files" && ls prometheus/*.rules.yaml grafana/*.json | tr '\n' ' ')"
