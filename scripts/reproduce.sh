#!/usr/bin/env bash
# The main job on a fresh machine: install (npm ci, unless node_modules already matches the lock
# file), set up Jupyter + the tslab kernel, build the library, and run every notebook headless in
# the quick profile → reports/<notebook>.html and the tables behind every figure in reports/<notebook>/.
#
#   bash scripts/reproduce.sh                       # quick profile (≈20 min on 2 CPU cores, plus the install)
#   STALELAB_PROFILE=smoke bash scripts/reproduce.sh  # seconds-scale check that everything runs
#   STALELAB_PROFILE=full bash scripts/reproduce.sh   # paper-scale settings (a GPU job)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

stamp=node_modules/.stalelab-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi
bash scripts/setup-jupyter.sh
# The native backend is a speed-up, not a requirement: without it the notebooks run on wasm.
bash scripts/setup-native.sh || echo "reproduce: the native 'blas' backend could not be built; models run on TensorFlow.js wasm (slower)" >&2
exec bash scripts/report.sh "$@"
