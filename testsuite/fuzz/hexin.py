#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fuzz inputs as hex text: the committed form of seeds and regressions.

  hexin.py tobin OUTDIR FILE.hex...      write each as raw bytes (libFuzzer's corpus)
  hexin.py tohex FILE [COMMENT...]       print a raw input (a crash) as hex text, with
                                         the SPDX line and a comment, for testsuite/fuzz/regress/

Hex text: byte pairs separated by whitespace; '#' starts a comment.
"""
import hashlib
import os
import sys


def parse(text):
    out = bytearray()
    for line in text.splitlines():
        out += bytes.fromhex(line.split("#", 1)[0])
    return bytes(out)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "tobin":
        os.makedirs(sys.argv[2], exist_ok=True)
        for f in sys.argv[3:]:
            with open(f) as fh:
                data = parse(fh.read())
            # libFuzzer names corpus files by content: the same here, no duplicates.
            with open(os.path.join(sys.argv[2], hashlib.sha1(data).hexdigest()), "wb") as fh:
                fh.write(data)
        return 0
    if len(sys.argv) >= 3 and sys.argv[1] == "tohex":
        with open(sys.argv[2], "rb") as fh:
            data = fh.read()
        print("# SPDX-License-Identifier: GPL-2.0-only")
        for c in sys.argv[3:]:
            print("# " + c)
        for i in range(0, len(data), 16):
            print(" ".join("%02x" % b for b in data[i:i + 16]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
