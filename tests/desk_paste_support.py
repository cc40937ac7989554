"""Shared pieces of the desk paste tests: a seed-shaped release written for the
tests (invented people and events, in the shape of the city's releases) and a
copy of the sample publication to paste into."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import PUBLICATION

# A release in the shape the press office pastes: the headline twice (the page
# title and the article title), a dateline with an empty site name, a photo
# caption with no photo, quotes, and the desk code in brackets at the end.
# The first line is a typo the tests correct in the form.
WRONG_TITLE = "Pasar Tani Blimbing Dibuka Tiap Sabtu Pgi"
RIGHT_TITLE = "Pasar Tani Blimbing Dibuka Tiap Sabtu Pagi"
RELEASE_TEXT = f"""{WRONG_TITLE}

{WRONG_TITLE}

Blimbing () – Pemerintah Kota Malang membuka Pasar Tani Blimbing di halaman Kantor Kecamatan Blimbing, Sabtu (15/11/2025). Pasar ini mempertemukan kelompok tani dari lima kelurahan dengan warga yang mencari sayur dan buah segar.

Kepala Dinas Pertanian Kota Malang, Sri Wulandari, saat meninjau lapak sayur organik di Pasar Tani Blimbing

Sri Wulandari menyampaikan bahwa pasar tani menjadi jalan pintas antara petani kota dan pembeli. Harga di pasar ini ditentukan bersama oleh kelompok tani agar tetap terjangkau bagi warga sekitar.

“Petani kota tidak perlu lagi menitipkan hasil panen kepada tengkulak. Di sini mereka bertemu langsung dengan warga,” ujarnya.

Camat Blimbing, Agus Prasetyo, menambahkan bahwa pasar akan buka setiap Sabtu pukul 06.00 sampai 10.00 WIB. Lahan parkir disiapkan di sisi timur kantor kecamatan.

“Kami berharap warga datang membawa tas belanja sendiri, supaya pasar ini juga bebas sampah plastik,” tuturnya. (/rin/ag)
"""

# The same release as a page's HTML, the way a browser puts it on the clipboard.
RELEASE_HTML = f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">
<title>{WRONG_TITLE}</title></head><body><article>
<h1>{WRONG_TITLE}</h1>
<p>Blimbing () – Pemerintah Kota Malang membuka Pasar Tani Blimbing di halaman Kantor
Kecamatan Blimbing, Sabtu (15/11/2025). Pasar ini mempertemukan kelompok tani dari lima
kelurahan dengan warga yang mencari sayur dan buah segar.</p>
<figure><img src="https://example.invalid/foto/pasar-tani.jpg" alt="Lapak sayur">
<figcaption>Lapak sayur organik di Pasar Tani Blimbing (Foto: Humas)</figcaption></figure>
<p>Sri Wulandari menyampaikan bahwa pasar tani menjadi jalan pintas antara petani kota dan
pembeli. Harga di pasar ini ditentukan bersama oleh kelompok tani agar tetap terjangkau bagi
warga sekitar.</p>
<p>“Petani kota tidak perlu lagi menitipkan hasil panen kepada tengkulak. Di sini mereka
bertemu langsung dengan warga,” ujarnya.</p>
<p>Camat Blimbing, Agus Prasetyo, menambahkan bahwa pasar akan buka setiap Sabtu pukul
06.00 sampai 10.00 WIB. Lahan parkir disiapkan di sisi timur kantor kecamatan. (/rin/ag)</p>
</article></body></html>
"""


def copy_publication(parent: Path) -> Path:
    """A copy of the sample publication (two releases) in ``parent``, under the
    samples' folder name (Word files name their publication by it)."""
    dest = parent / PUBLICATION.name
    shutil.copytree(PUBLICATION, dest, symlinks=True)
    return dest


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative name -> bytes): proves what was (not) written."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}
