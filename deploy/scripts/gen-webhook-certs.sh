#!/usr/bin/env bash
# Generates the admission webhook's TLS material for clusters without cert-manager: a
# self-signed CA and a serving certificate for the controller's Service, signed by it.
#
#   deploy/scripts/gen-webhook-certs.sh [--apply] [--out DIR] [--namespace NS] [--service NAME]
#                                       [--secret NAME] [--webhook NAME] [--days N]
#
# Writes to DIR (default: a new temporary directory, printed at the end):
#   ca.crt ca.key     the CA (keep ca.key private, or delete it: it is only needed to sign again)
#   tls.crt tls.key   the serving certificate and its key (ECDSA P-256), SANs
#                     SERVICE.NS.svc and SERVICE.NS.svc.cluster.local
#   secret.yaml       the Secret (type kubernetes.io/tls, with ca.crt) the controller mounts
#   ca-bundle.b64     the CA, base64, for the webhook configuration's caBundle
# With --apply it also applies secret.yaml and writes caBundle into every webhook of the
# MutatingWebhookConfiguration, with kubectl (or $KUBECTL). Running it again with the same --out
# rotates the serving certificate under the same CA (ca.key is reused when DIR has it), so the
# caBundle stays valid while kubelet updates the mounted Secret; the controller re-reads the
# files without a restart.
# Needs openssl (and kubectl for --apply). Exit codes: 0 ok, 1 failure, 2 usage error.
set -euo pipefail

namespace=sluice-system
service=sluice-controller
secret=sluice-webhook-tls
webhook=sluice-sidecar-injector
days=365
out=""
apply=false
kubectl="${KUBECTL:-kubectl}"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --apply) apply=true ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    --namespace) namespace="${2:?--namespace needs a value}"; shift ;;
    --service) service="${2:?--service needs a value}"; shift ;;
    --secret) secret="${2:?--secret needs a value}"; shift ;;
    --webhook) webhook="${2:?--webhook needs a value}"; shift ;;
    --days) days="${2:?--days needs a value}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gen-webhook-certs.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$days" in ''|*[!0-9]*) echo "gen-webhook-certs.sh: --days must be a number" >&2; exit 2 ;; esac
command -v openssl >/dev/null || { echo "gen-webhook-certs.sh: openssl not found" >&2; exit 1; }

if [ -z "$out" ]; then out="$(mktemp -d)"; fi
mkdir -p "$out"
umask 077
dns1="$service.$namespace.svc"
dns2="$service.$namespace.svc.cluster.local"

if [ -s "$out/ca.key" ] && [ -s "$out/ca.crt" ]; then
  echo "reusing the CA in $out" >&2
else
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key" 2>/dev/null
  # The CA outlives the serving certificates it signs, so rotations keep the caBundle.
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days "$((days * 10))" -subj "/CN=sluice-webhook-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt" 2>/dev/null
fi

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/tls.key" 2>/dev/null
openssl req -new -key "$out/tls.key" -subj "/CN=$dns1" -out "$out/tls.csr" 2>/dev/null
cat > "$out/tls.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:$dns1,DNS:$dns2
EXT
openssl x509 -req -in "$out/tls.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -sha256 -days "$days" -extfile "$out/tls.ext" -out "$out/tls.crt" 2>/dev/null
rm -f "$out/tls.csr" "$out/tls.ext" "$out/ca.srl"
openssl verify -CAfile "$out/ca.crt" "$out/tls.crt" >/dev/null

b64() { base64 -w0 < "$1"; }
b64 "$out/ca.crt" > "$out/ca-bundle.b64"
cat > "$out/secret.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $secret
  namespace: $namespace
  labels:
    app.kubernetes.io/part-of: sluice
type: kubernetes.io/tls
data:
  ca.crt: $(b64 "$out/ca.crt")
  tls.crt: $(b64 "$out/tls.crt")
  tls.key: $(b64 "$out/tls.key")
YAML

if $apply; then
  "$kubectl" apply -f "$out/secret.yaml"
  count="$("$kubectl" get mutatingwebhookconfiguration "$webhook" -o jsonpath='{.webhooks[*].name}' | wc -w)"
  [ "$count" -gt 0 ] || { echo "gen-webhook-certs.sh: MutatingWebhookConfiguration $webhook has no webhooks (apply deploy/ first)" >&2; exit 1; }
  patch="["
  for ((i = 0; i < count; i++)); do
    [ "$i" = 0 ] || patch+=","
    patch+="{\"op\":\"add\",\"path\":\"/webhooks/$i/clientConfig/caBundle\",\"value\":\"$(cat "$out/ca-bundle.b64")\"}"
  done
  patch+="]"
  "$kubectl" patch mutatingwebhookconfiguration "$webhook" --type=json -p "$patch"
fi
echo "webhook certificate for $dns1 written to $out" >&2
