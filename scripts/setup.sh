#!/usr/bin/env bash
# Set up everything sahelkg needs on a fresh Debian machine: the Python environment (.venv) and,
# with --test, the Debian packages the tests use (Java 17 for HermiT and the OWL API checker,
# Jena, Konclude, chromium for the browser test, Virtuoso for the remote-store tests) and the test extras;
# --test --no-debian: the test extras without the Debian packages (make test-fast). Safe to run again: it
# installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
want_debian=1
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --no-debian) want_debian=0 ;;  # the Python environment only (make test-fast)
    *) echo "usage: scripts/setup.sh [--test [--no-debian]]" >&2; exit 2 ;;
  esac
done

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ $want_test = 1 ] && [ $want_debian = 1 ]; then
  apt_install default-jdk-headless libowlapi-java libapache-jena-java konclude chromium virtuoso-opensource-7-bin
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.sahelkg-installed
[ $want_test = 1 ] && stamp=.venv/.sahelkg-installed-test
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ $want_test = 1 ]; then
    .venv/bin/python -m pip install --quiet -e '.[test,nlp]'
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
  touch "$stamp"
fi
