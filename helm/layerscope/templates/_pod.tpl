{{/*
The pod template shared by the Deployment, the Argo Rollout and both gateway-weights Deployments.
Call with (dict "root" $ "track" "" | "stable" | "canary").
*/}}
{{- define "layerscope.podTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $track := .track | default "" }}
{{- $canary := eq $track "canary" }}
{{- $repo := include "layerscope.modelRepository" $root }}
metadata:
  labels:
    {{- include "layerscope.labels" $root | nindent 4 }}
    app.kubernetes.io/component: inference-server
    {{- with $track }}
    layerscope.io/track: {{ . }}
    {{- end }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if $v.monitoring.scrapeAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: "8002"
    prometheus.io/path: /metrics
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "layerscope.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $v.serviceAccount.automountServiceAccountToken }}
  terminationGracePeriodSeconds: {{ include "layerscope.terminationGracePeriodSeconds" $root }}
  enableServiceLinks: false
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.runtimeClassName }}
  runtimeClassName: {{ . }}
  {{- end }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if $v.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range $v.topologySpread.topologyKeys }}
    - maxSkew: {{ $v.topologySpread.maxSkew }}
      topologyKey: {{ . }}
      whenUnsatisfiable: {{ $v.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "layerscope.selectorLabels" $root | nindent 10 }}
      matchLabelKeys:
        - {{ ternary "rollouts-pod-template-hash" "pod-template-hash" (eq $v.rollout.strategy "argo") }}
    {{- end }}
  {{- end }}
  {{- if eq $v.model.source "download" }}
  {{- if not (or $v.model.download.url $v.model.download.command) }}
  {{- fail "model.source=download needs model.download.url (or your own model.download.command)" }}
  {{- end }}
  initContainers:
    - name: fetch-models
      image: {{ $v.model.download.image | default (include "layerscope.image" (dict "root" $root)) | quote }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      {{- if $v.model.download.command }}
      command:
        {{- toYaml $v.model.download.command | nindent 8 }}
      {{- else }}
      command: ["node", "/etc/layerscope/fetch-models.mjs"]
      {{- end }}
      {{- with $v.model.download.args }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      env:
        - name: MODEL_URL
          value: {{ $v.model.download.url | quote }}
        - name: MODEL_SHA256
          value: {{ $v.model.download.sha256 | quote }}
        - name: MODEL_DIR
          value: {{ $v.model.mountPath | quote }}
        {{- with $v.model.download.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      {{- with $v.model.download.resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      volumeMounts:
        - name: models
          mountPath: {{ $v.model.mountPath }}
        - name: tmp
          mountPath: /tmp
        - name: config
          mountPath: /etc/layerscope
          readOnly: true
  {{- end }}
  containers:
    - name: layerscope
      {{- if $canary }}
      image: {{ include "layerscope.image" (dict "root" $root "tag" $v.rollout.canary.image.tag "digest" $v.rollout.canary.image.digest) | quote }}
      {{- else }}
      image: {{ include "layerscope.image" (dict "root" $root) | quote }}
      {{- end }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      args:
        - serve
        - --model-repository
        - {{ $repo }}
        - --config
        - /etc/layerscope/server.json
        {{- with $v.server.extraArgs }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      env:
        - name: LAYERSCOPE_HTTP_PORT
          value: "8000"
        - name: LAYERSCOPE_METRICS_PORT
          value: "8002"
        - name: LAYERSCOPE_GRACE_PERIOD_MS
          value: {{ mul (int $v.server.gracePeriodSeconds) 1000 | quote }}
        - name: LAYERSCOPE_LOG_LEVEL
          value: {{ $v.server.logLevel | quote }}
        - name: LAYERSCOPE_REPOSITORY_API
          value: {{ $v.server.repositoryApi | quote }}
        - name: LAYERSCOPE_EXECUTION_PROVIDERS
          value: {{ join "," ($v.server.executionProviders | default (ternary (list "cuda" "cpu") (list "cpu") $v.gpu.enabled)) | quote }}
        {{- if gt (int $v.server.instanceCount) 0 }}
        - name: LAYERSCOPE_INSTANCE_COUNT
          value: {{ $v.server.instanceCount | quote }}
        {{- else }}
        # One instance per CPU of the limit (node allocatable without a limit), not per host core.
        - name: LAYERSCOPE_INSTANCE_COUNT
          valueFrom:
            resourceFieldRef:
              containerName: layerscope
              resource: limits.cpu
              divisor: "1"
        {{- end }}
        - name: LAYERSCOPE_INTRA_OP_THREADS
          value: {{ ternary $v.server.intraOpThreads 1 (gt (int $v.server.intraOpThreads) 0) | quote }}
        {{- with $v.server.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: http
          containerPort: 8000
          protocol: TCP
        - name: metrics
          containerPort: 8002
          protocol: TCP
      startupProbe:
        httpGet:
          path: /v2/health/ready
          port: http
        periodSeconds: {{ $v.probes.startup.periodSeconds }}
        failureThreshold: {{ $v.probes.startup.failureThreshold }}
        timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
      readinessProbe:
        httpGet:
          path: /v2/health/ready
          port: http
        periodSeconds: {{ $v.probes.readiness.periodSeconds }}
        failureThreshold: {{ $v.probes.readiness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
      livenessProbe:
        httpGet:
          path: /v2/health/live
          port: http
        periodSeconds: {{ $v.probes.liveness.periodSeconds }}
        failureThreshold: {{ $v.probes.liveness.failureThreshold }}
        timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
      lifecycle:
        preStop:
          exec:
            # Keep serving while endpoints and gateways drop the pod; then SIGTERM starts the drain.
            command: ["sleep", "{{ $v.server.preStopSleepSeconds }}"]
      resources:
        {{- $res := deepCopy ($v.resources | default dict) }}
        {{- if $v.gpu.enabled }}
        {{- $limits := get $res "limits" | default dict }}
        {{- $_ := set $limits $v.gpu.resourceName (int $v.gpu.count) }}
        {{- $_ := set $res "limits" $limits }}
        {{- end }}
        {{- toYaml $res | nindent 8 }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: config
          mountPath: /etc/layerscope
          readOnly: true
        {{- if ne $v.model.source "image" }}
        - name: models
          mountPath: {{ $v.model.mountPath }}
          readOnly: true
          {{- with $v.model.pvc.subPath }}
          subPath: {{ . }}
          {{- end }}
        {{- end }}
        {{- range $name, $_ := $v.modelConfigs }}
        - name: config
          mountPath: {{ printf "%s/%s/config.json" $repo $name }}
          subPath: {{ printf "model-%s.json" $name }}
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $v.tmpSizeLimit }}
    - name: config
      configMap:
        name: {{ include "layerscope.fullname" $root }}
    {{- if eq $v.model.source "pvc" }}
    - name: models
      persistentVolumeClaim:
        claimName: {{ required "model.pvc.claimName is required with model.source=pvc" $v.model.pvc.claimName }}
        readOnly: true
    {{- else if eq $v.model.source "download" }}
    - name: models
      emptyDir:
        sizeLimit: {{ $v.model.download.sizeLimit }}
    {{- end }}
{{- end }}
