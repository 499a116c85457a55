#!/usr/bin/env bash
# Install Mesa's software Vulkan driver (lavapipe) so LiteRT's GPU accelerator
# (WebGPU over Vulkan) can run on a machine without a GPU. Debian bookworm's
# Mesa 22 is refused by Dawn; bookworm-backports' Mesa 25 works.
# Best effort: on anything but a root Debian/Ubuntu shell it says why and exits 0,
# and the GPU tests skip, saying no GPU adapter was found.
set -u
ICD=/usr/share/vulkan/icd.d/lvp_icd.json
if [ -f "$ICD" ] && dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q '^25\|^2[6-9]'; then
    echo "software Vulkan: already installed ($ICD)"; exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "software Vulkan: skipped (needs root and apt-get); GPU accelerator tests will skip"; exit 0
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            > /etc/apt/sources.list.d/backports.sources
    fi
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null 2>&1 \
        || echo "software Vulkan: apt-get install from bookworm-backports failed; GPU accelerator tests will skip"
else
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null 2>&1 \
        || echo "software Vulkan: apt-get install failed; GPU accelerator tests will skip"
fi
[ -f "$ICD" ] && echo "software Vulkan: $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) ($ICD)"
exit 0
