#!/usr/bin/env bash
# Builds the ferretdb binary (FerretDB v1.24.2, cmd/ferretdb, SQLite and PostgreSQL backends)
# from the Go module proxy's source, for motortest's test server (a child process) and the
# embedded package's authentication mode.
#
# Usage: scripts/build-ferretdb.sh [OUT]   (OUT defaults to .cache/ferretdb)
#
# Both find the result through MOTOR_FERRETDB_BIN=OUT; without it, they build the same binary
# themselves into $XDG_CACHE_HOME/gomotor/ferretdb-v1.24.2/ferretdb (~/.cache/...).
# Keep this script in sync with internal/ferretproc/binary.go.
#
# Why not `go build github.com/FerretDB/FerretDB/cmd/ferretdb`: FerretDB's build/version package
# embeds build/version/version.txt, which the published module does not contain, and the binary
# panics at start without it. So: a throwaway module that requires FerretDB as a tool,
# `go mod vendor`, write the file into the vendored copy, and build from vendor/.
set -euo pipefail

version=v1.24.2
out=${1:-.cache/ferretdb}
go=${GO:-go}

mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferretdb-build.XXXXXX")
tmp="$out.tmp.$$"
trap 'rm -rf "$work" "$tmp"' EXIT

cd "$work"
export GOWORK=off
GOFLAGS=-mod=mod "$go" mod init gomotor.invalid/ferretdb-build 2>/dev/null
GOFLAGS=-mod=mod "$go" get -tool "github.com/FerretDB/FerretDB/cmd/ferretdb@$version"
GOFLAGS=-mod=mod "$go" mod vendor
echo "$version" > vendor/github.com/FerretDB/FerretDB/build/version/version.txt
# -trimpath keeps the build cache valid across throwaway directories.
GOFLAGS= "$go" build -mod=vendor -trimpath -buildvcs=false -o "$tmp" github.com/FerretDB/FerretDB/cmd/ferretdb

"$tmp" --version >/dev/null
mv -f "$tmp" "$out"
echo "$out"
