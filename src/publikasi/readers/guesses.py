"""Why a reader guessed a field, in words for the people who check it.

The plain-text reader reports each guess as a warning (the CLI prints its
English ``message``) carrying a :class:`~publikasi.errors.Guess`: the field's
``inspect`` key and a reason key.  :data:`REASONS` holds the reason texts the
desk shows beside the field, in Indonesian and English; their placeholders
are the values the reader recorded.
"""

from __future__ import annotations

from ..errors import Guess, Problem
from ..labels import FALLBACK_LANGUAGE, LabelTexts, render, short_language

REASONS: LabelTexts = {
    "id": {
        "title_below_dropped_line": "judul diambil dari baris {at}; baris di atasnya "
                                    "dibuang: “{dropped}”",
        "title_from_first_words": "tidak ada baris judul: judul diambil dari kata-kata pertama "
                                  "paragraf pembuka",
        "no_dateline": "tidak ada dateline (mis. “Malang (malangkota.go.id) –”) di awal "
                       "paragraf pertama",
        "date_ignored": "tanggal “{text}” tidak dapat dipakai dan diabaikan",
        "date_from_page_weekday": "nama hari pada “{text}” tidak cocok dengan tanggalnya; "
                                  "dipakai tanggal halaman {date}",
        "date_weekday_mismatch": "nama hari pada “{text}” tidak cocok dengan tanggalnya "
                                 "({date})",
        "date_year_from_release": "tanggal tanpa tahun: tahun diambil dari tanggal edisi "
                                  "({date})",
        "date_year_from_copyright": "tanggal tanpa tahun: tahun diambil dari tahun hak cipta "
                                    "halaman ({date})",
        "date_year_from_today": "tanggal tanpa tahun: tahun diambil dari tanggal hari ini "
                                "({date})",
        "date_from_day_name_release": "hanya nama hari (“{day}”) di paragraf pembuka: "
                                      "tanggal {date}, hari {day} terakhir sebelum tanggal "
                                      "edisi {reference}",
        "date_from_day_name_copyright": "hanya nama hari (“{day}”) di paragraf pembuka: "
                                        "tanggal {date}, hari {day} terakhir sebelum akhir "
                                        "tahun hak cipta halaman {reference}",
        "date_from_day_name_today": "hanya nama hari (“{day}”) di paragraf pembuka: tanggal "
                                    "{date}, hari {day} terakhir sebelum hari ini {reference}",
        "date_from_later_text": "tidak ada tanggal di paragraf pertama: dipakai “{text}” dari "
                                "bagian teks berikutnya",
        "date_from_release": "tanggal diambil dari tanggal edisi ({date})",
        "date_from_copyright": "tanggal diambil dari akhir tahun hak cipta halaman ({date})",
        "date_from_today": "tanggal diambil dari tanggal hari ini ({date})",
    },
    "en": {
        "title_below_dropped_line": "headline taken from line {at}; the line above it is "
                                    "dropped: “{dropped}”",
        "title_from_first_words": "no title line: the headline is the opening paragraph's "
                                  "first words",
        "no_dateline": "no dateline (e.g. “Malang (malangkota.go.id) –”) at the start of the "
                       "first paragraph",
        "date_ignored": "the date “{text}” cannot be used and is ignored",
        "date_from_page_weekday": "the day name in “{text}” does not match its date; the "
                                  "page's date {date} is used",
        "date_weekday_mismatch": "the day name in “{text}” does not match its date ({date})",
        "date_year_from_release": "a date without a year: the year is the edition's ({date})",
        "date_year_from_copyright": "a date without a year: the year is the page's copyright "
                                    "year ({date})",
        "date_year_from_today": "a date without a year: the year is this year's ({date})",
        "date_from_day_name_release": "only a day name (“{day}”) in the opening paragraphs: "
                                      "dated {date}, the last {day} before the edition date "
                                      "{reference}",
        "date_from_day_name_copyright": "only a day name (“{day}”) in the opening paragraphs: "
                                        "dated {date}, the last {day} before the end of the "
                                        "page's copyright year {reference}",
        "date_from_day_name_today": "only a day name (“{day}”) in the opening paragraphs: "
                                    "dated {date}, the last {day} before today {reference}",
        "date_from_later_text": "no date in the first paragraph: “{text}” from later in the "
                                "text is used",
        "date_from_release": "date taken from the edition date ({date})",
        "date_from_copyright": "date taken from the end of the page's copyright year ({date})",
        "date_from_today": "date taken from today's date ({date})",
    },
}


def reason_text(guess: Guess, language: str) -> str:
    """The reason of ``guess`` in ``language`` (Indonesian when there is no such text)."""
    values = dict(guess.values)
    for lang in dict.fromkeys((short_language(language), FALLBACK_LANGUAGE)):
        template = REASONS.get(lang, {}).get(guess.reason)
        if template is not None:
            return render(template, values)
    return guess.reason


def guesses_by_field(warnings: list[Problem], language: str) -> dict[str, list[str]]:
    """``inspect`` key -> the reasons of the reader's guesses about it, in order."""
    out: dict[str, list[str]] = {}
    for warning in warnings:
        if warning.guess is not None:
            out.setdefault(warning.guess.field, []).append(reason_text(warning.guess,
                                                                       language))
    return out


__all__ = ["REASONS", "guesses_by_field", "reason_text"]
