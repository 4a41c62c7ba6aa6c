#!/usr/bin/env bash
# Opt-in tier, by hand only: builds kube-apiserver from Debian's `kubernetes` source package, starts it with
# Debian's etcd on 127.0.0.1, runs test/real-apiserver.test.ts against it, and stops both.
#
#   scripts/real-apiserver.sh            # build if needed, start, test, stop
#   scripts/real-apiserver.sh build      # only build (slow: tens of minutes on 2 cores)
#   scripts/real-apiserver.sh start      # start etcd + apiserver, print LBKIT_KUBE_APISERVER, leave running
#   scripts/real-apiserver.sh stop       # stop what `start` left running (by the pids it recorded)
#
# Everything (source, binaries, certs, token, etcd data) lives in $KUBE_BUILD_DIR (default /work/kube-build),
# never in the repository. Needs root for apt-get (Debian bookworm: golang-go 1.19, etcd-server 3.4,
# golang-github-modern-go-reflect2-dev 1.0.2, dpkg-dev, jq, rsync) and a deb-src entry for bookworm/main.
#
# Known pitfalls handled here:
# - Kubernetes 1.20 vendors reflect2 1.0.1, which crashes under Go 1.19 on the first status patch: the
#   vendored copy is replaced with Debian's reflect2 1.0.2 (same import path; vendor/modules.txt unchanged).
# - The vendored OpenAPI schema validator mistakes "" for null under Go 1.19 (see build()); patched back.
# - On loopback the endpoints reconciler cannot publish 127.0.0.1: --endpoint-reconciler-type=none.
# - A 1.20 server drops spec.loadBalancerClass, spec.ipFamilies/ipFamilyPolicy and status ingress ipMode,
#   and serves EndpointSlice only as discovery.k8s.io/v1beta1.
set -euo pipefail

if [[ "${CI:-}" == "true" ]]; then
  echo "real-apiserver.sh is a manual tier; it does not run in CI" >&2
  exit 1
fi

W="${KUBE_BUILD_DIR:-/work/kube-build}"
PKG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-12379}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${APISERVER_PORT:-16443}"
# Cluster IPs are only allocated, never routed; documentation range per the project's network rules.
SERVICE_RANGE="${SERVICE_RANGE:-198.51.100.0/24}"
SRC="$W/src"
BIN="$SRC/_output/bin/kube-apiserver"
RUN="$W/run"

log() { echo "[real-apiserver] $*" >&2; }

install_packages() {
  if [[ ! -f /etc/apt/sources.list.d/kube-src.sources ]]; then
    cat >/etc/apt/sources.list.d/kube-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  flock /tmp/apt.lock apt-get update
  flock /tmp/apt.lock apt-get install -y golang-go etcd-server etcd-client \
    golang-github-modern-go-reflect2-dev dpkg-dev jq rsync openssl curl
}

build() {
  if [[ -x "$BIN" ]]; then
    log "already built: $BIN"
    return
  fi
  install_packages
  mkdir -p "$W"
  cd "$W"
  if [[ ! -d "$SRC" ]]; then
    apt-get source --download-only kubernetes
    dpkg-source -x kubernetes_*.dsc src
  fi
  cd "$SRC"
  # reflect2 1.0.1 -> Debian's 1.0.2, in place of the vendored copy.
  local r2=vendor/github.com/modern-go/reflect2
  rm -f "$r2"/*.go "$r2"/*.s
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$r2"/
  # The schema validator (kube-openapi's fork of go-openapi/validate, and go-openapi itself) treats a value
  # as JSON null when reflect.DeepEqual(reflect.Zero(T), reflect.ValueOf(v)) holds. That compares
  # reflect.Value internals: false for every value under the Go 1.15 that built upstream 1.20, but true
  # for "" under Go 1.19, so the server would reject any CR holding an empty string
  # ("must be of type string: \"null\""). Restore the upstream 1.20 behaviour: only a real nil is null.
  local f
  for f in vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go vendor/github.com/go-openapi/validate/type.go; do
    sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' "$f"
    grep -q 'if data == nil {$' "$f"
  done
  # As debian/rules does: a GOPATH with k8s.io/kubernetes pointing at the tree; make also runs the code
  # generators (openapi) that the source tarball does not carry pre-generated.
  mkdir -p .go/src/k8s.io "$W/home"
  ln -sfn ../../.. .go/src/k8s.io/kubernetes
  GOPATH="$SRC/.go" PATH="/usr/lib/go/bin:$PATH" CGO_ENABLED=0 HOME="$W/home" \
    nice -n 19 make WHAT=cmd/kube-apiserver
  log "built: $BIN ($("$BIN" --version))"
}

credentials() {
  mkdir -p "$RUN/pki"
  [[ -f "$RUN/sa.key" ]] || openssl genrsa -out "$RUN/sa.key" 2048 2>/dev/null
  if [[ ! -f "$RUN/tokens.csv" ]]; then
    local token
    token="$(openssl rand -hex 24)"
    # token,user,uid,"groups": a throwaway cluster admin, valid only against this loopback server.
    echo "$token,lbkit-admin,lbkit-admin,\"system:masters\"" >"$RUN/tokens.csv"
    chmod 600 "$RUN/tokens.csv"
  fi
  local token
  token="$(cut -d, -f1 "$RUN/tokens.csv")"
  cat >"$RUN/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: real
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    insecure-skip-tls-verify: true
users:
- name: real
  user:
    token: $token
contexts:
- name: real
  context: {cluster: real, user: real}
current-context: real
EOF
  chmod 600 "$RUN/kubeconfig"
}

stop() {
  local name pidfile pid
  for name in kube-apiserver etcd; do
    pidfile="$RUN/$name.pid"
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping $name (pid $pid)"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

start() {
  [[ -x "$BIN" ]] || { log "no $BIN: run '$0 build' first"; exit 1; }
  mkdir -p "$RUN"
  stop
  credentials
  rm -rf "$RUN/etcd-data"
  etcd --name lbkit --data-dir "$RUN/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "lbkit=http://127.0.0.1:$ETCD_PEER_PORT" \
    >"$RUN/etcd.log" 2>&1 &
  echo $! >"$RUN/etcd.pid"
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS "http://127.0.0.1:$ETCD_CLIENT_PORT/health" >/dev/null || { log "etcd did not start"; tail "$RUN/etcd.log"; stop; exit 1; }
  "$BIN" \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --insecure-port 0 --cert-dir "$RUN/pki" \
    --token-auth-file "$RUN/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$RUN/sa.key" --service-account-signing-key-file "$RUN/sa.key" \
    --service-cluster-ip-range "$SERVICE_RANGE" \
    --endpoint-reconciler-type none \
    --profiling=false \
    >"$RUN/kube-apiserver.log" 2>&1 &
  echo $! >"$RUN/kube-apiserver.pid"
  local token
  token="$(cut -d, -f1 "$RUN/tokens.csv")"
  for _ in $(seq 1 120); do
    curl -fsSk -H "Authorization: Bearer $token" "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! curl -fsSk -H "Authorization: Bearer $token" "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null; then
    log "kube-apiserver not ready"; tail -20 "$RUN/kube-apiserver.log"; stop; exit 1
  fi
  log "ready: $("$BIN" --version), etcd $(etcd --version | head -1)"
  echo "LBKIT_KUBE_APISERVER=$RUN/kubeconfig"
}

run_test() {
  cd "$PKG_DIR"
  LBKIT_KUBE_APISERVER="$RUN/kubeconfig" npx tap test/real-apiserver.test.ts
}

case "${1:-all}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  test) run_test ;;
  all)
    build
    trap stop EXIT INT TERM
    start
    run_test
    ;;
  *) echo "usage: $0 [all|build|start|test|stop]" >&2; exit 2 ;;
esac
