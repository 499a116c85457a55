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
# It also installs the other Debian packages the test suite drives for real:
# adb (the Android benchmark target's transport; tests/test_bench_android.py
# runs it with no phone attached). It keeps its name because the README's test
# command calls it.
set -u
ICD=/usr/share/vulkan/icd.d/lvp_icd.json
fail() { echo "software Vulkan: $*" >&2; exit 1; }
mesa_version() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null; }
usable() { [ -f "$ICD" ] && mesa_version | grep -Eq '^(2[5-9]|[3-9][0-9])\.'; }

TOOLS=(adb)
tools_missing() { for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null || return 0; done; return 1; }
if usable && ! tools_missing; then
    echo "software Vulkan: already installed, Mesa $(mesa_version) ($ICD); ${TOOLS[*]} present"; exit 0
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
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${TOOLS[@]}" >"$log" 2>&1 \
        || { tail -5 "$log" >&2; fail "apt-get install ${TOOLS[*]} failed"; }
fi
rm -f "$log"
for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null || fail "$t is not on PATH after apt-get install"; done
usable || fail "installed Mesa $(mesa_version) but $ICD is missing or Mesa is older than 25 (Dawn refuses Mesa 22)"
echo "software Vulkan: Mesa $(mesa_version) ($ICD); ${TOOLS[*]} installed"
