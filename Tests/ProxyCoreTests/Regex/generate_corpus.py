#!/usr/bin/env python3
"""Writes testdata/corpus.jsonl: (pattern, input, expected result) cases computed with Python's
`re`, which RegexAgreementTests checks LinearRegex against.

    ~/.pyenv/versions/3.13.0/bin/python3 Tests/ProxyCoreTests/Regex/generate_corpus.py

Run it with the Python that generated Sources/ProxyCore/Regex/RegexUnicodeTables.swift
(scripts/regex-unicode-tables.py): the Unicode data must be the same. Deterministic: a fixed seed,
so the same Python writes the same file.

Patterns are random trees over the whole supported syntax, each rendered twice: in Sluice's syntax
(stored) and in `re`'s (used for the expectation). They differ only where `re` lacks a feature:
`\\p{…}` becomes an explicit class of ranges (wrapped in `(?-i:…)`, since `(?i)` does not change
`\\p{…}`), `\\x{…}` becomes `\\U…`, `\\z` becomes `\\Z`. Hand-written realistic patterns come first.

Each line: {"p": pattern, "s": input, "span": [start, end] in UTF-8 bytes or null (re.search),
"full": re.fullmatch(...) is not None, "spanChecked": bool}. `spanChecked` is false for patterns
that repeat a sub-pattern able to match the empty string: there `re` ends a loop at an empty
iteration while a Pike VM keeps the loop's other alternatives, so the two may report different
match ends (RE2 and Rust's regex differ from Perl the same way); whether a match exists, and
full matches, are still compared.

Left out: a pattern with `\\B` on the empty input, where `re` before Python 3.14 finds nothing
(`\\B` "does not match the empty string"; 3.14 changed that to agree with this engine and Perl),
and the odd case where `re` backtracks for over RE_SECONDS (exponential on that input).
"""
import importlib.util
import json
import os
import random
import re
import signal
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
OUT = os.path.join(HERE, "testdata", "corpus.jsonl")
SEED = 20240514
RANDOM_PATTERNS = 1500
INPUTS_PER_PATTERN = 4

spec = importlib.util.spec_from_file_location("tables", os.path.join(ROOT, "scripts", "regex-unicode-tables.py"))
tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tables)

# --- Unicode sets, as the engine's tables have them -------------------------------------------

CATEGORIES = [unicodedata.category(chr(c)) for c in range(tables.MAX)]


def category_set(names):
    return tables.runs(c for c, category in enumerate(CATEGORIES) if category in names or category[0] in names)


def build_properties():
    han = set()
    for point in range(tables.MAX):
        if unicodedata.name(chr(point), "").startswith(tables.HAN_NAME_PREFIXES):
            han.add(point)
    han.update(tables.HAN_BY_LIST)
    return {"L": category_set({"L"}), "Lu": category_set({"Lu"}), "Ll": category_set({"Ll"}), "N": category_set({"N"}),
            "Nd": category_set({"Nd"}), "P": category_set({"P"}), "S": category_set({"S"}), "Han": tables.runs(han)}


PROPERTIES = build_properties()


def complement(ranges):
    out, nxt = [], 0
    for lo, hi in ranges:
        if lo > nxt:
            out.append([nxt, lo - 1])
        nxt = hi + 1
    if nxt <= 0x10FFFF:
        out.append([nxt, 0x10FFFF])
    # Python strings may hold surrogates; UTF-8 cannot, and inputs never contain them.
    return out


def py_ranges(ranges):
    return "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)

# --- Characters ---------------------------------------------------------------------------------

SPECIAL = set(".^$*+?()[]{}|\\")
CLASS_SPECIAL = set("]\\^-[&|~")
ALPHABET = (list("abcxyzABCXYZ019_ -.,!?@#\n\t") + ["é", "É", "ß", "ſ", "K", "\u212a", "ı", "İ", "Σ", "σ", "ς", "ǅ", "Ǆ", "ǆ",
            "世", "界", "中", "文", "の", "ア", "한", "国", "\u3000", "١", "٣", "３", "Ａ", "ａ", "😀", "𝔸", "\U00020000",
            "\u00a0", "\u2028", "\u0345", "ι", "Ι", "ͅ", "ﬀ", "½", "Ⅻ", "\x00", "\x7f", "\u0080", "\u07ff", "\u0800",
            "\uffff", "\U00010000", "\U0010ffff"])
LITERALS = list("abcxyzABCXYZ019_ -,@#!") + ["é", "É", "ß", "ſ", "k", "K", "\u212a", "i", "ı", "Σ", "σ", "ς", "ǅ", "世",
                                               "界", "中", "の", "한", "١", "３", "ａ", "😀", "𝔸", "\U00020000", "\n", "\t"]


def lit_syntax(rng, ch, in_class=False):
    """(sluice, python) renderings of one literal character."""
    point = ord(ch)
    special = CLASS_SPECIAL if in_class else SPECIAL
    if ch in special:
        return "\\" + ch, "\\" + ch
    if ch == "\n":
        return "\\n", "\\n"
    if ch == "\t":
        return "\\t", "\\t"
    if point < 0x20 or point == 0x7F:
        return f"\\x{point:02x}", f"\\x{point:02x}"
    choice = rng.random()
    if point > 0x7F and choice < 0.15:
        return f"\\x{{{point:x}}}", f"\\U{point:08x}"
    if point <= 0xFFFF and point > 0x7F and choice < 0.25:
        return f"\\u{point:04x}", f"\\u{point:04x}"
    return ch, ch

# --- Pattern trees ------------------------------------------------------------------------------


class Node:
    nullable = False
    loops_nullable = False  # repeats something that can match empty

    def sample(self, rng, depth=0):
        return ""


class Lit(Node):
    def __init__(self, rng, ch):
        self.ch = ch
        self.ours, self.py = lit_syntax(rng, ch)

    def render(self, ci):
        return self.ours, self.py

    def sample(self, rng, depth=0):
        return self.ch


class Dot(Node):
    def render(self, ci):
        return ".", "."

    def sample(self, rng, depth=0):
        return rng.choice(ALPHABET)


ESCAPES = {"d": "0123١٣３", "w": "abc_é世1", "s": " \t\n\u3000\u00a0", "D": "a-é世 ", "W": " -!\n@", "S": "ab-1世"}


class Esc(Node):
    def __init__(self, letter):
        self.letter = letter

    def render(self, ci):
        return "\\" + self.letter, "\\" + self.letter

    def sample(self, rng, depth=0):
        return rng.choice(ESCAPES[self.letter])


class Prop(Node):
    def __init__(self, name, negated):
        self.name, self.negated = name, negated

    def render(self, ci):
        ranges = complement(PROPERTIES[self.name]) if self.negated else PROPERTIES[self.name]
        return ("\\P" if self.negated else "\\p") + "{" + self.name + "}", "(?-i:[" + py_ranges(ranges) + "])"

    def sample(self, rng, depth=0):
        lo, hi = rng.choice(PROPERTIES[self.name] if not self.negated else complement(PROPERTIES[self.name])[:40])
        point = rng.randint(lo, min(hi, lo + 50))
        return chr(point) if not 0xD800 <= point <= 0xDFFF else "x"


class Class(Node):
    def __init__(self, rng, ci):
        self.negated = rng.random() < 0.3
        self.items = []  # ("lit", ch) | ("range", a, b) | ("esc", letter) | ("prop", name, negated)
        for _ in range(rng.randint(1, 4)):
            kind = rng.random()
            if kind < 0.4:
                self.items.append(("lit", rng.choice(LITERALS + ["-", "]", "^", "\\", "[", "&"])))
            elif kind < 0.75:
                a = rng.choice(LITERALS + ["\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "\U00010000"])
                b = rng.choice(LITERALS + ["\u07ff", "\u0800", "\uffff", "\U00010000", "\U0010ffff"])
                if ord(a) > ord(b):
                    a, b = b, a
                self.items.append(("range", a, b))
            elif kind < 0.9 or ci:
                self.items.append(("esc", rng.choice("dwsDWS")))
            else:
                self.items.append(("prop", rng.choice(list(PROPERTIES)), rng.random() < 0.3))
        self.rng_state = rng.random()

    def render(self, ci):
        """`\\p{…}` items become explicit ranges that `(?i)` must not fold: `(?-i:[…])` beside the rest."""
        rng = random.Random(self.rng_state)
        ours, others, props = "", "", ""
        for item in self.items:
            if item[0] == "lit":
                o, p = lit_syntax(rng, item[1], in_class=True)
            elif item[0] == "range":
                lo, lp = lit_syntax(rng, item[1], in_class=True)
                ho, hp = lit_syntax(rng, item[2], in_class=True)
                o, p = lo + "-" + ho, lp + "-" + hp
            elif item[0] == "esc":
                o, p = "\\" + item[1], "\\" + item[1]
            else:
                ranges = complement(PROPERTIES[item[1]]) if item[2] else PROPERTIES[item[1]]
                ours += ("\\P" if item[2] else "\\p") + "{" + item[1] + "}"
                props += py_ranges(ranges)
                continue
            ours += o
            others += p
        ours = "[" + ("^" if self.negated else "") + ours + "]"
        if not props:
            return ours, "[" + ("^" if self.negated else "") + others + "]"
        if not others:
            return ours, "(?-i:[" + ("^" if self.negated else "") + props + "])"
        if self.negated:
            return ours, "(?:(?!(?-i:[" + props + "]))[^" + others + "])"
        return ours, "(?:(?-i:[" + props + "])|[" + others + "])"

    def sample(self, rng, depth=0):
        if self.negated:
            return rng.choice(ALPHABET)
        item = rng.choice(self.items)
        if item[0] == "lit":
            return item[1]
        if item[0] == "range":
            lo, hi = ord(item[1]), ord(item[2])
            point = rng.randint(lo, min(hi, lo + 100))
            return chr(point) if not 0xD800 <= point <= 0xDFFF else item[1]
        if item[0] == "esc":
            return rng.choice(ESCAPES[item[1]])
        return Prop(item[1], item[2]).sample(rng)


ANCHORS = {"^": "^", "$": "$", "\\A": "\\A", "\\z": "\\Z", "\\b": "\\b", "\\B": "\\B"}


class Anchor(Node):
    nullable = True

    def __init__(self, token):
        self.token = token

    def render(self, ci):
        return self.token, ANCHORS[self.token]


class Concat(Node):
    def __init__(self, items):
        self.items = items
        self.nullable = all(i.nullable for i in items)
        self.loops_nullable = any(i.loops_nullable for i in items)

    def render(self, ci):
        parts = [i.render(ci) for i in self.items]
        return "".join(p[0] for p in parts), "".join(p[1] for p in parts)

    def sample(self, rng, depth=0):
        return "".join(i.sample(rng, depth + 1) for i in self.items)


class Alt(Node):
    def __init__(self, branches):
        self.branches = branches
        self.nullable = any(b.nullable for b in branches)
        self.loops_nullable = any(b.loops_nullable for b in branches)

    def render(self, ci):
        parts = [b.render(ci) for b in self.branches]
        return "|".join(p[0] for p in parts), "|".join(p[1] for p in parts)

    def sample(self, rng, depth=0):
        return rng.choice(self.branches).sample(rng, depth + 1)


class Group(Node):
    def __init__(self, rng, inner, ci):
        self.inner = inner
        self.nullable = inner.nullable
        self.loops_nullable = inner.loops_nullable
        self.kind = rng.choice(["(?:", "(", "(?:", "named", "(?i:", "(?-i:", "(?s:", "(?m:"])
        self.name = f"g{rng.randint(0, 10 ** 9)}"
        self.angle = rng.random() < 0.5

    def inner_ci(self, ci):
        return True if self.kind == "(?i:" else False if self.kind == "(?-i:" else ci

    def render(self, ci):
        o, p = self.inner.render(self.inner_ci(ci))
        if self.kind == "named":
            return ("(?<" if self.angle else "(?P<") + self.name + ">" + o + ")", "(?P<" + self.name + ">" + p + ")"
        return self.kind + o + ")", self.kind + p + ")"

    def sample(self, rng, depth=0):
        return self.inner.sample(rng, depth + 1)


class Repeat(Node):
    def __init__(self, rng, inner):
        self.inner = inner
        form = rng.choice(["*", "+", "?", "{m}", "{m,}", "{m,n}", "{,n}", "*", "+"])
        self.min, self.max = {"*": (0, None), "+": (1, None), "?": (0, 1)}.get(form, (None, None))
        if form == "{m}":
            self.min = self.max = rng.randint(0, 4)
        elif form == "{m,}":
            self.min, self.max = rng.randint(0, 3), None
        elif form == "{m,n}":
            self.min = rng.randint(0, 3)
            self.max = self.min + rng.randint(0, 3)
        elif form == "{,n}":
            self.min, self.max = 0, rng.randint(1, 4)
        self.form = form
        self.lazy = rng.random() < 0.3
        self.nullable = self.min == 0 or inner.nullable
        self.loops_nullable = inner.loops_nullable or (inner.nullable and (self.max is None or self.max > 1))

    def render(self, ci):
        o, p = self.inner.render(ci)
        if self.form in ("*", "+", "?"):
            q = self.form
        elif self.form == "{m}":
            q = f"{{{self.min}}}"
        elif self.form == "{m,}":
            q = f"{{{self.min},}}"
        elif self.form == "{,n}":
            q = f"{{,{self.max}}}"
        else:
            q = f"{{{self.min},{self.max}}}"
        q += "?" if self.lazy else ""
        return o + q, p + q

    def sample(self, rng, depth=0):
        top = self.max if self.max is not None else self.min + 3
        return "".join(self.inner.sample(rng, depth + 1) for _ in range(rng.randint(self.min, min(top, self.min + 3))))


def atom(rng, depth, ci):
    kind = rng.random()
    if depth < 3 and kind < 0.18:
        return Group(rng, tree(rng, depth + 1, ci), ci)
    if kind < 0.5:
        return Lit(rng, rng.choice(LITERALS))
    if kind < 0.58:
        return Dot()
    if kind < 0.7:
        return Class(rng, ci)
    if kind < 0.8:
        return Esc(rng.choice("dwsDWS"))
    if kind < 0.86 and not ci:
        return Prop(rng.choice(list(PROPERTIES)), rng.random() < 0.25)
    if kind < 0.86:
        return Esc(rng.choice("dwsDWS"))
    return Anchor(rng.choice(list(ANCHORS)))


def piece(rng, depth, ci):
    node = atom(rng, depth, ci)
    if not isinstance(node, Anchor) and rng.random() < 0.35:
        node = Repeat(rng, node)
    return node


def tree(rng, depth, ci):
    branches = [Concat([piece(rng, depth, ci) for _ in range(rng.randint(1, 4))])
                for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3))]
    return branches[0] if len(branches) == 1 else Alt(branches)


def random_pattern(rng):
    flags = rng.choice(["", "", "", "(?i)", "(?s)", "(?m)", "(?is)", "(?im)"])
    ci = "i" in flags
    node = tree(rng, 0, ci)
    ours, py = node.render(ci)
    return flags + ours, flags + py, node


def mutate(rng, text):
    chars = list(text)
    for _ in range(rng.randint(1, 2)):
        op = rng.random()
        position = rng.randint(0, len(chars))
        if op < 0.4 and chars:
            del chars[min(position, len(chars) - 1)]
        elif op < 0.7:
            chars.insert(position, rng.choice(ALPHABET))
        elif chars:
            index = min(position, len(chars) - 1)
            ch = chars[index]
            chars[index] = ch.swapcase() if len(ch.swapcase()) == 1 and ch.swapcase() != ch else rng.choice(ALPHABET)
    return "".join(chars)


def inputs_for(rng, node):
    out = []
    for _ in range(INPUTS_PER_PATTERN):
        kind = rng.random()
        if node is not None and kind < 0.45:
            core = node.sample(rng)
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3))) + core \
                + "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3)))
        elif node is not None and kind < 0.8:
            text = mutate(rng, node.sample(rng))
        elif kind < 0.9:
            text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        elif node is not None:
            text = node.sample(rng)
        else:
            text = ""
        out.append(text[:60])
    return out

# --- Hand-written cases -------------------------------------------------------------------------


HANDWRITTEN = [
    ("gpt-4o(-mini)?", ["gpt-4o", "gpt-4o-mini", "gpt-4o-mini-2024", "xgpt-4o", "GPT-4o"]),
    ("qwen-(max|plus)", ["qwen-max", "qwen-plus", "qwen-maxx", "qwen-", "qwen-turbo"]),
    (r"claude-3-(opus|sonnet|haiku)-\d{8}", ["claude-3-opus-20240229", "claude-3-haiku-2024", "claude-3-sonnet-20240229x"]),
    (r"(?i)^(gpt|o\d)-", ["GPT-4", "o1-mini", "O3-pro", "gpt4", "xgpt-4"]),
    (r"gold|silver", ["gold", "silver", "bronze", "golden", ""]),
    (r"[\w.+-]+@[\w-]+\.[\w.]+", ["mail me at a.b+c@example.co.uk today", "no at sign", "x@y", "用户@例子.中国"]),
    (r"\b(?:\d[ -]*?){13,16}\b", ["card 4111 1111 1111 1111 ok", "4111-1111-1111-1111", "123 456", "号码４１１１１１１１１１１１１１１１"]),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}\b", ["host 10.0.0.1:80", "1.2.3", "999.999.999.999", "v1.2.3.4.5"]),
    (r"(?i)ignore (all )?previous instructions", ["Please IGNORE ALL PREVIOUS INSTRUCTIONS now", "ignore previous instructions",
                                                  "ignore   previous instructions"]),
    (r"\p{Han}{2,}", ["你好世界", "a你b", "日本語テキスト", "한국어", "中"]),
    (r"1[3-9]\d{9}", ["tel 13812345678.", "12812345678", "1381234567", "电话：15900001111"]),
    (r"\d{17}[\dXx]", ["11010519491231002X", "110105194912310021", "1101051949123100"]),
    (r"^\s*$", ["", "   ", " \t\n", " a ", "\u3000"]),
    (r"(?m)^data: (.*)$", ["event: x\ndata: hello\n\n", "data:", "xdata: y"]),
    (r"(?s)<think>.*?</think>", ["a<think>x\ny</think>b</think>", "<think>open", "<think></think>"]),
    (r"[^\x00-\x7F]+", ["ascii only", "café", "日本"]),
    (r"\P{L}+", ["abc", "123 !", "é1"]),
    (r"(a+)+$", ["a" * 18 + "!", "a" * 18, "!"]),
    (r"(a|a)*b", ["a" * 18, "a" * 18 + "b"]),
    (r"(a*)*b", ["a" * 18, "a" * 18 + "b"]),
    (r"(x+x+)+y", ["x" * 18, "x" * 18 + "y"]),
    (r"^(\w+\s?)*$", ["a long sentence that ends badly!", "fine words"]),
    (r"(?i)straße", ["STRASSE", "Straße", "STRAẞE"]),
    (r"(?i)[k-m]+", ["KLM", "\u212a", "kl"]),
    (r"(?i)\u00e9t\u00e9", ["ÉTÉ", "été", "ete"]),
    (r"x*", ["", "xxx", "axx"]),
    (r"\Bfoo", ["foo", "afoo", " foo"]),
    (r"a{2,3}?", ["aaaa", "a"]),
    (r"a$", ["a\n", "a\n\n", "a"]),
    (r"\A\z", ["", "\n"]),
    (r"[\u00e0-\u00ff\u4e00-\u9fff]+", ["Zoë 中文", "plain"]),
    (r"[\x{1F600}-\x{1F64F}]", ["smile 😀", "none"]),
]

# --- Output -------------------------------------------------------------------------------------


def utf8_offset(text, index):
    return len(text[:index].encode("utf-8"))


class Slow(Exception):
    """`re` backtracked for longer than RE_SECONDS: exponential on this input, so the case is left out."""


def on_alarm(*_):
    raise Slow()


RE_SECONDS = 2.0


class Excluded(Exception):
    """A case left out on purpose (see the module's docstring)."""


def case(ours, py, text, span_checked):
    if text == "" and "\\B" in ours and sys.version_info < (3, 14):
        raise Excluded()
    compiled = re.compile(py)
    signal.setitimer(signal.ITIMER_REAL, RE_SECONDS)
    try:
        found = compiled.search(text)
        full = compiled.fullmatch(text) is not None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    span = [utf8_offset(text, found.start()), utf8_offset(text, found.end())] if found else None
    return {"p": ours, "s": text, "span": span, "full": full, "spanChecked": span_checked}


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    rng = random.Random(SEED)
    lines, seen, skipped, slow = [], set(), 0, 0
    for pattern, texts in HANDWRITTEN:
        py = re.sub(r"\\x\{([0-9a-fA-F]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", pattern)
        py = py.replace(r"\z", r"\Z").replace(r"\p{Han}", "[" + py_ranges(PROPERTIES["Han"]) + "]").replace(r"\P{L}", "[" + py_ranges(complement(PROPERTIES["L"])) + "]")
        for text in texts:
            try:
                lines.append(case(pattern, py, text, "(a*)*" not in pattern))
            except (Slow, Excluded):
                slow += 1
    while len(seen) < RANDOM_PATTERNS:
        ours, py, node = random_pattern(rng)
        if ours in seen:
            continue
        try:
            re.compile(py)
        except re.error:
            skipped += 1
            continue
        seen.add(ours)
        for text in inputs_for(rng, node):
            try:
                lines.append(case(ours, py, text, not node.loops_nullable))
            except (Slow, Excluded):
                slow += 1
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(f'{{"generator": "generate_corpus.py", "python": "{sys.version.split()[0]}", '
                f'"unicode": "{unicodedata.unidata_version}", "seed": {SEED}, "cases": {len(lines)}}}\n')
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    matched = sum(1 for line in lines if line["span"] is not None)
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {len(lines)} cases ({matched} with a match), "
          f"{len(seen)} random patterns ({skipped} re refused and were skipped); {slow} cases left out (\\B on empty "
          f"input, or re backtracking for over {RE_SECONDS} s)")


if __name__ == "__main__":
    main()
