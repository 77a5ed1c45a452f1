{{- define "pier.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pier.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "pier.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "pier.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "pier.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "pier.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "pier.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Pier's command-line flags, from the values. */}}
{{- define "pier.args" -}}
- --http-port={{ .Values.containerPorts.http }}
- --https-port={{ .Values.containerPorts.https }}
- --admin-port={{ .Values.containerPorts.admin }}
- --ingress-class={{ .Values.ingressClass.name }}
- --controller-class={{ .Values.ingressClass.controllerClass }}
{{- if .Values.watchIngressWithoutClass }}
- --watch-ingress-without-class
{{- end }}
{{- range .Values.watchNamespaces }}
- --watch-namespace={{ . }}
{{- end }}
{{- if .Values.publishStatusAddresses }}
- --publish-status-address={{ join "," .Values.publishStatusAddresses }}
{{- else if .Values.publishService.enabled }}
- --publish-service={{ default (printf "%s/%s" .Release.Namespace (include "pier.fullname" .)) .Values.publishService.pathOverride }}
{{- end }}
{{- if .Values.leaderElection.enabled }}
- --election-id={{ .Values.leaderElection.id }}
- --election-namespace={{ .Release.Namespace }}
{{- else }}
- --disable-leader-election
{{- end }}
{{- with .Values.defaultSslCertificate }}
- --default-ssl-certificate={{ . }}
{{- end }}
{{- with .Values.defaultBackendService }}
- --default-backend-service={{ . }}
{{- end }}
- --hsts={{ .Values.hsts }}
{{- if not .Values.http2 }}
- --no-http2
{{- end }}
- --tls-engine={{ .Values.tlsEngine }}
- --access-log={{ .Values.accessLog }}
{{- if .Values.metricsPerHost }}
- --metrics-per-host
{{- end }}
{{- with .Values.trustedProxies }}
- --trusted-proxies={{ join "," . }}
{{- end }}
{{- if .Values.proxyProtocol }}
- --proxy-protocol
{{- end }}
- --shutdown-delay={{ .Values.shutdown.delay }}
- --shutdown-grace={{ .Values.shutdown.grace }}
{{- range .Values.extraArgs }}
- {{ . }}
{{- end }}
{{- end -}}

{{/* The namespaced rules: cluster-wide in the ClusterRole, or per watched namespace in Roles. */}}
{{- define "pier.watchRules" -}}
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["services", "secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
