# Sourced by scripts/services: headless Chromium and its driver for the browser tests.
# Installs Debian's `chromium`, `chromium-driver`, `chromium-l10n` (its zh-CN.pak: the tests run
# the browser in zh-CN, so date inputs read 年/月/日 as a Chinese user's do; see tests/browser.py)
# and a CJK font (`fonts-wqy-microhei`, so screenshots show Chinese instead of boxes) with apt
# when missing (idempotent; runs
# `apt-get update` only when the packages are not found) and exports DUBAN_CHROMIUM. Nothing
# here downloads a browser build. Fails loudly: the browser tests never skip.

_duban_chromium() {
    local bin=/usr/bin/chromium sudo=()
    if [ ! -x "$bin" ] || ! command -v chromedriver >/dev/null 2>&1 \
        || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
        || [ ! -e /usr/lib/chromium/locales/zh-CN.pak ]; then
        [ "$(id -u)" = 0 ] || sudo=(sudo)
        echo "chromium: installing chromium, chromium-driver, chromium-l10n and fonts-wqy-microhei (apt-get)"
        if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver chromium-l10n fonts-wqy-microhei >/dev/null 2>&1; then
            "${sudo[@]}" apt-get update -qq || true
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver chromium-l10n fonts-wqy-microhei >/dev/null || {
                echo "chromium: FAILED to install chromium, chromium-driver and chromium-l10n with apt-get" >&2
                return 1
            }
        fi
    fi
    "$bin" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1 || {
        echo "chromium: $bin does not start; run '$bin --headless --no-sandbox --version' to see why" >&2
        return 1
    }
    export DUBAN_CHROMIUM="$bin"
    echo "chromium: $("$bin" --version 2>/dev/null)"
}

_duban_chromium || { echo "chromium: headless Chromium could not be provided" >&2; return 1 2>/dev/null || exit 1; }
unset -f _duban_chromium
