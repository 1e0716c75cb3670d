#!/usr/bin/env bash
# Builds musl for riscv64 (static only) from Debian's source package with the
# cross compiler, into a cache outside git keyed by the version:
#   ${UNIXSIM_MUSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unixsim}/musl-<version>-riscv64
# The guest tests build programs with its musl-gcc wrapper. Needs root (for
# apt-get) the first time; later runs find the cache and do nothing.
#
#   build-musl.sh           rv64gc (the cross compiler's default)
#   build-musl.sh --rv64g   without the C extension (-march=rv64g), into musl-<version>-riscv64g;
#                           build programs with its musl-gcc and -march=rv64g -mabi=lp64d
set -euo pipefail
version=1.2.3
arch=riscv64
cflags=""
if [ "${1:-}" = --rv64g ]; then
  arch=riscv64g
  cflags="-march=rv64g -mabi=lp64d"
fi
cache="${UNIXSIM_MUSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unixsim}"
prefix="$cache/musl-$version-$arch"
if [ -e "$prefix/lib/libc.a" ] && [ -x "$prefix/bin/musl-gcc" ]; then
  echo "musl $version for $arch: $prefix"
  exit 0
fi
command -v riscv64-linux-gnu-gcc >/dev/null || { echo "build-musl: riscv64-linux-gnu-gcc is needed (apt-get install gcc-riscv64-linux-gnu)" >&2; exit 1; }
command -v dpkg-source >/dev/null || apt-get install -y -qq --no-install-recommends dpkg-dev
# Debian's source packages: if no deb-src entry is configured, add one for
# each deb entry this machine already uses (same mirrors, suites and keys).
if ! apt-get source --print-uris -qq "musl=$version-1" >/dev/null 2>&1; then
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] && grep -q '^Types: deb$' "$f" && sed 's/^Types: deb$/Types: deb-src/' "$f"
  done > /etc/apt/sources.list.d/unixsim-deb-src.sources
  if [ -e /etc/apt/sources.list ]; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/unixsim-deb-src.list
  fi
  apt-get update -qq
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source -qq "musl=$version-1" >/dev/null 2>&1 || apt-get source -qq musl >/dev/null)
src="$(find "$work" -maxdepth 1 -type d -name 'musl-*' | head -1)"
mkdir -p "$cache"
(cd "$src" && CFLAGS="$cflags" ./configure --target=riscv64-linux-gnu CROSS_COMPILE=riscv64-linux-gnu- --prefix="$prefix" --disable-shared >/dev/null &&
  make -j"$(nproc)" >/dev/null && make install >/dev/null)
echo "musl $version for $arch: $prefix"
