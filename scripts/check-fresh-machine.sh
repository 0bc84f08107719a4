#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-fresh-machine.sh - does pvx build and test on a machine that has never
# seen it? Removes the Debian packages scripts/install-deps.sh installs, clones
# this repository (its committed HEAD) into a temporary folder, runs `make run`
# and then `make test` there - which must install everything again through
# install-deps.sh - and reports. Needs root (or sudo) and the network (apt, PyPI).
#
#   scripts/check-fresh-machine.sh [--yes] [--keep-clone]
#
# It changes the machine: every package of `install-deps.sh --list` except
# those kept below is purged (apt-get purge, exactly that list: it stops if
# apt would take anything else with them), and install-deps.sh puts them back.
# Anything else running on the machine that needs them (QEMU, gdb, clang...)
# fails for those minutes. --yes skips the question.
#
# Kept, because this script and the clone need them before install-deps.sh
# runs, as on any machine that can clone a repository and run make:
#   make gcc libc6-dev binutils   running make, and the compiler (binutils and
#                                 libc6-dev: gcc cannot link without them)
#   python3                       install-deps.sh's wheel unpacking, the tests
# (git is not in the list: it is how the repository got here.)
#
# Exit status 0 when make run and make test both passed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
keep=(make gcc libc6-dev binutils python3)
yes=0
keep_clone=0
for a in "$@"; do
    case "$a" in
    --yes) yes=1 ;;
    --keep-clone) keep_clone=1 ;;
    -h|--help) sed -n '4,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-fresh-machine: unknown option $a" >&2; exit 2 ;;
    esac
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

remove=()
while read -r p; do
    case " ${keep[*]} " in *" $p "*) continue ;; esac
    installed "$p" && remove+=("$p")
done < <(bash "$top/scripts/install-deps.sh" --list)

echo "check-fresh-machine: keeping ${keep[*]}"
echo "check-fresh-machine: removing ${remove[*]:-(none installed)}"
if [ ${#remove[@]} -gt 0 ]; then
    # Exactly the list: no package outside it may go with them.
    extra=$(apt-get remove --simulate "${remove[@]}" 2>/dev/null | awk '/^Remv/ { print $2 }' |
            grep -vxF -f <(printf '%s\n' "${remove[@]}") || true)
    if [ -n "$extra" ]; then
        echo "check-fresh-machine: apt would also remove: $extra; stopping" >&2
        exit 2
    fi
    if [ $yes -eq 0 ]; then
        read -r -p "Purge these packages from this machine? [y/N] " ans
        [ "$ans" = y ] || [ "$ans" = Y ] || exit 2
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -qq "${remove[@]}" >/dev/null
    for p in "${remove[@]}"; do
        ! installed "$p" || { echo "check-fresh-machine: $p is still installed" >&2; exit 2; }
    done
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvx-fresh.XXXXXX")
[ $keep_clone -eq 1 ] || trap 'rm -rf "$tmp"' EXIT
git clone -q "$top" "$tmp/pvx"
cd "$tmp/pvx"
echo "check-fresh-machine: a clean clone of $(git rev-parse --short HEAD) in $tmp/pvx"

stage() {  # stage NAME LIMIT COMMAND...: its output to $tmp/NAME.log
    local name=$1 limit=$2 t0 rc
    shift 2
    t0=$(date +%s)
    timeout -k 30 "$limit" "$@" > "$tmp/$name.log" 2>&1
    rc=$?
    echo "check-fresh-machine: $name: exit $rc in $(( $(date +%s) - t0 )) s (log $tmp/$name.log)"
    tail -n "${TAIL:-15}" "$tmp/$name.log" | sed 's/^/    /'
    return $rc
}

set +e
stage make-run 1800 make run
run_rc=$?
TAIL=17 stage make-test 3600 make test
test_rc=$?
set -e

if [ $run_rc -eq 0 ] && [ $test_rc -eq 0 ]; then
    echo "check-fresh-machine: PASS: make run and make test passed on a fresh clone after the packages were removed"
    exit 0
fi
echo "check-fresh-machine: FAIL: make run exit $run_rc, make test exit $test_rc"
exit 1
