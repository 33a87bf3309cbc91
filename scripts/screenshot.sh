#!/usr/bin/env bash
# Screenshot an HTML report in headless Chromium (Debian's /usr/bin/chromium), to look at it as a
# reader would: bash scripts/screenshot.sh reports/00-quickstart.html out.png [width] [height]
set -euo pipefail
html="${1:?usage: screenshot.sh REPORT.html OUT.png [width] [height]}"
out="${2:?usage: screenshot.sh REPORT.html OUT.png [width] [height]}"
width="${3:-1200}"
height="${4:-3000}"
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "screenshot: chromium not found (apt-get install chromium)" >&2; exit 1; }
profile_dir="$(mktemp -d)"
trap 'rm -rf "$profile_dir"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile_dir" --virtual-time-budget=10000 \
  --window-size="$width,$height" --screenshot="$(realpath -m "$out")" "file://$(realpath "$html")" 2>/dev/null
echo "screenshot: $out"
