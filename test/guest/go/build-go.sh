#!/usr/bin/env bash
# Builds a Go program for riscv64, statically linked, into a cache outside
# git keyed by the source, the toolchain and the flags:
#   ${UNIXSIM_MUSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unixsim}/go/<name>-<toolchain>-<key>
# and prints the binary's path. A later run with the same inputs only prints it.
#
#   build-go.sh [TOOLCHAIN] PROGRAM.go
#
# TOOLCHAIN:
#   gccgo        (default) Debian's gccgo cross compiler (gccgo-riscv64-linux-gnu),
#                against its static glibc, linked as below
#   gccgo-plain  the same with `gccgo -static` alone (what a user gets by default)
#   gc           Debian's Go toolchain (golang-go): CGO_ENABLED=0 GOOS=linux GOARCH=riscv64,
#                the runtime's own syscalls and no libc
#   gc-host      the same for this machine (native Linux: the oracle)
#
# The gccgo link differs from `gccgo -static` in two ways that change no
# behaviour and make start-up under emulation ~15x cheaper:
#  - crtbegin.o instead of crtbeginT.o, and --eh-frame-hdr: a static link
#    registers .eh_frame with libgcc's unwinder, which sorts every FDE on the
#    first unwind (~18M instructions at Go's start-up); with the linker's
#    sorted table (PT_GNU_EH_FRAME, found through dl_iterate_phdr) it does a
#    binary search instead.
#  - -s: gccgo 12's signal handler finds the interrupted pc on riscv64 by a
#    libbacktrace walk, which parses the binary's DWARF and symbol table on
#    the first signal (~130M instructions); stripped, there is nothing to parse.
set -euo pipefail
toolchain=gccgo
if [ $# -eq 2 ]; then toolchain="$1"; shift; fi
[ $# -eq 1 ] || { echo "usage: build-go.sh [gccgo|gccgo-plain|gc|gc-host] PROGRAM.go" >&2; exit 2; }
src="$1"
cache="${UNIXSIM_MUSL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unixsim}/go"
mkdir -p "$cache"
name="$(basename "$src" .go)-$toolchain"

case "$toolchain" in
gc|gc-host)
  command -v go >/dev/null || { echo "build-go: go is needed (apt-get install golang-go)" >&2; exit 1; }
  goarch=riscv64
  [ "$toolchain" = gc ] || goarch="$(go env GOHOSTARCH)"
  key="$( { cat "$src"; go version; echo "$goarch"; } | sha256sum | cut -c1-24)"
  out="$cache/$name-$key"
  if [ ! -x "$out" ]; then
    # a file outside any module; the toolchain's build cache lives beside ours
    GOCACHE="$cache/gocache" GOPATH="$cache/gopath" GO111MODULE=off GOFLAGS= CGO_ENABLED=0 GOOS=linux GOARCH="$goarch" \
      go build -trimpath -o "$out.tmp.$$" "$src"
    mv "$out.tmp.$$" "$out"
  fi
  echo "$out"
  exit 0
  ;;
gccgo|gccgo-plain) ;;
*) echo "build-go: unknown toolchain $toolchain" >&2; exit 2 ;;
esac

gccgo=riscv64-linux-gnu-gccgo
command -v "$gccgo" >/dev/null || { echo "build-go: $gccgo is needed (apt-get install gccgo-riscv64-linux-gnu)" >&2; exit 1; }
plain=0
[ "$toolchain" = gccgo ] || plain=1

flags=(-static -O1)
if [ $plain -eq 0 ]; then
  specs="$cache/static-eh-frame-hdr.specs"
  # the startfiles of a non-PIE executable, with crtbegin.o for static's crtbeginT.o
  printf '*startfile:\ncrt1.o%%s crti.o%%s crtbegin.o%%s\n\n' > "$specs.tmp.$$" && mv "$specs.tmp.$$" "$specs"
  flags+=(-specs="$specs" -Wl,--eh-frame-hdr -s)
fi
key="$( { cat "$src"; "$gccgo" --version; echo "${flags[*]}"; } | sha256sum | cut -c1-24)"
out="$cache/$name-$key"
if [ ! -x "$out" ]; then
  # libgo's net package mentions getaddrinfo, which a static link warns about; unix sockets never call it
  "$gccgo" "${flags[@]}" -o "$out.tmp.$$" "$src" 2> >(grep -v "getaddrinfo\|cgo_unix.go\|in function" >&2 || true)
  mv "$out.tmp.$$" "$out"
fi
echo "$out"
