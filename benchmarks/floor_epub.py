"""Raw floor for EPUB: ebooklib alone writes one EPUB 3 per release.

    python benchmarks/floor_epub.py CORPUS_DIR OUT_DIR
"""

from __future__ import annotations

from ebooklib import epub
from floor_common import args, article_html, image_path


def main() -> None:
    corpus, out, data = args()
    for release in data["releases"]:
        book = epub.EpubBook()
        book.set_identifier(f"urn:floor:{release['slug']}")
        book.set_title(f"{release['title']} {release['date']}")
        book.set_language(data["language"])
        chapters = []
        for a in release["articles"]:
            photo = image_path(corpus, release, a)
            src = None
            if photo:
                src = f"images/{photo.name}"
                book.add_item(epub.EpubImage(uid=photo.stem, file_name=src,
                                             media_type="image/jpeg",
                                             content=photo.read_bytes()))
            chapter = epub.EpubHtml(title=a["title"], file_name=f"{a['slug']}.xhtml",
                                    lang=data["language"])
            chapter.content = article_html(a, src)
            book.add_item(chapter)
            chapters.append(chapter)
        book.toc = chapters
        book.add_item(epub.EpubNcx())
        book.add_item(epub.EpubNav())
        book.spine = ["nav", *chapters]
        folder = out / release["slug"]
        folder.mkdir(parents=True, exist_ok=True)
        epub.write_epub(str(folder / f"{release['slug']}.epub"), book)


if __name__ == "__main__":
    main()
