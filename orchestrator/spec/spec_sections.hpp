// The readers of an experiment spec's sections that parse_spec (experiment_spec.cpp) calls in
// order: each reads its part of the document into `spec` and adds every problem to `issues`
// with its JSON path. Hosts and benches: bench_spec.cpp; objectives, outcome constraints and
// what a forwarding bench can measure: objectives_spec.cpp; strategy, repetitions and
// screening: search_spec.cpp.
#pragma once

#include <string>

#include "core/issues.hpp"
#include "core/json_util.hpp"
#include "orchestrator/spec/experiment_spec.hpp"

namespace nictune {

void parse_benches(const Json& doc, const std::string& origin_path, ExperimentSpec& spec,
                   Issues& issues);

void parse_objectives(const Json& doc, ExperimentSpec& spec, Issues& issues);
void parse_outcome_constraints(const Json& doc, ExperimentSpec& spec, Issues& issues);
void check_forwarding(const Json& doc, ExperimentSpec& spec, Issues& issues);

void parse_strategy(const Json& doc, ExperimentSpec& spec, Issues& issues);
void parse_repetitions(const Json& doc, ExperimentSpec& spec, Issues& issues);
// Needs spec.workload: a screening trial is shorter than the full one.
void parse_screening(const Json& doc, ExperimentSpec& spec, Issues& issues);

}  // namespace nictune
