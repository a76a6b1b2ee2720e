#!/usr/bin/env bash
# HTML report tests: `loadtop report` renders the fixture run; the HTML must
# be well-formed XML (xmllint), self-contained, and look right in a real
# browser: headless Chromium screenshots it at 1280x2000 and the PNG must be
# that size, not blank, and change when the SVG charts are hidden (so the
# charts are really drawn). Chromium and xmllint are installed when missing;
# a check is skipped, with a message, only where that cannot be done.
# Prints "ok"/"not ok" lines and "html: N passed, N failed"; writes the
# numbers to build/html.count. The screenshot is kept as build/report.png.
SUITE=html
. "$(dirname "$0")/lib.sh"
BUILD_DIR=${BUILD_DIR:-build}
FIXTURE=tests/fixtures/run.json

# apt_install PKG: installs a Debian package if possible; quiet; 0 on success.
apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    command -v apt-get >/dev/null || return 1
    $sudo apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$1" >/dev/null 2>&1
}

# --- render ---------------------------------------------------------------
if "$BIN" report "$FIXTURE" -o "$WORK/report.html" 2>"$WORK/err" &&
   "$BIN" report "$FIXTURE" -o "$WORK/report.md" 2>>"$WORK/err"; then
    ok "loadtop report renders the fixture as HTML and Markdown"
else
    not_ok "loadtop report renders the fixture as HTML and Markdown" "$(cat "$WORK/err")"
fi
if cmp -s "$WORK/report.md" tests/fixtures/run.md; then
    ok "the Markdown is the golden file, byte for byte"
else
    not_ok "the Markdown is the golden file, byte for byte" \
        "$(diff tests/fixtures/run.md "$WORK/report.md" 2>&1 | head -20)"
fi
echo '{"aggregate": {}}' >"$WORK/empty.json"
"$BIN" report "$WORK/empty.json" -o "$WORK/empty.html" 2>/dev/null

# --- well-formed and self-contained -------------------------------------------
command -v xmllint >/dev/null || apt_install libxml2-utils
if ! command -v xmllint >/dev/null; then
    skip "well-formed" "xmllint is missing and libxml2-utils cannot be installed here"
else
    for f in report empty; do
        if [ -s "$WORK/$f.html" ] && out=$(xmllint --noout "$WORK/$f.html" 2>&1); then
            ok "$f.html is well-formed XHTML with inline SVG"
        else
            not_ok "$f.html is well-formed XHTML with inline SVG" "${out:-no file}"
        fi
    done
fi
h="$WORK/report.html"
[ "$(grep -c '<svg xmlns="http://www.w3.org/2000/svg"' "$h")" = 7 ] || errs+=("expected 7 charts")
grep -Eq '<script|<link |<img | src=|url\(|@import|href="(https?:)?//' "$h" &&
    errs+=("refers to something outside the file")
[ "$(grep -c 'class="axl">time since start (m:ss)</text>' "$h")" = 7 ] || errs+=("x axis labels")
finish "self-contained, 7 labelled charts"

# --- a real browser -------------------------------------------------------------
CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROME" ] && apt_install chromium; then CHROME=$(command -v chromium || true); fi
shot() { # shot HTML PNG
    local profile
    profile=$(mktemp -d "$WORK/profile.XXXXXX")
    timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" --screenshot="$2" \
        --window-size=1280,2000 "file://$1" >"$WORK/chrome.log" 2>&1
}
if [ -z "$CHROME" ]; then
    skip "screenshot" "Chromium is missing and the chromium package cannot be installed here"
else
    sed 's|</style>|svg{visibility:hidden}</style>|' "$h" >"$WORK/nocharts.html"
    if shot "$h" "$WORK/report.png" && shot "$WORK/nocharts.html" "$WORK/nocharts.png"; then
        cp "$WORK/report.png" "$BUILD_DIR/report.png"
        if out=$(python3 - "$WORK/report.png" "$WORK/nocharts.png" <<'EOF'
# Decode both PNGs (8-bit RGB/RGBA, as Chromium writes them) and judge them.
import struct, sys, zlib

def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit(f'{path}: not a PNG')
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit(f'{path}: unexpected PNG format {hdr}')
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b''.join(idat)), w * bpp
    prev, rows = bytearray(stride), []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((x + y) & 255 for x, y in zip(line, prev))
        elif f in (3, 4):
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                if f == 3:
                    line[i] = (line[i] + ((a + b) >> 1)) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

def pixels(row, bpp):
    return (row[i:i + 3] for i in range(0, len(row), bpp))

w, h, bpp, shot = decode(sys.argv[1])
_, _, bpp2, bare = decode(sys.argv[2])
if (w, h) != (1280, 2000):
    sys.exit(f'size {w}x{h}, expected 1280x2000')
colours = {}
for row in shot:
    for p in pixels(row, bpp):
        colours[p] = colours.get(p, 0) + 1
total = w * h
background = max(colours.values())
if len(colours) < 64 or background > 0.95 * total:
    sys.exit(f'blank: {len(colours)} colours, background {background / total:.0%}')
changed = 0
for r1, r2 in zip(shot, bare):
    if r1 != r2:
        changed += sum(1 for a, b in zip(pixels(r1, bpp), pixels(r2, bpp2)) if a != b)
if changed < 0.02 * total:
    sys.exit(f'charts: only {changed} pixels differ when the SVG is hidden')
print(f'{len(colours)} colours, {changed} chart pixels')
EOF
        ); then
            ok "Chromium screenshot: 1280x2000, not blank, charts drawn ($out)"
        else
            not_ok "Chromium screenshot: 1280x2000, not blank, charts drawn" "$out"
        fi
    else
        not_ok "Chromium screenshot: 1280x2000, not blank, charts drawn" \
            "chromium failed: $(tail -3 "$WORK/chrome.log")"
    fi
fi

summary
