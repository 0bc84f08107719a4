#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# check-core.sh - core/ is the same code on both machines: the only preprocessor
# conditionals allowed there are include guards (#ifndef X_H followed by
# #define X_H). Anything else - a target #ifdef above all - fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
while IFS= read -r f; do
    awk -v f="$f" '
        /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else)([ \t(]|$)/ {
            if ($0 ~ /^[ \t]*#[ \t]*ifndef[ \t]+[A-Z0-9_]+_H[ \t]*$/) { guard = $NF; gl = NR; next }
            printf "%s:%d: conditional compilation is not allowed in core/: %s\n", f, NR, $0
            bad = 1
        }
        END { exit bad }' "$f" || bad=1
done < <(find core -name '*.[ch]' | sort)
if [ "$bad" -ne 0 ]; then
    echo "check-core: core/ must not depend on the machine it is built for (see docs/architecture.md)" >&2
    exit 1
fi
