#!/usr/bin/env bash
# The folders keep their dependency boundaries (see DESIGN in README and the
# overview comment of each folder's main header): greps every #include.
#   src/script/  alone includes yaml.h
#   src/engine/  alone includes curl/*.h; uv.h there and in src/target/
#   src/target/  alone includes llhttp.h (the native transport will join it)
#   ui/          alone includes curses; src/ never includes ui's headers
#   *_int.h      (a folder's private header) only from its own folder
# and the top level holds what the design card fixes, and no more; and no
# source file grows past 600 lines (split it by concern instead).
SUITE=layout
. "$(dirname "$0")/lib.sh"

# rule NAME REGEX ALLOWED-DIR...: no file outside ALLOWED-DIRs includes REGEX.
rule() {
    local name=$1 re=$2
    shift 2
    local bad=()
    while IFS= read -r f; do
        local ok=0
        for d in "$@"; do [[ $f == $d/* || $f == "$d" ]] && ok=1; done
        [ $ok = 1 ] || bad+=("$f")
    done < <(grep -lE "^#include $re" src/*.[ch] src/*/*.[ch] ui/*.[ch] 2>/dev/null)
    if [ ${#bad[@]} -eq 0 ]; then ok "$name"; else not_ok "$name" "${bad[@]}"; fi
}

rule "only src/script/ includes yaml.h" '<yaml\.h>' src/script
rule "only src/engine/ includes curl" '<curl/' src/engine
rule "only src/engine/ and src/target/ include uv.h" '<uv\.h>' src/engine src/target
rule "only src/target/ (and src/engine/) include llhttp.h" '<llhttp\.h>' src/target src/engine
rule "only ui/ includes curses" '<(n?curses|ncursesw/[a-z]+|term|panel)\.h>' ui
rule "src/ never includes ui's headers (but main.c and watchcmd.c, which start it)" '"ui(_[a-z]+)?\.h"' ui src/main.c src/watchcmd.c

bad=()
for f in src/*.[ch] src/*/*.[ch] ui/*.[ch]; do
    dir=$(dirname "$f")
    while IFS= read -r h; do
        [ -e "$dir/$h" ] || bad+=("$f includes $h from another folder")
    done < <(sed -n 's/^#include "\([a-z_]*_int\.h\)".*/\1/p' "$f")
done
if [ ${#bad[@]} -eq 0 ]; then ok "a folder's _int.h is private to it"; else
    not_ok "a folder's _int.h is private to it" "${bad[@]}"; fi

big=$(wc -l src/*.[ch] src/*/*.[ch] ui/*.[ch] | awk '$2 != "total" && $1 > 600 { print $2 " (" $1 " lines)" }')
expect "files over 600 lines" "$(echo $big)" ""
finish "no source file over 600 lines (one concern a file)"

extra=$(git ls-files 2>/dev/null | sed 's|/.*||' | sort -u |
    grep -vxE 'src|ui|scenarios|tests|man|Makefile|README\.md|\.ci|\.clang-format|\.gitignore')
expect "top level: src ui scenarios tests man Makefile README.md (and dotfiles)" "$extra" ""
finish "nothing else at the top level"

summary
