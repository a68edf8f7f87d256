#!/usr/bin/env python3
"""Writes Sources/ProxyCore/Regex/RegexUnicodeTables.swift: the Unicode data of the regex engine.

    ~/.pyenv/versions/3.13.0/bin/python3 scripts/regex-unicode-tables.py

The tables come from this interpreter's `unicodedata` and `re`, so the engine agrees with the
Python that generates the agreement corpus (Tests/ProxyCoreTests/Regex/generate_corpus.py): run
both with the same Python (3.13 → Unicode 15.1). Deterministic: the same Python writes the same file.

- general categories of every scalar, as runs (`\\p{L}`, `\\p{Nd}`…; `\\d` is Nd, `\\w` is L, N and `_`);
- Script=Han (`\\p{Han}`), derived from character names and checked against Perl's `\\p{sc=Han}`
  where Perl's (older) Unicode has the character;
- `\\s` as Python's `re` has it;
- case-insensitive equivalence classes as Python's `re` compares characters under IGNORECASE:
  two characters are equal when their simple lowercase mappings are, or `re` lists them as an
  extra case (`re._casefix`).
"""
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from re import _casefix  # noqa: PLC2701 — the extra cases `re` itself uses
import _sre  # noqa: PLC2701 — the lowercase mapping `re` itself uses

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources/ProxyCore/Regex/RegexUnicodeTables.swift")
MAX = 0x110000
CATEGORIES = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf",
              "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"]
# Han characters whose names do not say so (Scripts.txt, Unicode 15.1).
HAN_BY_LIST = [0x3005, 0x3007, *range(0x3021, 0x302A), *range(0x3038, 0x303C), 0x16FE2, 0x16FE3, 0x16FF0, 0x16FF1]
HAN_NAME_PREFIXES = ("CJK UNIFIED IDEOGRAPH-", "CJK COMPATIBILITY IDEOGRAPH-", "CJK RADICAL ", "KANGXI RADICAL ")


def runs(points):
    """Sorted code points → inclusive (lo, hi) ranges."""
    out = []
    for point in sorted(points):
        if out and out[-1][1] + 1 == point:
            out[-1][1] = point
        else:
            out.append([point, point])
    return out


def han():
    points = set(HAN_BY_LIST)
    for point in range(MAX):
        name = unicodedata.name(chr(point), "")
        if name.startswith(HAN_NAME_PREFIXES):
            points.add(point)
    check_han_against_perl(points)
    return points


def check_han_against_perl(points):
    """Perl knows Script=Han for its own Unicode version; every difference must be a character
    that version had not assigned yet."""
    if shutil.which("perl") is None:
        print("warning: perl not found; \\p{Han} not cross-checked", file=sys.stderr)
        return
    script = ('for my $c (0..0x10FFFF) { next if $c >= 0xD800 && $c <= 0xDFFF; my $ch = chr($c);'
              ' print "$c ", ($ch =~ /\\p{sc=Han}/ ? 1 : 0), ($ch =~ /\\p{Cn}/ ? 1 : 0), "\\n" if $ch =~ /\\p{sc=Han}|\\p{Cn}/ }')
    perl_han, perl_unassigned = set(), set()
    for line in subprocess.run(["perl", "-e", script], capture_output=True, text=True, check=True).stdout.split("\n"):
        if line:
            point, flags = line.split()
            if flags[0] == "1":
                perl_han.add(int(point))
            if flags[1] == "1":
                perl_unassigned.add(int(point))
    wrong = sorted(point for point in points ^ perl_han if point not in perl_unassigned)
    if wrong:
        sys.exit("\\p{Han} disagrees with Perl's on " + ", ".join(f"U+{p:04X}" for p in wrong[:20]))


def case_orbits():
    """Each cased code point → the next one of its equivalence class (cyclic, ascending)."""
    classes = {}
    for point in range(MAX):
        classes.setdefault(_sre.unicode_tolower(point), set()).add(point)
    parent = {}

    def find(key):
        while parent.get(key, key) != key:
            key = parent[key]
        return key
    for lower, extras in _casefix._EXTRA_CASES.items():
        for extra in extras:
            a, b = find(_sre.unicode_tolower(lower)), find(_sre.unicode_tolower(extra))
            if a != b:
                parent[b] = a
    merged = {}
    for key, members in classes.items():
        merged.setdefault(find(key), set()).update(members)
    nexts = []
    for members in merged.values():
        if len(members) > 1:
            ordered = sorted(members)
            nexts.extend((point, ordered[(index + 1) % len(ordered)]) for index, point in enumerate(ordered))
    nexts.sort()
    check_orbits_against_re(nexts)
    return nexts


def check_orbits_against_re(nexts):
    """Under IGNORECASE, `re` must match each member of a class with each other member."""
    following, seen = dict(nexts), set()
    for point, _ in nexts:
        if point in seen:
            continue
        members, current = [point], following[point]
        while current != point:
            members.append(current)
            current = following[current]
        seen.update(members)
        for a in members:
            for b in members:
                if not re.fullmatch(re.escape(chr(a)), chr(b), re.IGNORECASE):
                    sys.exit(f"re does not match U+{a:04X} with U+{b:04X} under IGNORECASE")
    # And characters of different classes do not match: try each one's case mappings.
    for point in range(MAX):
        for other in {ord(c) for c in (chr(point).lower(), chr(point).upper(), chr(point).title()) if len(c) == 1}:
            if other != point and (following.get(point) is None or other not in class_of(following, point)) \
                    and re.fullmatch(re.escape(chr(point)), chr(other), re.IGNORECASE):
                sys.exit(f"re matches U+{point:04X} with U+{other:04X} under IGNORECASE, the tables do not")


def class_of(following, point):
    members, current = {point}, following[point]
    while current != point:
        members.add(current)
        current = following[current]
    return members


def hex_pairs(pairs, width=6):
    return [f"{a:0{width}X}{b:0{width}X}" for a, b in pairs]


def wrapped(items, indent="        "):
    lines, line = [], ""
    for item in items:
        if len(line) + len(item) > 96:
            lines.append(line)
            line = ""
        line += item
    if line:
        lines.append(line)
    return "\n".join(indent + line for line in lines)


def main():
    category_runs, previous = [], None
    for point in range(MAX):
        category = unicodedata.category(chr(point))
        if category != previous:
            category_runs.append((point, CATEGORIES.index(category)))
            previous = category
    space = runs(point for point in range(MAX) if re.fullmatch(r"\s", chr(point)))
    word = {point for point in range(MAX) if re.fullmatch(r"\w", chr(point))}
    letters_numbers = {point for point in range(MAX) if unicodedata.category(chr(point))[0] in "LN"} | {0x5F}
    if word != letters_numbers:
        sys.exit("\\w is no longer letters, numbers and _: the engine's \\w needs its own table")
    if {point for point in range(MAX) if re.fullmatch(r"\d", chr(point))} != \
            {point for point in range(MAX) if unicodedata.category(chr(point)) == "Nd"}:
        sys.exit("\\d is no longer Nd: the engine's \\d needs its own table")
    nexts = case_orbits()
    text = f'''// Generated by scripts/regex-unicode-tables.py from Python {sys.version.split()[0]}'s unicodedata and re
// (Unicode {unicodedata.unidata_version}). Do not edit: run the script with the same Python as
// Tests/ProxyCoreTests/Regex/generate_corpus.py to regenerate both.

/// The Unicode data of the regex engine, packed as hexadecimal text (decoded once by
/// `RegexUnicodeData`): fixed-width fields, whitespace ignored.
enum RegexUnicodeTables {{
    /// The Unicode version of the tables.
    static let unicodeVersion = "{unicodedata.unidata_version}"

    /// General category names, indexed by the category numbers of `categoryRuns`.
    static let categoryNames = [{", ".join(f'"{c}"' for c in CATEGORIES)}]

    /// Every scalar's general category, as runs: 6 digits, the run's first code point; 2 digits,
    /// its category's index in `categoryNames`. A run lasts until the next one starts.
    static let categoryRuns: StaticString = """
{wrapped([f"{point:06X}{category:02X}" for point, category in category_runs])}
        """

    /// Script=Han (`\\p{{Han}}`): inclusive ranges, 6 digits each end.
    static let han: StaticString = """
{wrapped(hex_pairs(runs(han())))}
        """

    /// `\\s` as Python's `re` has it: inclusive ranges, 6 digits each end.
    static let space: StaticString = """
{wrapped(hex_pairs(space))}
        """

    /// Case-insensitive equivalence: every scalar that has another case, 6 digits, then the
    /// next member of its class in ascending order (the largest points back to the smallest).
    static let caseOrbits: StaticString = """
{wrapped(hex_pairs(nexts))}
        """
}}
'''
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(category_runs)} category runs, {len(nexts)} cased scalars "
          f"(Unicode {unicodedata.unidata_version})")


if __name__ == "__main__":
    main()
