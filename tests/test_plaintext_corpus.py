"""The plain-text reader against a corpus of pasted releases with expected fields.

Each ``tests/fixtures/plaintext/NN_*.txt`` is a release (or several) written
for this corpus, stored in the encoding and line endings its name and its
``.json`` describe; the ``.json`` lists, per article, the fields a careful
editor would write down.  Scored fields: title, date, dateline, byline,
authors, captions (caption + credit), source credit, paragraph count, list
items, language, and text snippets that must appear in the body exactly
(encoding repairs, glued sentences).  The score must stay >= 98 %.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from publikasi.errors import InputError, Problems
from publikasi.model import Figure, ListBlock, Paragraph, plain_text, walk_blocks
from publikasi.readers.common import ReadContext
from publikasi.readers.plaintext import decode_bytes, read_plaintext
from publikasi.serialize import date_json

FIXTURES = Path(__file__).parent / "fixtures" / "plaintext"
CASES = sorted(FIXTURES.glob("*.txt"))
FIELDS = ("title", "date", "dateline", "byline", "authors", "captions", "source_credit",
          "paragraphs", "lists", "language")


def read_case(path: Path, strict: bool = False):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    ctx = ReadContext(root=FIXTURES, release_date=dt.date.fromisoformat(expected["release_date"]),
                      strict=strict, problems=Problems())
    articles = read_plaintext(decode_bytes(path.read_bytes(), path), path, ctx)
    return expected, articles, ctx


def actual_fields(article) -> dict:
    body = list(article.blocks)
    return {
        "title": article.title,
        "date": date_json(article.date, article.has_time),
        "dateline": article.dateline,
        "byline": article.byline,
        "authors": list(article.authors),
        "captions": [[b.caption, b.credit] for b in walk_blocks(body) if isinstance(b, Figure)],
        "source_credit": article.source_credit,
        "paragraphs": sum(isinstance(b, Paragraph) for b in body),
        "lists": [[plain_text(item[0]) for item in b.items] for b in body
                  if isinstance(b, ListBlock)],
        "language": article.language,
        "text": "\n".join(plain_text(b) for b in body if not isinstance(b, Figure)),
    }


def score_case(path: Path) -> tuple[int, int, list[str]]:
    expected, articles, _ = read_case(path)
    right = total = 0
    misses: list[str] = []
    total += 1
    if len(articles) == len(expected["articles"]):
        right += 1
    else:
        misses.append(f"{path.name}: {len(articles)} articles, expected "
                      f"{len(expected['articles'])}")
    for i, exp in enumerate(expected["articles"]):
        got = actual_fields(articles[i]) if i < len(articles) else None
        for field in FIELDS:
            total += 1
            value = got[field] if got else None
            if value == exp[field]:
                right += 1
            else:
                misses.append(f"{path.name}[{i}] {field}: got {value!r}, expected {exp[field]!r}")
        for snippet in exp.get("contains", []):
            total += 1
            if got and snippet in got["text"]:
                right += 1
            else:
                misses.append(f"{path.name}[{i}] text lacks {snippet!r}")
    return right, total, misses


# The shapes of issue 12 (text copied from web pages); a fixture's "patterns" lists them:
# 1 partial or missing date, 2 page chrome around the title, 3 dateline with an outlet,
# 4 captions and false captions, 5 credit codes and sign-offs, 6 choosing the date,
# 7 lines glued without blank lines.
PATTERNS = range(1, 8)


def test_corpus_is_big_enough():
    releases = sum(len(json.loads(p.with_suffix(".json").read_text())["articles"]) for p in CASES)
    assert len(CASES) >= 25 and releases >= 60
    languages = {a["language"] for p in CASES
                 for a in json.loads(p.with_suffix(".json").read_text())["articles"]}
    assert languages == {"id", "en"}
    for pattern in PATTERNS:
        cases = [json.loads(p.with_suffix(".json").read_text()) for p in CASES]
        with_it = [c for c in cases if pattern in c.get("patterns", [])]
        assert len(with_it) >= 3, f"pattern {pattern}: {len(with_it)} fixtures"
        assert {a["language"] for c in with_it for a in c["articles"]} == {"id", "en"}, pattern


def test_corpus_score():
    right = total = 0
    misses: list[str] = []
    for path in CASES:
        r, t, m = score_case(path)
        right += r
        total += t
        misses.extend(m)
    score = right / total
    print(f"\nplain-text corpus: {right}/{total} expected fields right ({score:.1%}) "
          f"over {len(CASES)} files")
    for miss in misses:
        print("  miss:", miss)
    assert score >= 0.98, "\n".join(misses)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_reads_without_errors(path):
    """Outside --strict no fixture produces an error, only warnings."""
    _, articles, ctx = read_case(path)
    assert articles
    assert not ctx.problems.items, ctx.problems.items


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_strict_turns_each_fallback_into_an_error(path):
    """Every guess (a warning that is not a dropped line of page chrome) is an error
    under --strict; dropped chrome stays a warning."""
    _, _, loose = read_case(path)
    guesses = [w for w in loose.problems.warnings if "page chrome" not in w.message]
    try:
        _, _, strict = read_case(path, strict=True)
    except InputError:
        assert guesses
        return
    assert len(strict.problems.items) == len(guesses)
    assert all("--strict" in p.message for p in strict.problems.items)
