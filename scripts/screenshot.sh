#!/usr/bin/env bash
# Screenshot an HTML report in headless Chromium (Debian's /usr/bin/chromium), to look at it as a
# reader would. OFFSET scrolls down that many pixels first (the page is framed at that offset), so
# a long report can be viewed in pieces:
#   bash scripts/screenshot.sh reports/00-quickstart.html out.png [WIDTH=1200] [HEIGHT=1600] [OFFSET=0]
set -euo pipefail
usage="usage: screenshot.sh REPORT.html OUT.png [width] [height] [offset]"
html="$(realpath "${1:?$usage}")"
out="$(realpath -m "${2:?$usage}")"
width="${3:-1200}"
height="${4:-1600}"
offset="${5:-0}"
browser="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$browser" ]] || { echo "screenshot: chromium not found (apt-get install chromium)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
page="file://$html"
if [[ "$offset" != 0 ]]; then
  cat >"$work/frame.html" <<HTML
<!doctype html><html><body style="margin:0;overflow:hidden">
<iframe src="file://$html" style="border:0;width:100%;height:$((offset + height))px;margin-top:-${offset}px"></iframe>
</body></html>
HTML
  page="file://$work/frame.html"
fi
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --hide-scrollbars --allow-file-access-from-files --user-data-dir="$work/profile" \
  --virtual-time-budget=10000 --window-size="$width,$height" --screenshot="$out" "$page" 2>/dev/null
echo "screenshot: $out"
