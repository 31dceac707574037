# Sourced by scripts/demo, scripts/test and scripts/bench: installs what the build needs when it is
# missing (Debian packages via apt-get, as root or with sudo) and puts Swift on PATH.

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
command -v swift >/dev/null 2>&1 || { echo "setup: Swift 6 is not installed (expected at /opt/swift or on PATH)" >&2; exit 2; }

# ensure_packages PKG... — installs the Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# What building and testing linkage needs.
ensure_packages pkg-config liblua5.4-dev lua5.4 libedit-dev libsqlite3-dev sqlite3
ensure_packages libxlsxwriter-dev xlsx2csv   # XLSX export (CXlsxWriter); the tests read XLSX back with xlsx2csv
ensure_packages python3-openpyxl   # the XLSX tests read cell types, number formats and panes back with openpyxl (Debian's /usr/bin/python3)
ensure_packages python3   # the tests drive the console in a pseudo-terminal and write zip fixtures with it
# The HTML report render tests: headless Chromium lays reports out at phone and desktop width and
# prints them to PDF; Noto CJK gives it the Chinese glyphs the reports' font stack names first.
ensure_packages chromium fonts-noto-cjk
