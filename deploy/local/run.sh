#!/usr/bin/env bash
# Local stack on one machine: layerscope (./models) + Prometheus with deploy/prometheus's scrape
# config and rules, + Grafana with the dashboards when grafana-server is installed.
#
#   deploy/local/run.sh            # Ctrl-C stops everything
#   LAYERSCOPE_HTTP_PORT=9000 PROMETHEUS_PORT=9091 deploy/local/run.sh
#
# Needs: Node 20 (npm ci done), Debian's `prometheus` package (apt-get install prometheus);
# optional: grafana-server (Grafana's own Debian repository). No containers.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
http_port="${LAYERSCOPE_HTTP_PORT:-8000}"
metrics_port="${LAYERSCOPE_METRICS_PORT:-8002}"
prom_port="${PROMETHEUS_PORT:-9090}"
grafana_port="${GRAFANA_PORT:-3000}"
state="${LAYERSCOPE_LOCAL_STATE:-$(mktemp -d -t layerscope-local-XXXXXX)}"
mkdir -p "$state"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped; data in $state"
}
trap cleanup EXIT INT TERM

command -v prometheus >/dev/null || { echo "prometheus not found: apt-get install prometheus" >&2; exit 1; }

# Prometheus config: the shipped one with this run's ports and absolute rule paths.
sed -e "s#localhost:8002#localhost:${metrics_port}#" \
    -e "s#localhost:9090#localhost:${prom_port}#" \
    -e "s#- rules/\*.rules.yaml#- ${root}/deploy/prometheus/rules/*.rules.yaml#" \
    "$root/deploy/prometheus/prometheus.yml" > "$state/prometheus.yml"
promtool check config "$state/prometheus.yml" >/dev/null

(cd "$root" && npm run build --silent)
node "$root/bin/layerscope.js" serve --model-repository "$root/models" \
  --http-port "$http_port" --metrics-port "$metrics_port" > "$state/layerscope.log" 2>&1 &
pids+=($!)

prometheus --config.file="$state/prometheus.yml" --storage.tsdb.path="$state/prometheus" \
  --web.listen-address="127.0.0.1:${prom_port}" --web.enable-lifecycle > "$state/prometheus.log" 2>&1 &
pids+=($!)

if command -v grafana-server >/dev/null; then
  mkdir -p "$state/grafana/provisioning/datasources" "$state/grafana/provisioning/dashboards" "$state/grafana/data"
  cat > "$state/grafana/provisioning/datasources/prometheus.yaml" <<YAML
apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    uid: prometheus
    url: http://127.0.0.1:${prom_port}
    isDefault: true
YAML
  cat > "$state/grafana/provisioning/dashboards/layerscope.yaml" <<YAML
apiVersion: 1
providers:
  - name: layerscope
    folder: layerscope
    type: file
    options:
      path: ${root}/deploy/grafana
YAML
  homepath="${GRAFANA_HOME:-/usr/share/grafana}"
  GF_PATHS_PROVISIONING="$state/grafana/provisioning" GF_PATHS_DATA="$state/grafana/data" \
  GF_SERVER_HTTP_PORT="$grafana_port" GF_AUTH_ANONYMOUS_ENABLED=true GF_AUTH_ANONYMOUS_ORG_ROLE=Admin \
    grafana-server --homepath "$homepath" > "$state/grafana.log" 2>&1 &
  pids+=($!)
  grafana="http://localhost:${grafana_port} (dashboards in folder layerscope)"
else
  grafana="not installed (import deploy/grafana/*.json into your Grafana)"
fi

for _ in $(seq 1 60); do
  curl -fs "http://localhost:${http_port}/v2/health/ready" >/dev/null 2>&1 && break
  sleep 1
done
cat <<MSG
layerscope  http://localhost:${http_port}  (metrics http://localhost:${metrics_port}/metrics)
prometheus  http://localhost:${prom_port}   (rules: ${root}/deploy/prometheus/rules)
grafana     ${grafana}
logs        ${state}/*.log
Send traffic:  curl -s -X POST localhost:${http_port}/v2/models/digits-cnn/infer -d @models/digits-cnn/1/golden/input.json
MSG
wait
