#!/usr/bin/env bash
# Install Debian packages that are missing, as root or with passwordless sudo; otherwise print
# the command to run and fail. Used by the set-up scripts (Jupyter, OpenBLAS, Redis).
#   bash scripts/apt-install.sh WHAT package...
set -euo pipefail
what="$1"
shift
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  run=()
elif command -v sudo >/dev/null && command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then
  run=(sudo -n)
else
  echo "$what: missing Debian packages. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "$what: installing ${missing[*]} with apt-get"
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
