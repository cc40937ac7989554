"""Write an edited article over its ``.md`` source, changing only what changed.

An editor who corrects one word should see a one-line diff, not the whole
file rewritten in :mod:`publikasi.mdwriter`'s style.  So when the target is
an existing ``.md``:

* the front matter is kept as written when its values are unchanged;
* the body is cut into its top-level Markdown blocks (markdown-it's source
  maps); a block whose model equals the next blocks of the edited article is
  copied verbatim, everything else is written by :mod:`publikasi.mdwriter`;
* footnote definitions are written afresh (their labels are renumbered).

The result is read back with the Markdown reader and must give exactly the
edited article; otherwise the plain :func:`~publikasi.mdwriter.write_markdown`
text is used.  Correctness never depends on the splicing.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problems
from ..mdwriter import front_matter, render_blocks, write_markdown
from ..model import Article, Block, ListBlock
from ..readers.common import ReadContext
from ..serialize import article_json


def _same(a: Article, b: Article, base: Path) -> bool:
    x, y = article_json(a, base), article_json(b, base)
    x.pop("path")
    y.pop("path")
    return x == y


def splice_markdown(old_text: str, file: Path, article: Article, original: Article,
                    ctx: ReadContext) -> str:
    """Markdown for ``article`` that keeps ``old_text`` wherever the content is unchanged."""
    import yaml
    from markdown_it.tree import SyntaxTreeNode

    from ..mdwriter import _footnotes
    from ..readers.markdown import _MD, parse_body, read_markdown, split_front_matter

    base = file.parent.resolve()
    fresh = write_markdown(article, base)

    def quiet() -> ReadContext:
        return ReadContext(root=ctx.root, timezone=ctx.timezone, language=ctx.language,
                           release_date=ctx.release_date, extra_roots=ctx.extra_roots,
                           limits=ctx.limits, problems=Problems())

    try:
        _, body, _ = split_front_matter(old_text, file)
    except InputError:
        return fresh
    head = old_text[: len(old_text) - len(body)]
    if front_matter(article, base) != front_matter(original, base):
        meta = yaml.safe_dump(front_matter(article, base), allow_unicode=True, sort_keys=False,
                              default_flow_style=False, width=10_000)
        head = f"---\n{meta}---\n"
    lines = body.splitlines(keepends=True)
    chunks: list[tuple[str, tuple[Block, ...]]] = []
    for node in SyntaxTreeNode(_MD.parse(body)).children:
        if node.type == "footnote_block" or not node.map:
            continue
        text = "".join(lines[node.map[0]:node.map[1]]).strip("\n")
        try:
            blocks, notes = parse_body(text, file, quiet())
        except InputError:
            blocks, notes = None, ()
        if notes or (blocks is not None and _has_refs(blocks)):
            blocks = None  # footnote labels are document-wide: never copied
        chunks.append((text, blocks))  # type: ignore[arg-type]

    pieces: list[tuple[str, Block | None, Block | None]] = []  # (text, first, last block)
    todo = list(article.blocks)
    pending: list[Block] = []

    def flush() -> None:
        if pending:
            pieces.append((render_blocks(tuple(pending), base), pending[0], pending[-1]))
            pending.clear()

    ci = 0
    while todo:
        matched = False
        for j in range(ci, len(chunks)):
            text, blocks = chunks[j]
            if blocks and tuple(todo[:len(blocks)]) == tuple(blocks):
                flush()
                pieces.append((text, blocks[0], blocks[-1]))
                del todo[:len(blocks)]
                ci = j + 1
                matched = True
                break
        if not matched:
            pending.append(todo.pop(0))
    flush()
    parts: list[str] = []
    prev: Block | None = None
    for text, first, last in pieces:
        if isinstance(prev, ListBlock) and isinstance(first, ListBlock):
            parts.append("<!-- -->")  # two lists in a row would merge into one
        parts.append(text)
        prev = last
    out = head
    if parts:
        out += "\n" + "\n\n".join(parts) + "\n"
    notes_text = _footnotes(article.footnotes, base)
    if notes_text:
        out += "\n" + notes_text + "\n"
    try:
        back = read_markdown(out, file, quiet())
    except InputError:
        return fresh
    return out if _same(back, article, base) else fresh


def _has_refs(blocks: tuple[Block, ...]) -> bool:
    """Whether any inline of ``blocks`` is a footnote reference."""
    from ..model import FootnoteRef, query

    return next(query(blocks, FootnoteRef), None) is not None
