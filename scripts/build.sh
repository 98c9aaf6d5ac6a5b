#!/usr/bin/env bash
# Configures and builds one flavour of nictune. Usage: scripts/build.sh [release|asan] [targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
case "$flavour" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNICTUNE_SANITIZE=OFF) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DNICTUNE_SANITIZE=ON) ;;
  *) echo "build.sh: unknown flavour \"$flavour\"; expected release or asan" >&2; exit 2 ;;
esac
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$dir" -G Ninja -DNICTUNE_WERROR="$werror" "${flags[@]}" >/dev/null
jobs=$(nproc)
if [ $# -gt 0 ]; then
  cmake --build "$dir" -j "$jobs" --target "$@"
else
  cmake --build "$dir" -j "$jobs"
fi
