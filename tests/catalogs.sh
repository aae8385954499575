#!/usr/bin/env bash
# medtrack's message catalogs (src/medtrack/locale), with Babel:
#   bash tests/catalogs.sh extract   # the template (medtrack.pot) from the source and argparse's own words
#   bash tests/catalogs.sh update    # extract, then merge new and changed messages into each language's .po
#   bash tests/catalogs.sh compile   # the .mo files medtrack reads (shipped in the wheel; commit them)
#   bash tests/catalogs.sh check     # CI: no message skipped at extraction (an f-string inside _()),
#                                    # and no catalog that an update would change
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=${PYBABEL:-.venv/bin/pybabel}
python=${PYTHON:-.venv/bin/python}
locale_dir=src/medtrack/locale
pot=$locale_dir/medtrack.pot
argparse_py=$("$python" -c 'import argparse; print(argparse.__file__)')

extract() {  # $1: where the template goes; fails on any warning (e.g. "Skipping f-string")
  local log
  log=$("$pybabel" extract -F babel.cfg --no-location --sort-output --project medtrack \
        --copyright-holder "medtrack maintainers" -o "$1" src/medtrack "$argparse_py" 2>&1)
  if grep -v -e '^extracting messages from' -e '^writing PO template file' <<<"$log" | grep .; then
    echo "catalogs: extraction warned (above): mark messages with named placeholders, never f-strings" >&2
    return 1
  fi
}

case "${1:-check}" in
  extract) extract "$pot" ;;
  update)
    extract "$pot"
    "$pybabel" update -i "$pot" -d "$locale_dir" -D medtrack --no-fuzzy-matching --ignore-pot-creation-date
    ;;
  compile) "$pybabel" compile -d "$locale_dir" -D medtrack --statistics ;;
  check)
    fresh=$(mktemp)
    trap 'rm -f "$fresh"' EXIT
    extract "$fresh"
    "$pybabel" update --check -i "$fresh" -d "$locale_dir" -D medtrack --no-fuzzy-matching \
      --ignore-pot-creation-date
    ;;
  *) echo "usage: bash tests/catalogs.sh extract|update|compile|check" >&2; exit 2 ;;
esac
