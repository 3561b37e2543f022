#!/usr/bin/env bash
# Deploys deploy/ha on a kind cluster and checks the tunnel: builds and loads both images, generates the
# secrets (throwaway CA), runs a stand-in of the seed's CONNECT ingress, waits for every pod, then checks
# that the kube-apiserver pod reaches a shoot address that exists only behind the tunnel, and that it still
# does after the server carrying the active path is deleted. Needs docker, kind, kubectl, openssl, openvpn
# (for the tls-auth key) and podman (npm run images). Not part of npm test. KEEP=1 leaves the cluster.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in docker kind kubectl openssl openvpn podman; do
  command -v "$tool" >/dev/null || { echo "e2e/kind/run.sh: $tool is missing (needs docker, kind, kubectl, openssl, openvpn, podman)"; exit 1; }
done
docker info >/dev/null 2>&1 || { echo "e2e/kind/run.sh: the docker daemon is not reachable"; exit 1; }

cluster=vpn-tunnel-e2e
seed_ns=shoot--local--demo
version=$(node -p 'require("./package.json").version')
work=$(mktemp -d)
cleanup() {
  rm -rf "$work"
  [ "${KEEP:-0}" = 1 ] || kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The manifests' seed pod network (SEED_POD_NETWORK) becomes kind's pod network; the shoot networks exist only
# behind the tunnel.
cat > "$work/kind.yaml" <<YAML
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  podSubnet: 10.96.0.0/11
  serviceSubnet: 10.128.0.0/16
YAML
kind create cluster --name "$cluster" --config "$work/kind.yaml" --wait 120s

npm run images
for image in vpn-seed-server vpn-shoot-client; do
  podman save "localhost/$image:$version" -o "$work/$image.tar"
  kind load image-archive "$work/$image.tar" --name "$cluster"
done

# Throwaway PKI with Gardener's secret names and keys.
pki="$work/pki"
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 \
  -subj /CN=vpn-kind-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
issue() { # name common-name usage
  openssl req -x509 -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$pki/$1.key" -out "$pki/$1.crt" -days 2 -subj "/CN=$2" -addext basicConstraints=critical,CA:FALSE \
    -addext keyUsage=critical,digitalSignature,keyAgreement -addext "extendedKeyUsage=$3" 2>/dev/null
}
issue vpn-seed-server vpn-seed-server serverAuth
issue vpn-seed-client vpn-seed-client clientAuth
issue vpn-shoot-client-0 vpn-shoot-client-0 clientAuth
issue vpn-shoot-client-1 vpn-shoot-client-1 clientAuth
openvpn --genkey tls-auth "$pki/vpn.tlsauth"

kubectl create namespace "$seed_ns"
kubectl -n "$seed_ns" create secret generic ca-vpn --from-file=bundle.crt="$pki/ca.crt"
kubectl -n "$seed_ns" create secret tls vpn-seed-server --cert="$pki/vpn-seed-server.crt" --key="$pki/vpn-seed-server.key"
kubectl -n "$seed_ns" create secret tls vpn-seed-client --cert="$pki/vpn-seed-client.crt" --key="$pki/vpn-seed-client.key"
kubectl -n "$seed_ns" create secret generic vpn-seed-server-tlsauth --from-file=vpn.tlsauth="$pki/vpn.tlsauth"
kubectl -n kube-system create secret generic vpn-shoot-ca --from-file=bundle.crt="$pki/ca.crt"
kubectl -n kube-system create secret generic vpn-shoot-tlsauth --from-file=vpn.tlsauth="$pki/vpn.tlsauth"
for k in 0 1; do
  kubectl -n kube-system create secret tls "vpn-shoot-client-$k" --cert="$pki/vpn-shoot-client-$k.crt" --key="$pki/vpn-shoot-client-$k.key"
done

# Stand-in of the seed's Istio ingress: a CONNECT proxy that connects to the host named in the header value
# outbound|1194||<host> (the replica's name under the headless Service), like the gateway's cluster_header.
kubectl create namespace istio-ingress
kubectl label namespace istio-ingress gardener.cloud/role=istio-ingress
kubectl -n istio-ingress create configmap connect-ingress --from-file=ingress.js=/dev/stdin <<'JS'
const net = require('net');
net.createServer((c) => {
  let head = Buffer.alloc(0);
  const onData = (d) => {
    head = Buffer.concat([head, d]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    c.off('data', onData);
    const m = /\r\nX-Gardener-Destination: *outbound\|1194\|\|([a-z0-9.-]+)\r\n/i.exec(head.subarray(0, end + 2).toString());
    if (!m) return c.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    const u = net.connect(1194, m[1], () => {
      c.write('HTTP/1.1 200 Connection established\r\n\r\n');
      u.write(head.subarray(end + 4));
      c.pipe(u).pipe(c);
    });
    u.on('error', () => c.destroy());
    c.on('error', () => u.destroy());
  };
  c.on('data', onData);
}).listen(8443);
JS
kubectl apply -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {matchLabels: {app: istio-ingressgateway}}
  template:
    metadata: {labels: {app: istio-ingressgateway}}
    spec:
      containers:
        - name: ingress
          image: localhost/vpn-shoot-client:$version
          imagePullPolicy: IfNotPresent
          command: [node, /ingress/ingress.js]
          volumeMounts: [{name: code, mountPath: /ingress}]
      volumes: [{name: code, configMap: {name: connect-ingress}}]
---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-ingress}
spec:
  selector: {app: istio-ingressgateway}
  ports: [{port: 8443, targetPort: 8443}]
YAML
ingress_ip=$(kubectl -n istio-ingress get service istio-ingressgateway -o jsonpath='{.spec.clusterIP}')

# deploy/ha as it is, plus what only this cluster needs: the shoot clients resolve ENDPOINT through the
# node's resolver (dnsPolicy Default), so the name points at the ingress stand-in; and a shoot address that
# only the vpn-shoot pods have (on lo), so reaching it proves the tunnel.
endpoint=$(kubectl kustomize deploy/ha | awk '/name: ENDPOINT/{getline; print $2; exit}' | sed 's/\.$//')
mkdir -p "$work/overlay"
cp -r deploy "$work/overlay/deploy"
cat > "$work/overlay/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deploy/ha]
patches:
  - target: {kind: StatefulSet, name: vpn-shoot}
    patch: |
      - op: add
        path: /spec/template/spec/hostAliases
        value: [{ip: "$ingress_ip", hostnames: ["$endpoint", "$endpoint."]}]
      - op: add
        path: /spec/template/spec/containers/-
        value:
          name: shoot-host
          image: localhost/vpn-shoot-client:$version
          imagePullPolicy: IfNotPresent
          command: [sh, -c, "ip addr add 100.96.0.10/32 dev lo && exec node -e \"require('net').createServer(s => s.end('pong\\\\n')).listen(8080, '100.96.0.10')\""]
          securityContext: {capabilities: {add: [NET_ADMIN]}}
YAML
kubectl apply -k "$work/overlay"
kubectl -n "$seed_ns" rollout status statefulset/vpn-seed-server --timeout=180s
kubectl -n kube-system rollout status statefulset/vpn-shoot --timeout=180s
kubectl -n "$seed_ns" rollout status deployment/kube-apiserver --timeout=180s

reach() { # succeeds when the kube-apiserver pod gets an answer from the shoot address
  kubectl -n "$seed_ns" exec deploy/kube-apiserver -c kube-apiserver -- node -e "
    const s = require('net').connect(8080, '100.96.0.10');
    s.setTimeout(2000, () => process.exit(1)); s.on('error', () => process.exit(1));
    s.on('data', (d) => process.exit(String(d).startsWith('pong') ? 0 : 1));"
}
for _ in $(seq 60); do reach && break; sleep 2; done
reach || { echo "FAIL: the kube-apiserver pod does not reach the shoot through the tunnel"; exit 1; }
echo "ok: kube-apiserver pod reaches 100.96.0.10 (a shoot pod address) through the tunnel"

active=$(kubectl -n "$seed_ns" logs deploy/kube-apiserver -c vpn-path-controller | grep 'active path changed' | tail -n 1 | sed -n 's/.*to=tap\([0-9]\).*/\1/p')
echo "deleting vpn-seed-server-${active:-0} (carries the active path)"
kubectl -n "$seed_ns" delete pod "vpn-seed-server-${active:-0}" --wait=false
sleep 2
reach || { echo "FAIL: no reachability 2 s after deleting the active server"; exit 1; }
echo "ok: still reachable after the active server went away"
