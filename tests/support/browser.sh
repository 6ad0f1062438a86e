# Shared by the tests that render a page in headless Chromium, sourced after check.sh: the test
# is skipped (exit 77) without Chromium, and
#   render FILE.html [WIDTH,HEIGHT]   writes FILE.dom, the DOM the browser built, and FILE.png,
#                                     a screenshot (stops the test when either fails)
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP: no chromium found (Debian package 'chromium', see tools/install-deps.sh)"
  exit 77
fi
render() {
  local html=$1 size=${2:-1280,1600}
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$t/profile" --dump-dom "file://$html" >"${html%.html}.dom" 2>"$t/browser.log" \
    || die "chromium could not render $html: $(tail -3 "$t/browser.log")"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$t/profile" --window-size="$size" --screenshot="${html%.html}.png" \
    "file://$html" >/dev/null 2>>"$t/browser.log" || die "no screenshot of $html"
  [ -s "${html%.html}.png" ] || die "empty screenshot of $html"
}
