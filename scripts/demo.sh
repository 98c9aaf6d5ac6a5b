#!/usr/bin/env bash
# The main job: installs what is missing, builds the release flavour, and runs the default
# experiment (experiments/loopback-rps.json) into out/nictune.db, ending with the Pareto table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release nictune nictune-agent
mkdir -p out
exec build/orchestrator/nictune run --db out/nictune.db --agent build/agents/nictune-agent \
  "${@:-experiments/loopback-rps.json}"
