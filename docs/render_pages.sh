#!/usr/bin/env bash
# Regenerate docs/images/*.png: the first two pages of the sample bulletin
# (edition 46/2025) in each built-in theme, at 60 dpi, for the README.
# Needs publikasi (pip install .) and poppler-utils (pdftoppm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for theme in default buletin; do
    python -m publikasi build "$repo/samples/warta-malang" -f pdf -t "$theme" -o "$work/$theme" >/dev/null
    pdf="$work/$theme/2025-46/2025-46.pdf"
    for page in 1 2; do
        pdftoppm -png -r 60 -f "$page" -l "$page" -singlefile "$pdf" \
            "$here/images/pdf-$theme-page-$page"
    done
done
ls -l "$here"/images/pdf-*.png
