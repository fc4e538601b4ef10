#!/bin/sh
# Build v2bench in GOPATH mode (standard library only; the binary never goes into the repo).
# Usage: bench/v2bench/build.sh [output-dir]   (default /tmp/v2bench/bin)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/v2bench/bin}
gp=${BENCH_GOPATH:-/tmp/v2bench/gopath}
mkdir -p "$out" "$gp"
cd "$here"
GO111MODULE=off GOPATH="$gp" GOFLAGS= GOCACHE="${GOCACHE:-/tmp/v2bench/gocache}" go build -o "$out/v2bench" .
echo "built $out/v2bench"
