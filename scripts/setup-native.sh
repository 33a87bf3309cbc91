#!/usr/bin/env bash
# Build stalelab's native backend ('blas': dense and LeNet gradients on OpenBLAS): Debian's
# libopenblas-dev (installed when run as root or with sudo), then node-gyp against Node's headers.
# Idempotent. Without it every model runs on TensorFlow.js (wasm), only slower.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/apt-install.sh setup-native libopenblas-dev g++ make python3
npm run --silent build:native >/dev/null
test -f native/build/Release/stalelab_native.node
echo "setup-native: built native/build/Release/stalelab_native.node"
