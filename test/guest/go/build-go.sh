#!/usr/bin/env bash
# Builds a Go program for riscv64 with Debian's gccgo cross compiler
# (gccgo-riscv64-linux-gnu), statically linked against its glibc, into a
# cache outside git keyed by the source, the compiler and the link:
#   ${UNIXSIM_MUSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unixsim}/go/<name>-<key>
# and prints the binary's path. A later run with the same inputs only prints it.
#
#   build-go.sh [--plain] PROGRAM.go
#
# The default link differs from `gccgo -static` in two ways that change no
# behaviour and make start-up under emulation ~15x cheaper:
#  - crtbegin.o instead of crtbeginT.o, and --eh-frame-hdr: a static link
#    registers .eh_frame with libgcc's unwinder, which sorts every FDE on the
#    first unwind (~18M instructions at Go's start-up); with the linker's
#    sorted table (PT_GNU_EH_FRAME, found through dl_iterate_phdr) it does a
#    binary search instead.
#  - -s: gccgo 12's signal handler finds the interrupted pc on riscv64 by a
#    libbacktrace walk, which parses the binary's DWARF and symbol table on
#    the first signal (~130M instructions); stripped, there is nothing to parse.
# --plain builds with `gccgo -static` alone (what a user gets by default).
set -euo pipefail
plain=0
if [ "${1:-}" = --plain ]; then plain=1; shift; fi
[ $# -eq 1 ] || { echo "usage: build-go.sh [--plain] PROGRAM.go" >&2; exit 2; }
src="$1"
gccgo=riscv64-linux-gnu-gccgo
command -v "$gccgo" >/dev/null || { echo "build-go: $gccgo is needed (apt-get install gccgo-riscv64-linux-gnu)" >&2; exit 1; }
cache="${UNIXSIM_MUSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unixsim}/go"
mkdir -p "$cache"

flags=(-static -O1)
if [ $plain -eq 0 ]; then
  specs="$cache/static-eh-frame-hdr.specs"
  # the startfiles of a non-PIE executable, with crtbegin.o for static's crtbeginT.o
  printf '*startfile:\ncrt1.o%%s crti.o%%s crtbegin.o%%s\n\n' > "$specs.tmp" && mv "$specs.tmp" "$specs"
  flags+=(-specs="$specs" -Wl,--eh-frame-hdr -s)
fi
name="$(basename "$src" .go)"
[ $plain -eq 0 ] || name="$name-plain"
key="$( { cat "$src"; "$gccgo" --version; echo "${flags[*]}"; } | sha256sum | cut -c1-24)"
out="$cache/$name-$key"
if [ ! -x "$out" ]; then
  # libgo's net package mentions getaddrinfo, which a static link warns about; unix sockets never call it
  "$gccgo" "${flags[@]}" -o "$out.tmp.$$" "$src" 2> >(grep -v "getaddrinfo\|cgo_unix.go\|in function" >&2 || true)
  mv "$out.tmp.$$" "$out"
fi
echo "$out"
