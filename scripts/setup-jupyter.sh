#!/usr/bin/env bash
# Set up headless Jupyter for the notebooks: Debian's Jupyter packages (installed when run as root
# with apt-get, otherwise listed) and the tslab kernel registered project-locally in .jupyter/.
# Idempotent: safe to run before every report. Needs `npm ci` to have installed tslab.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/jupyter-env.sh
source scripts/jupyter-env.sh

# jupyter-nbconvert is the `jupyter nbconvert` command (python3-nbconvert is only the module: python3 -m nbconvert).
apt_packages=(jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-nbconvert python3-nbformat)
# chromium renders the reports' SVG/PNG figures (without it they are skipped with a notice) and
# scripts/screenshot.sh; install it with --with-chromium (CI gets it from setup-swiftshader.sh).
if [[ "${1:-}" == "--with-chromium" ]]; then apt_packages+=(chromium); fi

have_python_modules() {
  [[ -x "$STALELAB_PYTHON" ]] && "$STALELAB_PYTHON" -c 'import nbclient, nbconvert, nbformat, jupyter_client' 2>/dev/null
}

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})) || ! have_python_modules; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup-jupyter: installing ${missing[*]:-Jupyter packages} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then
    echo "setup-jupyter: installing ${missing[*]:-Jupyter packages} with sudo apt-get"
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  else
    echo "setup-jupyter: Jupyter is missing. Install it (Debian/Ubuntu) with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${apt_packages[*]}" >&2
    echo "or point STALELAB_PYTHON at a python3 that has nbclient, nbconvert, nbformat and jupyter_client." >&2
    exit 1
  fi
fi
have_python_modules || { echo "setup-jupyter: $STALELAB_PYTHON still cannot import nbclient/nbconvert/nbformat/jupyter_client" >&2; exit 1; }

if [[ ! -x node_modules/.bin/tslab ]]; then
  echo "setup-jupyter: node_modules/.bin/tslab not found; run 'npm ci' first" >&2
  exit 1
fi

# node_modules/stalelab -> .. (also npm's "prepare"): notebooks import 'stalelab', and tslab's type
# checker finds a package only in node_modules/.
node scripts/link-self.mjs
mkdir -p "$JUPYTER_PATH" "$JUPYTER_CONFIG_DIR" "$JUPYTER_DATA_DIR" "$JUPYTER_RUNTIME_DIR" "$IPYTHONDIR" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# The kernel spec records absolute paths, so it is regenerated on every run (the checkout may move).
node_modules/.bin/tslab install --python="$STALELAB_PYTHON" --binary="$root/node_modules/.bin/tslab" --prefix="$root/.jupyter" >/dev/null
spec="$JUPYTER_PATH/kernels/tslab/kernel.json"
[[ -f "$spec" ]] || { echo "setup-jupyter: tslab install did not write $spec" >&2; exit 1; }
"$STALELAB_PYTHON" - "$spec" <<'PY'
import json, sys
from jupyter_client.kernelspec import KernelSpecManager
specs = KernelSpecManager().find_kernel_specs()
if "tslab" not in specs:
    sys.exit(f"setup-jupyter: kernel 'tslab' is not visible to Jupyter (found {sorted(specs)})")
print("setup-jupyter: tslab kernel at", specs["tslab"])
PY
# The shell commands environment.md shows, not only the Python modules.
for sub in notebook nbconvert; do
  command -v "jupyter-$sub" >/dev/null || { echo "setup-jupyter: 'jupyter $sub' is not available (no jupyter-$sub on PATH; Debian package jupyter-$sub)" >&2; exit 1; }
done
echo "setup-jupyter: jupyter nbconvert $(jupyter nbconvert --version), jupyter notebook $(jupyter notebook --version)"
