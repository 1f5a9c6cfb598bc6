#!/usr/bin/env bash
# go-tool.sh CACHE BIN PACKAGE VERSION
# Builds a pinned Go tool once per version into CACHE and links it into BIN.
set -euo pipefail
cache=$1 bin=$2 pkg=$3 version=$4
name=$(basename "$pkg")
dir="$cache/$name-$version"
if [ ! -x "$dir/$name" ]; then
  echo "building $name $version (once; cached in $dir)"
  mkdir -p "$dir"
  GOBIN="$dir" GOFLAGS=-mod=mod go install "$pkg@$version"
fi
mkdir -p "$bin"
ln -sf "$dir/$name" "$bin/$name"
