#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Runs every query of the Grafana dashboard against a real Prometheus
server that scrapes a running smtpfence daemon, and fails unless each one
returns data; checks the alerting rules loaded and evaluated without error.
Usage: dashboard_check.py DASHBOARD.json PROMETHEUS_URL N_RULES"""
import json
import sys
import time
import urllib.parse
import urllib.request

dashboard, base, n_rules = sys.argv[1], sys.argv[2].rstrip("/"), int(sys.argv[3])


def api(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params, doseq=True) if params else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    if body.get("status") != "success":
        sys.exit(f"FAIL: {url}: {body}")
    return body["data"]


def wait(what, cond, seconds=40):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if cond():
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"FAIL: timed out waiting for {what}")


def query(expr):
    return api("/api/v1/query", query=expr)["result"]


wait("prometheus ready", lambda: urllib.request.urlopen(base + "/-/ready", timeout=2).status == 200)
# Four scrapes at least: every rate() window then holds two samples or more.
wait("four scrapes of the daemon",
     lambda: query('count_over_time(up{job="smtpfence"}[1m]) >= 4 and up{job="smtpfence"} == 1'))

d = json.load(open(dashboard))
variables = {}
for v in d["templating"]["list"]:
    if v["type"] != "query":
        continue
    q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
    metric, label = q[len("label_values("):-1].split(",")
    values = api(f"/api/v1/label/{label.strip()}/values", **{"match[]": metric.strip()})
    if not values:
        sys.exit(f"FAIL: variable ${v['name']} ({q}) has no values")
    variables[v["name"]] = "|".join(values)

n = 0
for p in d["panels"]:
    for t in p["targets"]:
        expr = t["expr"].replace("$__rate_interval", "30s")
        for name, value in variables.items():
            expr = expr.replace("$" + name, value)
        result = query(expr)
        if not result:
            sys.exit(f"FAIL: panel '{p['title']}': no data for {expr}")
        n += 1

# The rules file loaded into the server, every rule evaluated cleanly.
rules = [r for g in api("/api/v1/rules")["groups"] for r in g["rules"]]
wait("the rules evaluated", lambda: all(r.get("lastEvaluation", "").startswith("2") and
                                         not r["lastEvaluation"].startswith("0001")
                                         for r in api("/api/v1/rules")["groups"][0]["rules"]))
bad = [r["name"] for r in rules if r["health"] != "ok"]
if len(rules) != n_rules or bad:
    sys.exit(f"FAIL: {len(rules)} rules loaded (want {n_rules}), unhealthy: {bad}")
print(f"dashboard: {n} queries of {len(d['panels'])} panels returned data; {len(rules)} alerting rules healthy")
