"""Generate a benchmark publication of N Indonesian news articles.

    python benchmarks/make_corpus.py 200 -o /tmp/corpus-200 [--seed 7]

writes, deterministically for a given (N, seed):

``OUT/source/``
    a publikasi publication: ``publication.yaml`` and one release folder per
    ``--per-release`` articles (a weekly bulletin), each with ``release.yaml``,
    the article ``.md`` files and ``images/``.
``OUT/corpus.md``
    the same articles as ONE Markdown file for Pandoc (one level-1 heading per
    article, images referenced relative to ``OUT``).
``OUT/corpus.json``
    the same articles as plain data for the raw "floor" scripts
    (``benchmarks/floor_*.py``), which write the formats without publikasi's
    model or Markdown parsing.

The text is stitched together from the word lists and sentence templates
below: it is not real news, but it has the shape of a city press release
(dateline, lead paragraph, quotes, a list, sometimes a table).  Every third
article carries a photo drawn with Pillow (a lead image of 1200x800 px).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

# ---------------------------------------------------------------- word lists

PLACES = ["Blimbing", "Klojen", "Lowokwaru", "Sukun", "Kedungkandang", "Kayutangan",
          "Tlogomas", "Arjosari", "Dinoyo", "Sawojajar", "Mergosono", "Bumiayu",
          "Polowijen", "Tunggulwulung", "Gadang", "Cemorokandang"]
AGENCIES = ["Dinas Pendidikan dan Kebudayaan", "Dinas Kesehatan", "Dinas Perhubungan",
            "Dinas Lingkungan Hidup", "Dinas Koperasi, Perindustrian dan Perdagangan",
            "Badan Penanggulangan Bencana Daerah", "Dinas Kependudukan dan Pencatatan Sipil",
            "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Sosial",
            "Dinas Komunikasi dan Informatika", "Badan Pendapatan Daerah",
            "Dinas Kepemudaan dan Olahraga"]
OFFICIALS = ["Wali Kota Malang", "Wakil Wali Kota Malang", "Sekretaris Daerah",
             "Kepala Dinas", "Camat", "Lurah", "Kepala Bidang", "Ketua DPRD"]
NAMES = ["Wahyu Hidayat", "Ali Muthohirin", "Erik Setyo Santoso", "Sri Wahyuni",
         "Budi Santoso", "Retno Anggraeni", "Agus Prasetyo", "Dewi Lestari",
         "Hendra Kurniawan", "Siti Nurjanah", "Yudi Hartono", "Rina Puspitasari",
         "Bambang Irawan", "Lilik Suryani", "Teguh Wibowo", "Nur Aini"]
SECTIONS = ["Pemerintahan", "Ekonomi", "Kesehatan", "Pendidikan", "Lingkungan",
            "Infrastruktur", "Sosial", "Budaya", "Olahraga", "Pelayanan Publik"]
TOPICS = [
    ("bank sampah", "pengelolaan sampah rumah tangga"),
    ("perbaikan jalan", "pemeliharaan jalan kota"),
    ("vaksinasi anak", "imunisasi dasar lengkap"),
    ("festival kuliner", "promosi usaha mikro"),
    ("pelatihan digital", "literasi digital warga"),
    ("pasar murah", "pengendalian harga bahan pokok"),
    ("simulasi banjir", "kesiapsiagaan bencana"),
    ("adminduk keliling", "pelayanan dokumen kependudukan"),
    ("pojok baca", "minat baca anak"),
    ("uji emisi", "kualitas udara kota"),
    ("bedah rumah", "rumah tidak layak huni"),
    ("turnamen futsal", "pembinaan atlet muda"),
    ("taman tematik", "ruang terbuka hijau"),
    ("sekolah ramah anak", "perlindungan anak di sekolah"),
    ("pendampingan UMKM", "sertifikasi halal produk lokal"),
    ("drainase kampung", "genangan saat musim hujan"),
]
VERBS = ["meresmikan", "meninjau", "membuka", "meluncurkan", "menggelar", "mendukung",
         "mengevaluasi", "memperluas", "menyosialisasikan", "mempercepat"]
ADJ = ["berkelanjutan", "terpadu", "lebih cepat", "tepat sasaran", "inklusif",
       "transparan", "merata", "partisipatif"]
THINGS = ["warga", "pelaku usaha", "pelajar", "kader posyandu", "pengemudi angkot",
          "relawan", "ketua RT dan RW", "guru", "penyandang disabilitas", "lansia"]

LEADS = [
    "{official} {verb} program {topic} di Kecamatan {place}, {day}. Kegiatan ini "
    "merupakan bagian dari upaya Pemerintah Kota Malang untuk {goal} secara {adj}.",
    "{agency} Kota Malang {verb} kegiatan {topic} yang diikuti sekitar {n} {who} "
    "di Kelurahan {place} pada {day}.",
    "Pemerintah Kota Malang melalui {agency} terus {verb} layanan {topic}. Sepanjang "
    "tahun ini tercatat {n} {who} telah terlayani di {m} titik.",
]
BODY = [
    "Menurut {name}, program ini dirancang agar {who} dapat merasakan manfaatnya secara "
    "langsung tanpa harus menempuh jarak jauh.",
    "Pada tahap awal, kegiatan dipusatkan di {m} kelurahan, antara lain {place} dan "
    "{place2}, sebelum diperluas ke seluruh wilayah kota.",
    "Anggaran yang disiapkan untuk kegiatan tersebut mencapai Rp{money} juta dan "
    "bersumber dari APBD Kota Malang tahun {year}.",
    "{agency} juga menggandeng perguruan tinggi dan komunitas setempat agar pelaksanaan "
    "{topic} berjalan {adj}.",
    "Warga yang ingin mengikuti kegiatan cukup membawa kartu tanda penduduk dan mendaftar "
    "melalui kantor kelurahan masing-masing.",
    "Selain itu, petugas akan melakukan pendataan ulang untuk memastikan bantuan diterima "
    "oleh {who} yang benar-benar membutuhkan.",
    "Hasil evaluasi bulan lalu menunjukkan peningkatan partisipasi sebesar {pct} persen "
    "dibandingkan periode yang sama tahun sebelumnya.",
    "Kegiatan serupa dijadwalkan kembali pada {day2} di Kecamatan {place2} dengan "
    "melibatkan lebih banyak {who}.",
    "Ia berharap {goal} dapat menjadi gerakan bersama, bukan hanya tugas pemerintah.",
    "Masyarakat dapat menyampaikan keluhan dan saran melalui layanan pengaduan SAMBAT "
    "Online maupun media sosial resmi Pemerintah Kota Malang.",
]
QUOTES = [
    "Kami ingin layanan ini benar-benar hadir di tengah warga, bukan hanya di atas kertas.",
    "Kuncinya kolaborasi. Pemerintah tidak bisa bekerja sendiri tanpa dukungan masyarakat.",
    "Targetnya sederhana: setiap {who} mendapat akses yang sama, cepat dan tanpa biaya.",
    "Kami akan evaluasi setiap bulan supaya anggarannya tepat sasaran.",
]
LIST_ITEMS = [
    "membawa fotokopi KTP dan kartu keluarga",
    "datang sesuai jadwal yang ditentukan kelurahan",
    "mengisi formulir pendaftaran secara lengkap",
    "mematuhi arahan petugas di lokasi",
    "menyiapkan nomor telepon yang aktif",
    "memilah sampah organik dan anorganik dari rumah",
    "melaporkan kerusakan melalui aplikasi pengaduan",
]
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]

BASE_URL = "https://warta.malangkota.example/berita/"
START = dt.datetime(2025, 11, 14, 16, 0)


# ---------------------------------------------------------------- text


class Writer:
    """Fills the templates from one seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)

    def pick(self, seq):
        return self.rnd.choice(seq)

    def fill(self, template: str, topic: tuple[str, str], when: dt.datetime) -> str:
        r = self.rnd
        later = when + dt.timedelta(days=r.randint(3, 30))
        values = {
            "official": self.pick(OFFICIALS), "agency": self.pick(AGENCIES),
            "name": self.pick(NAMES), "verb": self.pick(VERBS), "adj": self.pick(ADJ),
            "who": self.pick(THINGS), "place": self.pick(PLACES), "place2": self.pick(PLACES),
            "topic": topic[0], "goal": f"memperbaiki {topic[1]}",
            "day": f"{DAYS[when.weekday()]} ({when.day}/{when.month})",
            "day2": f"{later.day} {MONTHS[later.month - 1]} {later.year}",
            "n": r.randint(40, 4000), "m": r.randint(3, 57), "money": r.randint(150, 9500),
            "year": when.year, "pct": r.randint(5, 60),
        }
        return template.format(**values)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def make_article(i: int, w: Writer, when: dt.datetime, with_image: bool) -> dict:
    """One article as plain data (the single source of every output below)."""
    r = w.rnd
    topic = TOPICS[i % len(TOPICS)]
    place = w.pick(PLACES)
    title = (f"{_cap(topic[0])} di {place}: {_cap(w.pick(VERBS))} "
             f"layanan untuk {w.pick(THINGS)} ({i + 1})")
    blocks: list[dict] = [{"type": "p", "text": w.fill(w.pick(LEADS), topic, when)}]
    for _ in range(r.randint(3, 6)):
        blocks.append({"type": "p", "text": " ".join(
            w.fill(w.pick(BODY), topic, when) for _ in range(r.randint(2, 3)))})
    speaker = w.pick(NAMES)
    if i % 2 == 0:
        blocks.insert(2, {"type": "quote", "text": w.fill(w.pick(QUOTES), topic, when),
                          "by": speaker})
    if i % 4 == 1:
        blocks.append({"type": "h", "text": "Syarat dan ketentuan"})
        blocks.append({"type": "ul", "items": r.sample(LIST_ITEMS, r.randint(3, 5))})
    if i % 5 == 2:
        rows = [[p, str(r.randint(10, 900)), f"{r.randint(1, 99)},{r.randint(0, 9)}"]
                for p in r.sample(PLACES, 4)]
        blocks.append({"type": "table", "header": ["Kecamatan", "Peserta", "Capaian (%)"],
                       "rows": rows, "caption": f"Rekap {topic[0]} per kecamatan"})
    blocks.append({"type": "p", "text": w.fill(w.pick(BODY), topic, when)})
    image = None
    if with_image:
        image = {"src": f"images/foto-{i + 1:05d}.jpg",
                 "alt": f"Petugas dan warga dalam kegiatan {topic[0]} di {place}",
                 "caption": f"Suasana kegiatan {topic[0]} di Kecamatan {place}.",
                 "credit": "Humas Pemkot Malang"}
    return {
        "slug": f"{i + 1:05d}-{topic[0].replace(' ', '-').lower()}-{place.lower()}",
        "title": title, "date": when.isoformat(timespec="minutes") + "+07:00",
        "dateline": place, "authors": [speaker], "byline": f"hms/{i % 97:02d}",
        "section": SECTIONS[i % len(SECTIONS)], "tags": [topic[0], place],
        "image": image, "blocks": blocks,
    }


# ---------------------------------------------------------------- images


@functools.lru_cache(maxsize=2)
def _grain(size: tuple[int, int]) -> Image.Image:
    # One shared film grain: noise makes the JPEGs photo-sized, and drawing it
    # once keeps a 2000-article corpus quick to generate.
    return Image.effect_noise(size, 24).convert("RGB")


def draw_photo(path: Path, seed: int, size: tuple[int, int] = (1200, 800)) -> None:
    """A deterministic 'photo': sky gradient, hills, buildings, a little grain."""
    r = random.Random(seed)
    w, h = size
    sky = Image.linear_gradient("L").resize((w, h))
    top = (r.randint(60, 140), r.randint(120, 190), r.randint(190, 250))
    img = Image.merge("RGB", [sky.point(lambda v, c=c: int(c + (230 - c) * v / 255))
                              for c in top])
    d = ImageDraw.Draw(img)
    for _ in range(3):
        y = r.randint(h // 3, h // 2)
        colour = (r.randint(40, 90), r.randint(110, 160), r.randint(40, 80))
        d.ellipse((r.randint(-w // 2, w // 2), y, r.randint(w // 2, w * 3 // 2), h * 2),
                  fill=colour)
    for _ in range(r.randint(5, 12)):
        bw, bh = r.randint(60, 180), r.randint(100, 360)
        x = r.randint(0, w - bw)
        colour = tuple(r.randint(120, 230) for _ in range(3))
        d.rectangle((x, h - bh - 60, x + bw, h - 60), fill=colour)
        for wy in range(h - bh - 40, h - 80, 40):
            for wx in range(x + 10, x + bw - 20, 30):
                d.rectangle((wx, wy, wx + 14, wy + 20), fill=(60, 70, 90))
    d.rectangle((0, h - 60, w, h), fill=(70, 70, 75))
    img = Image.blend(img, _grain(size), 0.08)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=88)


# ---------------------------------------------------------------- writers


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def article_markdown(a: dict, image_prefix: str = "") -> str:
    """Markdown body (no front matter); images are referenced as ``image_prefix + src``."""
    out: list[str] = []
    for b in a["blocks"]:
        kind = b["type"]
        if kind == "p":
            out.append(b["text"])
        elif kind == "h":
            out.append(f"## {b['text']}")
        elif kind == "quote":
            out.append(f"> \u201c{b['text']}\u201d\n>\n> \u2014 {b['by']}")
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in b["items"]))
        elif kind == "table":
            lines = ["| " + " | ".join(b["header"]) + " |", "|---|---:|---:|"]
            lines += ["| " + " | ".join(row) + " |" for row in b["rows"]]
            out.append("\n".join(lines) + f"\n\nTabel: {b['caption']}")
    return "\n\n".join(out) + "\n"


def article_source(a: dict) -> str:
    """A publikasi article file: YAML front matter + Markdown body."""
    fm = [f"title: {_yaml_str(a['title'])}", f"date: {a['date']}",
          f"dateline: {a['dateline']}", f"authors: [{_yaml_str(a['authors'][0])}]",
          f"byline: {a['byline']}", f"section: {a['section']}",
          "tags: [" + ", ".join(_yaml_str(t) for t in a["tags"]) + "]",
          f"slug: {a['slug']}"]
    if a["image"]:
        img = a["image"]
        fm += ["image:", f"  src: {img['src']}", f"  alt: {_yaml_str(img['alt'])}",
               f"  caption: {_yaml_str(img['caption'])}", f"  credit: {img['credit']}"]
    return "---\n" + "\n".join(fm) + "\n---\n\n" + article_markdown(a)


def generate(n: int, out: Path, seed: int = 7, per_release: int = 25) -> dict:
    """Write the corpus into ``out`` (replacing it); returns a summary dict."""
    if out.exists():
        shutil.rmtree(out)
    source = out / "source"
    source.mkdir(parents=True)
    (source / "publication.yaml").write_text(
        "title: Warta Kota Malang (korpus uji)\nlanguage: id\ntimezone: Asia/Jakarta\n"
        f"base_url: {BASE_URL}\n"
        "publisher:\n  name: Bagian Komunikasi Pimpinan Kota Malang\n"
        "description: Kumpulan rilis uji untuk mengukur kecepatan publikasi.\n"
        "feed:\n  items: 50\n  full_content: true\n", encoding="utf-8")
    w = Writer(seed)
    releases: list[dict] = []
    pandoc: list[str] = ["---", "title: Warta Kota Malang (korpus uji)", "lang: id-ID", "---", ""]
    n_releases = max(1, -(-n // per_release))
    images = 0
    for k in range(n_releases):
        # Release k covers the k-th week back from START (newest release first).
        week_end = START - dt.timedelta(days=7 * k)
        folder_name = f"rilis-{n_releases - k:04d}"
        folder = source / folder_name
        folder.mkdir()
        count = min(per_release, n - k * per_release)
        (folder / "release.yaml").write_text(
            f"title: Warta Kota Malang\ndate: {week_end.date().isoformat()}\n"
            f"edition: {n_releases - k}/{week_end.year}\n", encoding="utf-8")
        arts: list[dict] = []
        for j in range(count):
            i = k * per_release + j
            when = week_end - dt.timedelta(hours=5 * j + 1)
            a = make_article(i, w, when, with_image=(i % 3 == 0))
            if a["image"]:
                draw_photo(folder / a["image"]["src"], seed * 100_003 + i)
                images += 1
            (folder / f"{a['slug']}.md").write_text(article_source(a), encoding="utf-8")
            arts.append(a)
            pandoc.append(f"# {a['title']}\n")
            pandoc.append(f"*{a['dateline']}, {a['date'][:10]}* \u2014 {a['authors'][0]}\n")
            if a["image"]:
                img = a["image"]
                pandoc.append(f"![{img['caption']}](source/{folder_name}/{img['src']})\n")
            pandoc.append(article_markdown(a))
        releases.append({"slug": folder_name, "title": "Warta Kota Malang",
                         "date": week_end.date().isoformat(), "folder": f"source/{folder_name}",
                         "articles": arts})
    (out / "corpus.md").write_text("\n".join(pandoc), encoding="utf-8")
    (out / "corpus.json").write_text(json.dumps(
        {"title": "Warta Kota Malang (korpus uji)", "base_url": BASE_URL, "language": "id",
         "releases": releases}, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"articles": n, "releases": n_releases, "images": images, "out": str(out)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("n", type=int, help="number of articles")
    p.add_argument("-o", "--out", type=Path, required=True, help="folder to (re)create")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--per-release", type=int, default=25, help="articles per release folder")
    args = p.parse_args(argv)
    if args.n < 1:
        p.error("n must be at least 1")
    summary = generate(args.n, args.out, args.seed, args.per_release)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
