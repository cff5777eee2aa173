#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks that every function or object a user/ module exports is used by
another module or by a test: one used only in its own file belongs in that
file as static. Reads the built objects (nm), so it runs after the build.
Usage: check-exports.py BUILD_DIR. Prints each offender and exits 1."""
import os
import subprocess
import sys


def symbols(path, flag):
    out = subprocess.run(["nm", flag, path], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1] for line in out.splitlines() if line.strip()]


def objects(root):
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith(".o"):
                yield os.path.join(folder, name)


def main(build):
    user = sorted(objects(os.path.join(build, "user")))
    tests = sorted(objects(os.path.join(build, "tests")))
    if not user:
        print("check-exports: no objects under %s/user: build first" % build)
        return 1
    used = {}
    for path in user + tests:
        for name in symbols(path, "--undefined-only"):
            used.setdefault(name, set()).add(path)
    problems = []
    for path in user:
        out = subprocess.run(["nm", "-g", "--defined-only", path], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) != 3 or parts[1] not in "TDBR" or parts[2] == "main":
                continue
            if not used.get(parts[2], set()) - {path}:
                problems.append("%s: exports %s, used nowhere else" % (path, parts[2]))
    for p in problems:
        print(p)
    print("exports: %d objects, %s" % (len(user), "%d unused exports" % len(problems)
                                       if problems else "every export used elsewhere"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build"))
