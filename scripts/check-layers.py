#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks that user/ dependencies point one way: a file may include headers
of its own layer or of a layer below it (util < kernel < policy < view <
daemon < cli), and no chain of includes leads back to where it started.
Prints every violation and exits 1 when there is one."""
import os
import re
import sys

LAYERS = ["util", "kernel", "policy", "view", "daemon", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main(root):
    files = {}
    for layer in LAYERS:
        folder = os.path.join(root, layer)
        for name in sorted(os.listdir(folder)):
            if name.endswith((".c", ".h")):
                with open(os.path.join(folder, name)) as f:
                    files[layer + "/" + name] = INCLUDE.findall(f.read())
    stray = [n for n in os.listdir(root) if n.endswith((".c", ".h"))]
    problems = ["user/%s: outside every layer folder" % n for n in stray]
    # A module is a .c and its .h: x.c -> y.h and y.c -> x.h is a cycle.
    graph = {}
    for path, includes in files.items():
        rank = LAYERS.index(path.split("/")[0])
        module = os.path.splitext(path)[0]
        graph.setdefault(module, [])
        for inc in includes:
            if inc not in files:
                if "/" in inc and inc.split("/")[0] in LAYERS:
                    problems.append("user/%s: includes missing %s" % (path, inc))
                continue  # the shared header, skeletons, system headers
            if LAYERS.index(inc.split("/")[0]) > rank:
                problems.append("user/%s: includes %s from a higher layer" % (path, inc))
            target = os.path.splitext(inc)[0]
            if target != module:
                graph[module].append(target)
    # Depth-first search for an include cycle.
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                problems.append("include cycle: " + " -> ".join(cycle))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])
    for p in problems:
        print(p)
    if problems:
        return 1
    print("layers: %d files in %d layers, modules checked, dependencies one way, no include cycle"
          % (len(files), len(LAYERS)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "user"))
