#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make test-docs: the documentation against the code's own tables.

`smtpfence -j help` gives the command table (commands, their options), the
global options, the target kinds and the configuration keys. Each must
appear in the man pages and in the help text; every key the configuration
parser compares a name with must be in the key table; every code fence of
the README (and docs/*.md) must close. Prints every mismatch, one a line,
and exits 1 when there is any."""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = sys.argv[1] if len(sys.argv) == 2 else str(ROOT / "build" / "smtpfence")
# Keys of the runtime layer (RUN_DIR/runtime.conf), which smtpfence writes
# and reads itself: smtpfence.conf(5) documents the file, not its keys.
RUNTIME_ONLY = {"ports_add", "ports_del"}
PARSERS = ["user/policy/config.c", "user/policy/abuse_keys.c"]

problems = []


def roff_text(path):
    """The page's text with font escapes gone and \\- as -."""
    text = (ROOT / path).read_text()
    text = re.sub(r"\\f[BIRP]|\\f\(..|\\f\[[A-Z]*\]", "", text)
    text = text.replace("\\-", "-").replace("\\(aq", "'").replace("\\&", "")
    return text


def section(text, name):
    """The lines of one .SH section."""
    m = re.search(r"^\.SH " + re.escape(name) + r"\b.*?$(.*?)(?=^\.SH |\Z)", text, re.S | re.M)
    return m.group(1) if m else ""


def words_of(text):
    """Each roff macro line's arguments and each text line, as words."""
    out = []
    for line in text.splitlines():
        line = re.sub(r'^\.(B|I|BI|BR|IB|IR|RB|RI|TP|TQ|PP|IP)\b\s*', "", line)
        out.append(line.replace('"', " "))
    return "\n".join(out)


def has_word(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, check=False)


def check_tables():
    r = run("-j", "help")
    if r.returncode != 0:
        problems.append(f"smtpfence -j help: exit {r.returncode}: {r.stderr.strip()}")
        return
    tables = json.loads(r.stdout)
    if tables.get("schema") != 1:
        problems.append("smtpfence -j help: no \"schema\": 1")
    man8 = words_of(roff_text("man/smtpfence.8"))
    options8 = words_of(section(roff_text("man/smtpfence.8"), "OPTIONS"))
    targets8 = words_of(roff_text("man/smtpfence.8"))
    conf5 = words_of(roff_text("man/smtpfence.conf.5"))
    json7 = words_of(roff_text("man/smtpfence-json.7"))
    helptext = run("help").stdout
    readme = (ROOT / "README.md").read_text()

    # the tags of COMMANDS' entries: the line after each .TP or .TQ
    raw = section(roff_text("man/smtpfence.8"), "COMMANDS").splitlines()
    tags = words_of("\n".join(raw[i + 1] for i, l in enumerate(raw[:-1])
                               if l.startswith((".TP", ".TQ"))))
    for c in tables["commands"]:
        name = c["name"]
        if not has_word(tags, name):
            problems.append(f"smtpfence(8) COMMANDS: no entry for command '{name}'")
        if not re.search(r"^  " + re.escape(name) + r" ", helptext, re.M):
            problems.append(f"smtpfence help: no command '{name}'")
        if f"smtpfence {name}" not in readme and f"`{name}`" not in readme:
            problems.append(f"README.md: no command '{name}'")
        chelp = run(name, "--help").stdout
        for o in c["options"]:
            long = "--" + o["name"]
            if not has_word(man8, long):
                problems.append(f"smtpfence(8): {name}'s option '{long}' is not documented")
            if "short" in o and not has_word(man8, "-" + o["short"]):
                problems.append(f"smtpfence(8): {name}'s option '-{o['short']}' is not documented")
            if long not in chelp:
                problems.append(f"smtpfence {name} --help: no '{long}'")
    for o in tables["global_options"]:
        if not has_word(options8, "--" + o["name"]):
            problems.append(f"smtpfence(8) OPTIONS: no global option '--{o['name']}'")
    for k in tables["target_kinds"]:
        for where, text in (("smtpfence(8)", targets8), ("smtpfence.conf(5)", conf5),
                            ("smtpfence help", helptext)):
            if not re.search(r"(?<![\w-])" + k + ":", text):
                problems.append(f"{where}: no target kind '{k}:'")
    keys = {(k["name"], k["section"]) for k in tables["config_keys"]}
    conf5_raw = roff_text("man/smtpfence.conf.5")
    for name, sect in sorted(keys):
        # a [global] key has its own entry: ".BI name " or ".B name"
        defined = re.search(r"^\.BI? +" + re.escape(name) + r'(?: |"|$)', conf5_raw, re.M)
        if sect == "global" and not defined:
            problems.append(f"smtpfence.conf(5): no entry for key '{name}' ([global])")
        elif not has_word(conf5, name):
            problems.append(f"smtpfence.conf(5): no key '{name}' ([{sect}])")
        if not has_word(helptext, name):
            problems.append(f"smtpfence help: no key '{name}'")
    # the parser's own names, each in the table
    names = {k[0] for k in keys}
    for src in PARSERS:
        for m in re.finditer(r'strcmp\(name, "([a-z_]+)"\)', (ROOT / src).read_text()):
            if m.group(1) not in names and m.group(1) not in RUNTIME_ONLY:
                problems.append(f"{src}: key '{m.group(1)}' is not in policy/config_keys.c")
    if "smtpfence-json" not in man8:
        problems.append("smtpfence(8): no reference to smtpfence-json(7)")
    for code in ("0", "1", "2", "3"):
        if not re.search(r"^\.B " + code + r"$", roff_text("man/smtpfence-json.7"), re.M):
            problems.append(f"smtpfence-json(7) EXIT STATUS: no exit status {code}")
    del json7


def check_fences(files):
    for md in files:
        open_at = None
        for n, line in enumerate(md.read_text().splitlines(), 1):
            m = re.match(r"^\s*(```+|~~~+)(.*)$", line)
            if not m:
                continue
            if open_at is None:
                open_at = (n, m.group(1))
            elif m.group(1).startswith(open_at[1][0] * len(open_at[1])) and not m.group(2).strip():
                open_at = None
            elif m.group(2).strip():
                problems.append(f"{md.name}:{n}: a fence opens ('{line.strip()}') inside the "
                                f"block opened at line {open_at[0]}: that one never closed")
                open_at = (n, m.group(1))
        if open_at:
            problems.append(f"{md.name}:{open_at[0]}: code block never closed")


if len(sys.argv) > 2 and sys.argv[1] == "--fences":
    # the fence check alone, on the files named (the test's own fixtures)
    check_fences([pathlib.Path(f) for f in sys.argv[2:]])
else:
    check_tables()
    check_fences([ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
for p in problems:
    print("docs: " + p)
if problems:
    print(f"docs: {len(problems)} mismatches", file=sys.stderr)
    sys.exit(1)
print("docs: commands, options, target kinds, keys and code fences agree")
