#!/usr/bin/env bash
# Every C file is formatted by the repository's .clang-format (4-space
# indent, K&R braces, 100 columns): `make format` applies it.
SUITE=format
. "$(dirname "$0")/lib.sh"

files=$(git ls-files 'src/*.[ch]' 'ui/*.[ch]' 'tests/*.[ch]' 2>/dev/null)
if ! command -v clang-format >/dev/null; then
    not_ok "clang-format is installed (make deps installs it)"
else
    bad=$(for f in $files; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
    expect "files that 'make format' would change" "$(echo $bad)" ""
    finish "every C file is formatted ($(echo "$files" | wc -l) files)"
fi
summary
