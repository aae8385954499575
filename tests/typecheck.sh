#!/usr/bin/env bash
# mypy over the tests (configuration: tests/mypy.ini), as .ci/run does.
# pytest puts each test folder on sys.path, so tests import their neighbours by bare name, and
# tui/, export/ and reliability/ each have their own conftest module, which one mypy run would
# see as the same module twice: one run per folder, each with its folder on the path.
set -euo pipefail
cd "$(dirname "$0")/.."
mypy=${MYPY:-.venv/bin/mypy}
check() {
  local folders=$1; shift
  MYPYPATH="src:tests:$folders" "$mypy" --config-file tests/mypy.ini \
    --cache-dir ".mypy_cache/tests-${folders//[\/:]/-}" "$@"
}
check tests/cli:tests/services:tests/unit:tests/reminders tests/*.py tests/cli tests/services tests/unit tests/reminders
check tests/tui tests/tui
check tests/export tests/export
check tests/reliability tests/reliability
