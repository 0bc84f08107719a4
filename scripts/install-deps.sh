#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-deps.sh - install everything pvx needs on a Debian 12 machine.
# Idempotent: a package already present is not touched, the Unicorn wheel is
# fetched only when build/deps/unicorn is missing or holds another version
# than UNICORN_VERSION below (the one place it is named: bump it here and make
# fetches it again). Called by make when a tool is missing; safe to run by hand.
#
#   install-deps.sh          install what is missing
#   install-deps.sh --list   print the Debian packages it installs, one a line
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"

pkgs=(
    make gcc libc6-dev lib32gcc-12-dev binutils  # host build, -m32 libgcc for 64-bit division helpers
    libcapstone-dev libcunit1-dev pkg-config       # simulator disassembly, unit tests
    libslirp-dev tshark                            # the simulator's user network; reading its captures
    qemu-system-x86 grub-pc-bin grub-common xorriso mtools  # metal lane: QEMU + GRUB ISO
    bochs bochs-term bochsbios vgabios             # hardware-faithful lane (scripts/pvx-bochs); bochs-term
                                                   # stands for the GUI bochs depends on (we use its RFB display)
    gcovr gdb clang llvm                           # coverage, debugger, libFuzzer
    python3 python3-pip gnuplot-nox               # Unicorn wheel fetch, scheduler plots
    cpio                                           # the toolstack's initrd (guests/xl)
)

if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "${pkgs[@]}"
    exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Unicorn >= 2.1 from PyPI's wheel, unpacked into build/deps (Debian's 2.0.1
# cannot translate guest virtual addresses). A wheel is a zip: no pip install,
# so nothing touches the system Python.
UNICORN_VERSION=2.1.4
have=$(cat "$deps/unicorn/VERSION" 2>/dev/null || true)
if [ ! -f "$deps/unicorn/include/unicorn/unicorn.h" ] || [ "$have" != "$UNICORN_VERSION" ]; then
    echo "install-deps: fetching unicorn $UNICORN_VERSION wheel"
    tmp=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --dest "$tmp" "unicorn==$UNICORN_VERSION"
    mkdir -p "$deps"
    rm -rf "$deps/unicorn"
    python3 -m zipfile -e "$tmp"/unicorn-*.whl "$tmp/x"
    mv "$tmp/x/unicorn" "$deps/unicorn"
    rm -rf "$tmp"
    # The wheel's library is named libunicorn.so.2; give the linker its plain name.
    ln -sf libunicorn.so.2 "$deps/unicorn/lib/libunicorn.so"
    echo "$UNICORN_VERSION" > "$deps/unicorn/VERSION"
fi
echo "install-deps: done"
