#!/usr/bin/env bash
# Builds the Unity package unity/com.cortex.runtime/ from the repository: the netstandard2.1 build of
# Cortex.Runtime and exactly the dependency assemblies it needs go to Runtime/Plugins/ (not kept in git).
# Usage: bash unity/build.sh [PACKAGE_DIR]   (default: unity/com.cortex.runtime; another folder gets a full copy)
set -euo pipefail
cd "$(dirname "$0")/.."
source_pkg=unity/com.cortex.runtime
pkg=${1:-$source_pkg}
if [ "$pkg" != "$source_pkg" ]; then
  rm -rf "$pkg"
  mkdir -p "$pkg"
  cp -R "$source_pkg"/. "$pkg"/
  rm -rf "$pkg/Runtime/Plugins"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet publish Runtime -c Release -f netstandard2.1 -o "$out" >/dev/null

plugins="$pkg/Runtime/Plugins"
rm -rf "$plugins"
mkdir -p "$plugins"
for dll in "$out"/*.dll; do
  name=$(basename "$dll" .dll)
  case "$name" in
    # Part of .NET Standard 2.1 itself: Unity's class libraries provide them, a second copy would clash.
    System.Buffers|System.Memory|System.Numerics.Vectors) continue ;;
  esac
  cp "$dll" "$plugins/"
done
cp "$out/Cortex.Runtime.xml" "$out/Cortex.Runtime.pdb" "$plugins/"
cp LICENSE "$pkg/LICENSE.md"
echo "unity: $pkg"
(cd "$plugins" && ls -l *.dll | awk '{printf "  %-48s %8d bytes\n", $9, $5}')
