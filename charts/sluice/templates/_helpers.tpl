{{/*
Names are fixed, not derived from the release name: the controller looks for its Lease
(sluice-controller) and its certificate Secret (sluice-webhook-tls) by these names, and the
webhook configuration and ClusterRole are cluster-wide, so one release per cluster.
*/}}

{{- define "sluice.labels" -}}
app.kubernetes.io/part-of: sluice
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "sluice.controller.selectorLabels" -}}
app.kubernetes.io/name: sluice-controller
{{- end -}}

{{- define "sluice.controller.labels" -}}
{{ include "sluice.controller.selectorLabels" . }}
{{ include "sluice.labels" . }}
{{- end -}}

{{- define "sluice.controller.image" -}}
{{ .Values.controller.image.repository }}:{{ .Values.controller.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "sluice.sidecar.image" -}}
{{ .Values.sidecar.image.repository }}:{{ .Values.sidecar.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Service the API server calls, and the DNS names its certificate must carry. */}}
{{- define "sluice.webhook.dnsNames" -}}
- sluice-controller.{{ .Release.Namespace }}.svc
- sluice-controller.{{ .Release.Namespace }}.svc.cluster.local
{{- end -}}

{{- define "sluice.webhook.excludedNamespaces" -}}
{{- $names := list "kube-system" .Release.Namespace -}}
{{- range .Values.webhook.excludeNamespaces }}{{ $names = append $names . }}{{ end -}}
{{- toJson ($names | uniq) -}}
{{- end -}}

{{/*
Whether a Prometheus Operator monitor is rendered: "true" or "false". The value is true, false,
or "auto" (the default): only when the cluster serves monitoring.coreos.com/v1, so a plain
cluster installs without them (their kinds are unknown there and would fail the whole install).
Called with (list $ .Values.monitoring.<monitor>.enabled).
*/}}
{{- define "sluice.monitoring.enabled" -}}
{{- $root := index . 0 -}}
{{- $setting := index . 1 -}}
{{- if eq (toString $setting) "auto" -}}
{{- $root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}
{{- else -}}
{{- $setting -}}
{{- end -}}
{{- end -}}
