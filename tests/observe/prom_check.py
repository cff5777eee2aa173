#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates a Prometheus text exposition read from stdin with the
prometheus_client parser, refuses a label set seen twice, and prints one
line per sample: NAME LABEL=VALUE,... VALUE (labels sorted)."""
import sys

from prometheus_client.parser import text_string_to_metric_families

seen = set()
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        key = (s.name, tuple(sorted(s.labels.items())))
        if key in seen:
            sys.exit(f"duplicate sample {s.name} {s.labels}")
        seen.add(key)
        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        print(f"{s.name} {labels} {s.value:g}")
