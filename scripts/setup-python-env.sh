#!/usr/bin/env bash
# Sets up .venv/ for the conformance tests (test/conformance/), idempotently:
#   - a virtualenv with NVIDIA's Python client tritonclient[http], numpy and onnxruntime
#     (versions pinned in test/conformance/requirements.txt);
#   - NVIDIA's perf_analyzer binary, as .venv/bin/perf_analyzer (a wrapper around
#     .venv/libexec/perf_analyzer that finds its bundled libcudart).
#
# Where perf_analyzer comes from: the PyPI package `perf-analyzer` (0.1.0) is an empty placeholder
# (one 32-byte __init__.py, no binary). The real binary ships inside the manylinux wheel of
# `tritonclient` as tritonclient-X.data/data/bin/perf_analyzer up to 2.60.0 (2.61.0 and later
# wheels have none). 2.52.0-2.60.0 are built against glibc 2.38 / GLIBCXX_3.4.32 and do not start on
# Debian 12 (glibc 2.36, GLIBCXX_3.4.30); 2.51.0 is the newest that does. It links libb64.so.0d
# (Debian package libb64-0d) and libcudart.so.12 (PyPI nvidia-cuda-runtime-cu12; loaded even without
# a GPU, used only for --shared-memory=cuda). Only the binary and that one library are extracted:
# the Python client used by the tests stays the current one from requirements.txt.
#
# Needs: python3 >= 3.9 with venv/ensurepip (Debian: python3-venv), PyPI, and on x86_64 the
# libb64-0d package (installed here with apt-get when run as root and it is missing).
# A second run with nothing changed returns in about a second. FORCE=1 rebuilds from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
REQUIREMENTS=test/conformance/requirements.txt
PA_TRITONCLIENT_VERSION=2.51.0
CUDART_VERSION=12.9.79
SETUP_REVISION=1 # bump when this script changes what it installs
STAMP="$VENV/.layerscope-setup"

log() { echo "[setup-python-env] $*"; }
die() { echo "[setup-python-env] ERROR: $*" >&2; exit 1; }

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_install() {
  log "apt-get install $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

arch="$(uname -m)"
want_stamp="$( { cat "$REQUIREMENTS"; echo "perf_analyzer=tritonclient-$PA_TRITONCLIENT_VERSION cudart=$CUDART_VERSION arch=$arch rev=$SETUP_REVISION"; } | sha256sum | cut -d' ' -f1)"

venv_works() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import tritonclient.http, tritonclient.http.aio, numpy, onnxruntime' >/dev/null 2>&1
}
pa_works() {
  [ "$arch" != x86_64 ] || { [ -x "$VENV/bin/perf_analyzer" ] && "$VENV/bin/perf_analyzer" --version >/dev/null 2>&1; }
}

if [ "${FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] && venv_works && pa_works; then
  log "$VENV is up to date ($("$VENV/bin/python" -c 'import importlib.metadata as m; print("tritonclient", m.version("tritonclient"))'))"
  exit 0
fi

# ---- 1. a Python that can make a venv -------------------------------------------------------------
python_ok() { "$1" -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 9)' >/dev/null 2>&1; }
pick_python() {
  local cand
  for cand in ${PYTHON:-} python3 python3.11 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && python_ok "$cand"; then command -v "$cand"; return 0; fi
  done
  return 1
}
if ! PY="$(pick_python)"; then
  if can_apt; then
    apt_install python3 python3-venv
    PY="$(pick_python)" || die "python3 still has no working venv module after installing python3-venv"
  else
    die "no python3 (>= 3.9) with the venv module; install it (Debian: apt-get install python3-venv) or set PYTHON=/path/to/python3"
  fi
fi

# ---- 2. the virtualenv and the Python packages ----------------------------------------------------
if [ "${FORCE:-0}" = 1 ] || ! { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; }; then
  log "creating $VENV with $PY ($("$PY" --version 2>&1))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
log "pip install -r $REQUIREMENTS"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
venv_works || die "the packages of $REQUIREMENTS installed but do not import: $("$VENV/bin/python" -c 'import tritonclient.http, numpy, onnxruntime' 2>&1 | tail -1)"

# ---- 3. perf_analyzer ---------------------------------------------------------------------------
if [ "$arch" != x86_64 ]; then
  log "perf_analyzer is only shipped for x86_64 (this is $arch): not installed"
else
  if ! { [ -x "$VENV/libexec/perf_analyzer" ] && [ -f "$VENV/libexec/lib/libcudart.so.12" ] &&
    [ "$(cat "$VENV/libexec/.version" 2>/dev/null)" = "$PA_TRITONCLIENT_VERSION/$CUDART_VERSION" ]; }; then
    downloads="$(mktemp -d)"
    trap 'rm -rf "$downloads"' EXIT
    log "downloading perf_analyzer (tritonclient $PA_TRITONCLIENT_VERSION manylinux wheel) and libcudart (nvidia-cuda-runtime-cu12 $CUDART_VERSION)"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --platform manylinux1_x86_64 --python-version 3.11 -d "$downloads" "tritonclient==$PA_TRITONCLIENT_VERSION"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --platform manylinux2014_x86_64 --python-version 3.11 -d "$downloads" "nvidia-cuda-runtime-cu12==$CUDART_VERSION"
    rm -rf "$VENV/libexec"
    mkdir -p "$VENV/libexec/lib"
    "$VENV/bin/python" - "$downloads" "$VENV/libexec" "$PA_TRITONCLIENT_VERSION" <<'EOF'
import glob, os, sys, zipfile
downloads, dest, version = sys.argv[1:]
wanted = {
    f"tritonclient-{version}.data/data/bin/perf_analyzer": os.path.join(dest, "perf_analyzer"),
    "nvidia/cuda_runtime/lib/libcudart.so.12": os.path.join(dest, "lib", "libcudart.so.12"),
}
for wheel in glob.glob(os.path.join(downloads, "*.whl")):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name in wanted:
                with open(wanted[name], "wb") as out:
                    out.write(z.read(name))
                os.chmod(wanted[name], 0o755)
                del wanted[name]
if wanted:
    sys.exit(f"not found in the downloaded wheels: {', '.join(wanted)}")
EOF
    echo "$PA_TRITONCLIENT_VERSION/$CUDART_VERSION" >"$VENV/libexec/.version"
  fi
  cat >"$VENV/bin/perf_analyzer" <<'EOF'
#!/bin/sh
# NVIDIA perf_analyzer (from the tritonclient manylinux wheel), set up by scripts/setup-python-env.sh.
libexec="$(cd "$(dirname "$0")/../libexec" && pwd)"
LD_LIBRARY_PATH="$libexec/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$libexec/perf_analyzer" "$@"
EOF
  chmod +x "$VENV/bin/perf_analyzer"

  missing() { LD_LIBRARY_PATH="$VENV/libexec/lib" ldd "$VENV/libexec/perf_analyzer" 2>&1 | awk '/not found/ {print $1}'; }
  if [ -n "$(missing)" ]; then
    if missing | grep -q '^libb64\.so' && can_apt; then apt_install libb64-0d; fi
  fi
  if [ -n "$(missing)" ]; then
    die "perf_analyzer needs shared libraries that are missing: $(missing | tr '\n' ' ')(Debian: apt-get install libb64-0d)"
  fi
  pa_works || die "perf_analyzer does not start: $("$VENV/bin/perf_analyzer" --version 2>&1 | tail -2)"
fi

echo "$want_stamp" >"$STAMP"
log "ready: $("$VENV/bin/python" -c 'import importlib.metadata as m; print(", ".join(f"{p} {m.version(p)}" for p in ("tritonclient", "numpy", "onnxruntime", "geventhttpclient")))')"
if [ "$arch" = x86_64 ]; then log "ready: $("$VENV/bin/perf_analyzer" --version 2>&1 | tr -d '\n')"; fi
