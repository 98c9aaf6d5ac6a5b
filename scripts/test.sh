#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds the static release agent (what
# SSH uploads and the integration tests run on the far side) and everything in the ASan/UBSan
# flavour, and runs the whole suite under the sanitizers. Tests needing root or namespaces skip
# with the reason when they cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release nictune-agent
scripts/build.sh asan
export NICTUNE_RELEASE_BUILD="$PWD/build"
cd build-asan
ctest --output-on-failure --timeout 600 -j 2 "$@"
