{{/* Common labels; `component` is controller or speaker. */}}
{{- define "lbkit.labels" -}}
app.kubernetes.io/name: lbkit
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Selector labels: stable across upgrades. */}}
{{- define "lbkit.selector" -}}
app.kubernetes.io/name: lbkit
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "lbkit.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
