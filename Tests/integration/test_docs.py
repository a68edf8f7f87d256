"""The Markdown in docs/ and the README renders as written: every table is one block of rows
under a header and its delimiter row, each row with the header's number of cells (a row left
after a paragraph, as docs/errors.md once had its 505 row, renders as stray text)."""
import glob
import os
import re

import pytest

from conftest import ROOT

PAGES = sorted(glob.glob(os.path.join(ROOT, "docs/**/*.md"), recursive=True)) + [os.path.join(ROOT, "README.md")]


def cells(row):
    # A pipe inside `code` or escaped (\|) does not separate cells.
    row = re.sub(r"`[^`]*`", "code", row.replace("\\|", "x"))
    return [c.strip() for c in row.strip().strip("|").split("|")]


def tables(text):
    """(first line number, rows) of every run of lines starting with '|' outside code fences."""
    found, run, fenced = [], [], False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.lstrip().startswith("|"):
            run.append((number, line))
            continue
        if run:
            found.append(run)
            run = []
    if run:
        found.append(run)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: os.path.relpath(p, ROOT))
def test_every_table_has_a_header_a_delimiter_and_rows_of_its_width(page):
    with open(page, encoding="utf-8") as f:
        text = f.read()
    for run in tables(text):
        (first, header), rest = run[0], run[1:]
        where = f"{os.path.relpath(page, ROOT)} line {first}"
        assert rest and re.fullmatch(r"\|?(\s*:?-{3,}:?\s*\|)+\s*:?-{3,}:?\s*\|?", rest[0][1].strip()), \
            f"{where}: a table row without a header and delimiter row above it: {header!r}"
        width = len(cells(header))
        for number, row in rest:
            assert len(cells(row)) == width, f"{os.path.relpath(page, ROOT)} line {number}: {len(cells(row))} cells, the header has {width}"


def test_a_stray_row_is_caught():
    assert len(tables("| a | b |\n|---|---|\n| 1 | 2 |\n\ntext\n| 3 | 4 |\n")) == 2
