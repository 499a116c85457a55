#!/usr/bin/env bash
# Install Mesa's software Vulkan driver (lavapipe) so LiteRT's GPU accelerator
# (WebGPU over Vulkan) can run on a machine without a GPU. Debian bookworm's
# Mesa 22 is refused by Dawn; bookworm-backports' Mesa 25 works.
#
# Exits 0 only when a usable driver is installed (Mesa >= 25, its ICD file
# present); otherwise it says why on stderr and exits 1, so CI (root, Debian)
# stops instead of running the GPU tests without an adapter. Once the ICD file
# exists, the GPU tests fail rather than skip when the probe finds no adapter
# (tests/conftest.py: gpu_required).
#
# It also installs the other tools the test suite drives for real: adb (the
# Android benchmark target's transport; tests/test_bench_android.py runs it with
# no phone attached); for android_demo/ (tests/test_android_*.py) Debian's aapt
# with android-framework-res (checks the app's manifest and resources), junit4
# and libhamcrest-java (run core's JUnit tests), and the kotlin-compiler npm
# package pinned in android_demo/core/package-lock.json (`npm ci` there: kotlinc,
# which compiles core; needs the npm registry). It keeps its name because the
# README's test command calls it. Run again, it checks and exits at once.
set -u
ICD=/usr/share/vulkan/icd.d/lvp_icd.json
fail() { echo "software Vulkan: $*" >&2; exit 1; }
mesa_version() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null; }
usable() { [ -f "$ICD" ] && mesa_version | grep -Eq '^(2[5-9]|[3-9][0-9])\.'; }

PACKAGES=(adb aapt android-framework-res junit4 libhamcrest-java)
TOOLS=(adb aapt)
FILES=(/usr/share/android-framework-res/framework-res.apk /usr/share/java/junit4.jar /usr/share/java/hamcrest.jar)
tools_missing() {
    for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null || return 0; done
    for f in "${FILES[@]}"; do [ -f "$f" ] || return 0; done
    return 1
}
CORE="$(cd "$(dirname "$0")/.." && pwd)/android_demo/core"
KOTLINC="$CORE/node_modules/kotlin-compiler/bin/kotlinc"
locked_kotlin() { node -p "require('$CORE/package-lock.json').packages['node_modules/kotlin-compiler'].version" 2>/dev/null; }
kotlin_ready() {
    [ -x "$KOTLINC" ] && [ "$(node -p "require('$CORE/node_modules/kotlin-compiler/package.json').version" 2>/dev/null)" = "$(locked_kotlin)" ]
}
install_kotlin() {
    kotlin_ready && return 0
    command -v npm >/dev/null || fail "needs npm (Node.js) to install the kotlin-compiler pinned in $CORE/package-lock.json"
    local npm_log; npm_log=$(mktemp)
    (cd "$CORE" && npm ci --no-audit --no-fund --loglevel=error) >"$npm_log" 2>&1 \
        || { tail -5 "$npm_log" >&2; fail "npm ci in $CORE failed (is the npm registry reachable?)"; }
    rm -f "$npm_log"
    kotlin_ready || fail "npm ci ran but $KOTLINC is missing or not the locked version $(locked_kotlin)"
}
if usable && ! tools_missing; then
    install_kotlin
    echo "software Vulkan: already installed, Mesa $(mesa_version) ($ICD); ${PACKAGES[*]} and kotlinc $(locked_kotlin) present"; exit 0
fi
[ "$(id -u)" = 0 ] || fail "needs root to install mesa-vulkan-drivers (running as $(id -un)); run it as root or install Mesa >= 25's lavapipe yourself"
command -v apt-get >/dev/null || fail "needs apt-get (Debian/Ubuntu) to install mesa-vulkan-drivers; install Mesa >= 25's lavapipe yourself"
. /etc/os-release
suite=()
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            > /etc/apt/sources.list.d/backports.sources || fail "could not add bookworm-backports to apt's sources"
    fi
    suite=(-t bookworm-backports)
fi
log=$(mktemp)
apt-get update -qq >"$log" 2>&1 || { tail -5 "$log" >&2; fail "apt-get update failed"; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${suite[@]}" mesa-vulkan-drivers libvulkan1 >"$log" 2>&1 \
    || { tail -5 "$log" >&2; fail "apt-get install ${suite[*]} mesa-vulkan-drivers libvulkan1 failed"; }
if tools_missing; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}" >"$log" 2>&1 \
        || { tail -5 "$log" >&2; fail "apt-get install ${PACKAGES[*]} failed"; }
fi
rm -f "$log"
for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null || fail "$t is not on PATH after apt-get install"; done
for f in "${FILES[@]}"; do [ -f "$f" ] || fail "$f is missing after apt-get install ${PACKAGES[*]}"; done
install_kotlin
usable || fail "installed Mesa $(mesa_version) but $ICD is missing or Mesa is older than 25 (Dawn refuses Mesa 22)"
echo "software Vulkan: Mesa $(mesa_version) ($ICD); ${PACKAGES[*]} and kotlinc $(locked_kotlin) installed"
