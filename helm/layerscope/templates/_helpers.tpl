{{/* Chart name, truncated to 63 characters. */}}
{{- define "layerscope.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: fullnameOverride, else release name (if it contains the chart name) or release-chart. */}}
{{- define "layerscope.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Resource name with a suffix, kept within 63 characters. */}}
{{- define "layerscope.suffixed" -}}
{{- $base := include "layerscope.fullname" .root | trunc (int (sub 62 (len .suffix))) | trimSuffix "-" }}
{{- printf "%s-%s" $base .suffix }}
{{- end }}

{{- define "layerscope.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "layerscope.labels" -}}
helm.sh/chart: {{ include "layerscope.chart" . }}
{{ include "layerscope.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: layerscope
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels: minimal and permanent (selectors are immutable). */}}
{{- define "layerscope.selectorLabels" -}}
app.kubernetes.io/name: {{ include "layerscope.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "layerscope.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "layerscope.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference; dict with root and optional tag/digest overrides (the gateway-weights canary). */}}
{{- define "layerscope.image" -}}
{{- $v := .root.Values }}
{{- $digest := default $v.image.digest .digest }}
{{- if $digest }}
{{- printf "%s@%s" $v.image.repository $digest }}
{{- else }}
{{- $default := ternary (printf "%s-cuda" .root.Chart.AppVersion) .root.Chart.AppVersion $v.gpu.enabled }}
{{- printf "%s:%s" $v.image.repository (default (default $default $v.image.tag) .tag) }}
{{- end }}
{{- end }}

{{/* Where the server reads the model repository. */}}
{{- define "layerscope.modelRepository" -}}
{{- if eq .Values.model.source "image" }}/app/models{{ else }}{{ .Values.model.mountPath }}{{ end }}
{{- end }}

{{/* terminationGracePeriodSeconds: must outlast the preStop sleep plus the server's drain. */}}
{{- define "layerscope.terminationGracePeriodSeconds" -}}
{{- $s := .Values.server }}
{{- $min := add (int $s.gracePeriodSeconds) (int $s.preStopSleepSeconds) }}
{{- if kindIs "invalid" $s.terminationGracePeriodSeconds }}
{{- add $min 10 }}
{{- else if le (int $s.terminationGracePeriodSeconds) $min }}
{{- fail (printf "server.terminationGracePeriodSeconds (%d) must be larger than server.gracePeriodSeconds + server.preStopSleepSeconds (%d)" (int $s.terminationGracePeriodSeconds) $min) }}
{{- else }}
{{- int $s.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* The least number of pods the chart keeps (for the PDB). */}}
{{- define "layerscope.minReplicas" -}}
{{- $n := ternary .Values.autoscaling.minReplicas .Values.replicaCount (ne .Values.autoscaling.mode "none") | int }}
{{- if and (eq .Values.rollout.strategy "gateway-weights") .Values.rollout.canary.enabled }}
{{- $n = add $n (int .Values.rollout.canary.replicas) }}
{{- end }}
{{- $n }}
{{- end }}

{{/* The workload an autoscaler targets: the Deployment, the Rollout, or the stable Deployment. */}}
{{- define "layerscope.workloadRef" -}}
{{- if eq .Values.rollout.strategy "argo" -}}
apiVersion: argoproj.io/v1alpha1
kind: Rollout
name: {{ include "layerscope.fullname" . }}
{{- else if eq .Values.rollout.strategy "gateway-weights" -}}
apiVersion: apps/v1
kind: Deployment
name: {{ include "layerscope.suffixed" (dict "root" . "suffix" "stable") }}
{{- else -}}
apiVersion: apps/v1
kind: Deployment
name: {{ include "layerscope.fullname" . }}
{{- end }}
{{- end }}

{{/* PromQL label matchers selecting this release's scraped series (PodMonitor/ServiceMonitor podTargetLabels). */}}
{{- define "layerscope.promSelector" -}}
namespace="{{ .Release.Namespace }}", app_kubernetes_io_instance="{{ .Release.Name }}"
{{- end }}

{{/* Cross-field checks the schema cannot express; included once by the ConfigMap. */}}
{{- define "layerscope.validate" -}}
{{- $as := .Values.autoscaling }}
{{- if and (ne $as.mode "none") (gt (int $as.minReplicas) (int $as.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) must not exceed autoscaling.maxReplicas (%d)" (int $as.minReplicas) (int $as.maxReplicas)) }}
{{- end }}
{{- if and (eq .Values.rollout.strategy "gateway-weights") (not .Values.httpRoute.enabled) }}
{{- fail "rollout.strategy=gateway-weights needs httpRoute.enabled=true" }}
{{- end }}
{{- end }}
