// The space's spec parser: `Space::from_json` turns the spec's "space" object into the model of
// space.cpp, reporting every problem with its JSON path. Three passes, one function each: every
// parameter on its own, then the conditions between parameters (parents exist, no cycles,
// parents first), then the constraints over the resulting parameters.
#include <algorithm>
#include <map>
#include <set>

#include "core/cpu_policy.hpp"
#include "core/errors.hpp"
#include "core/knob_catalog.hpp"
#include "core/known_fields.hpp"
#include "core/space.hpp"
#include "core/space_values.hpp"
#include "core/text_util.hpp"
#include "core/workload.hpp"
#include "core/workload_params.hpp"

namespace nictune {
namespace {

using space_values::is_integral;
using space_values::json_equal;
using space_values::type_names;

std::vector<std::string> type_name_list() {
  std::vector<std::string> out;
  for (const auto& [name, type] : type_names()) out.push_back(name);
  return out;
}

// The parameter type a catalog knob takes when the spec does not say.
ParamType default_type(const KnobInfo& knob, const Json& def) {
  switch (knob.type) {
    case KnobValueType::kBool:
      return ParamType::kBool;
    case KnobValueType::kCpuPolicy:
      return ParamType::kCpuPolicy;
    case KnobValueType::kChoice:
      return ParamType::kCategorical;
    case KnobValueType::kInt:
      return def.is_object() && def.contains("min") ? ParamType::kInt : ParamType::kOrdinal;
  }
  return ParamType::kCategorical;
}

bool type_fits_knob(ParamType type, KnobValueType knob) {
  switch (knob) {
    case KnobValueType::kBool:
      return type == ParamType::kBool || type == ParamType::kCategorical;
    case KnobValueType::kCpuPolicy:
      return type == ParamType::kCpuPolicy;
    case KnobValueType::kChoice:
      return type == ParamType::kCategorical || type == ParamType::kOrdinal;
    case KnobValueType::kInt:
      return type == ParamType::kInt || type == ParamType::kOrdinal ||
             type == ParamType::kCategorical;
  }
  return false;
}

void check_value_for_knob(const KnobInfo* knob, ParamType type, const Json& value,
                          const std::string& path, Issues& issues) {
  if (type == ParamType::kCpuPolicy) {
    if (!value.is_string()) {
      issues.add(path, "expected a CPU policy string, found " + json_type_name(value));
      return;
    }
    try {
      CpuPolicy::parse(value.get<std::string>());
    } catch (const Error& e) {
      issues.add(path, e.what());
    }
    return;
  }
  if (!knob) return;
  if (knob->type == KnobValueType::kInt && !is_integral(value)) {
    issues.add(path, "expected an integer for " + knob->name + ", found " + json_brief(value));
  } else if (knob->type == KnobValueType::kInt && value.get<double>() < 0) {
    issues.add(
        path, "expected a non-negative integer for " + knob->name + ", found " + json_brief(value));
  } else if (knob->type == KnobValueType::kBool && !value.is_boolean()) {
    issues.add(path, "expected true or false for " + knob->name + ", found " + json_brief(value));
  } else if (knob->type == KnobValueType::kChoice && !value.is_string()) {
    issues.add(path, "expected a string for " + knob->name + ", found " + json_brief(value));
  }
}

std::optional<Condition> parse_condition(const Json& when, const std::string& path,
                                         Issues& issues) {
  if (!when.is_object()) {
    issues.add(path,
               "expected an object like {\"param\": \"rps\", \"not_in\": [\"none\"]}, found " +
                   json_type_name(when));
    return std::nullopt;
  }
  check_known_fields(when, path, {"param", "in", "not_in"}, issues, "key");
  Condition c;
  if (!when.contains("param") || !when["param"].is_string()) {
    issues.add(path + ".param", "expected the name of another parameter (string)");
    return std::nullopt;
  }
  c.param = when["param"].get<std::string>();
  bool has_in = when.contains("in"), has_not_in = when.contains("not_in");
  if (has_in == has_not_in) {
    issues.add(path, "expected exactly one of \"in\" or \"not_in\"");
    return std::nullopt;
  }
  const Json& list = has_in ? when["in"] : when["not_in"];
  std::string list_path = path + (has_in ? ".in" : ".not_in");
  if (!list.is_array() || list.empty()) {
    issues.add(list_path, "expected a non-empty array of values");
    return std::nullopt;
  }
  c.values.assign(list.begin(), list.end());
  c.negate = has_not_in;
  return c;
}

// The declared type, or the knob's default; nullopt (with the issue added) when it is unknown or
// does not fit the knob. A workload parameter (no knob) is categorical unless it says otherwise
// and may be anything but a CPU policy; its values are checked against the workload later.
std::optional<ParamType> parse_type(const KnobInfo* knob, const Json& body,
                                    const std::string& kpath, Issues& issues) {
  ParamType type = knob ? default_type(*knob, body) : ParamType::kCategorical;
  if (body.contains("type")) {
    const Json& t = body["type"];
    auto it = t.is_string() ? type_names().find(t.get<std::string>()) : type_names().end();
    if (it == type_names().end()) {
      issues.add(kpath + ".type",
                 "unknown type " + json_brief(t) +
                     (t.is_string() ? did_you_mean(t.get<std::string>(), type_name_list()) : "") +
                     "; expected one of " + join(type_name_list(), ", "));
      return std::nullopt;
    }
    type = it->second;
  }
  if (!knob && type == ParamType::kCpuPolicy) {
    issues.add(kpath + ".type", "a workload field cannot be a cpu_policy parameter");
    return std::nullopt;
  }
  if (knob && !type_fits_knob(type, knob->type)) {
    issues.add(kpath + ".type", "type \"" + to_string(type) + "\" does not fit " + knob->name +
                                    ", which takes a " + std::string(to_string(knob->type)));
    return std::nullopt;
  }
  return type;
}

// min/max and the optional log, step and levels of an int or float parameter. False when the
// range itself is unusable; problems with the optional fields are reported but leave it usable.
bool parse_range(const KnobInfo* knob, const Json& body, const std::string& kpath, Parameter& p,
                 Issues& issues) {
  bool ok = true;
  for (const char* field : {"min", "max"}) {
    if (!body.contains(field) || !body[field].is_number()) {
      issues.add(kpath + "." + field, std::string("expected a number (") + to_string(p.type) +
                                          " parameters need min and max)");
      ok = false;
    }
  }
  if (!ok) return false;
  p.min = body["min"].get<double>();
  p.max = body["max"].get<double>();
  if (p.type == ParamType::kInt && (!is_integral(body["min"]) || !is_integral(body["max"]))) {
    issues.add(kpath, "expected integer min and max");
    return false;
  }
  if (p.min > p.max) {
    issues.add(kpath, "min " + json_brief(body["min"]) + " is greater than max " +
                          json_brief(body["max"]));
    return false;
  }
  if (body.contains("log")) {
    if (!body["log"].is_boolean())
      issues.add(kpath + ".log", "expected true or false");
    else
      p.log = body["log"].get<bool>();
  }
  if (p.log && p.min <= 0) {
    issues.add(kpath + ".log",
               "a log-scaled range needs min > 0, found min " + json_brief(body["min"]));
  }
  if (body.contains("step")) {
    if (!is_integral(body["step"]) || body["step"].get<double>() < 1) {
      issues.add(kpath + ".step", "expected an integer >= 1");
    } else {
      p.step = body["step"].get<std::int64_t>();
    }
  }
  if (body.contains("levels")) {
    if (!is_integral(body["levels"]) || body["levels"].get<double>() < 2 ||
        body["levels"].get<double>() > 1000) {
      issues.add(kpath + ".levels", "expected an integer from 2 to 1000");
    } else {
      p.levels = body["levels"].get<int>();
    }
  }
  if (knob && knob->type == KnobValueType::kInt && p.min < 0) {
    issues.add(kpath + ".min", "expected a non-negative value for " + knob->name);
  }
  return true;
}

// A bool parameter's values: both unless the spec lists some. The first result says whether to
// keep reading the parameter at all, the second whether every value was good.
std::pair<bool, bool> parse_bool_values(const Json& body, const std::string& kpath, Parameter& p,
                                        Issues& issues) {
  p.values = {false, true};
  if (!body.contains("values")) return {true, true};
  const Json& vals = body["values"];
  if (!vals.is_array() || vals.empty()) {
    issues.add(kpath + ".values", "expected a non-empty array of true/false");
    return {false, false};
  }
  bool ok = true;
  p.values.clear();
  for (std::size_t i = 0; i < vals.size(); ++i) {
    if (!vals[i].is_boolean()) {
      issues.add(kpath + ".values[" + std::to_string(i) + "]",
                 "expected true or false, found " + json_brief(vals[i]));
      ok = false;
    } else {
      p.values.push_back(vals[i]);
    }
  }
  return {true, ok};
}

// A listed parameter's values, each checked against the knob, no duplicates. Same result pair
// as parse_bool_values.
std::pair<bool, bool> parse_listed_values(const KnobInfo* knob, const Json& body,
                                          const std::string& kpath, Parameter& p, Issues& issues) {
  if (!body.contains("values") || !body["values"].is_array() || body["values"].empty()) {
    issues.add(kpath + ".values", "expected a non-empty array of values");
    return {false, false};
  }
  bool ok = true;
  const Json& vals = body["values"];
  for (std::size_t i = 0; i < vals.size(); ++i) {
    std::string vpath = kpath + ".values[" + std::to_string(i) + "]";
    std::size_t before = issues.size();
    check_value_for_knob(knob, p.type, vals[i], vpath, issues);
    if (issues.size() != before) {
      ok = false;
      continue;
    }
    bool duplicate = std::any_of(p.values.begin(), p.values.end(),
                                 [&](const Json& v) { return json_equal(v, vals[i]); });
    if (duplicate) {
      issues.add(vpath, "duplicate value " + json_brief(vals[i]));
      ok = false;
      continue;
    }
    p.values.push_back(vals[i]);
  }
  return {true, ok};
}

// One entry of "parameters" on its own; its condition's parent is checked later, with all of
// them. nullopt when anything about it is wrong (the issues say what).
std::optional<Parameter> parse_parameter(const std::string& key, const Json& def,
                                         const std::string& kpath, Issues& issues) {
  KnobRef ref = split_knob_key(key);
  if (ref.role != "dut" && ref.role != "lg" && ref.role != "workload") {
    issues.add(kpath, "unknown host role \"" + ref.role +
                          "\"; expected \"lg:<knob>\", \"workload.<field>\" or a bare knob name "
                          "for the DUT");
    return std::nullopt;
  }
  const bool workload_field = ref.role == "workload";
  std::string why;
  if (workload_field && !workload_field_searchable(ref.knob, &why)) {
    issues.add(kpath, why + (why.rfind("unknown", 0) == 0
                                 ? did_you_mean(ref.knob, workload_field_names()) +
                                       "; expected workload.<field> with a field of \"workload\""
                                 : ""));
    return std::nullopt;
  }
  const KnobInfo* knob = workload_field ? nullptr : find_knob(ref.knob);
  if (!knob && !workload_field) {
    issues.add(kpath, "unknown knob \"" + ref.knob + "\"" + did_you_mean(ref.knob, knob_names()) +
                          "; `nictune knobs` lists them");
    return std::nullopt;
  }
  Parameter p;
  p.name = key;
  Json body = def.is_array() ? Json{{"values", def}} : def;
  if (!body.is_object()) {
    issues.add(kpath, "expected an array of values or an object with \"type\", found " +
                          json_type_name(def));
    return std::nullopt;
  }
  check_known_fields(body, kpath, {"type", "values", "min", "max", "step", "log", "levels", "when"},
                     issues, "key");
  std::optional<ParamType> type = parse_type(knob, body, kpath, issues);
  if (!type) return std::nullopt;
  p.type = *type;
  bool ok = true;
  if (p.is_numeric()) {
    if (!parse_range(knob, body, kpath, p, issues)) return std::nullopt;
  } else {
    auto [go_on, values_ok] = p.type == ParamType::kBool
                                  ? parse_bool_values(body, kpath, p, issues)
                                  : parse_listed_values(knob, body, kpath, p, issues);
    if (!go_on) return std::nullopt;
    ok = values_ok;
  }
  if (body.contains("when")) {
    p.when = parse_condition(body["when"], kpath + ".when", issues);
    if (!p.when) ok = false;
  }
  if (!ok) return std::nullopt;
  return p;
}

// Conditions: parents must exist, values must be in the parent's domain, no cycles. Returns the
// parameters whose conditions can be kept, in topological order so parents come first (stable
// for parameters without conditions).
std::vector<Parameter> resolve_conditions(std::vector<Parameter> parsed, const std::string& ppath,
                                          Issues& issues) {
  std::map<std::string, const Parameter*> by_name;
  for (const auto& p : parsed) by_name[p.name] = &p;
  std::vector<std::string> names;
  for (const auto& p : parsed) names.push_back(p.name);
  std::set<std::string> bad;
  for (const auto& p : parsed) {
    if (!p.when) continue;
    std::string wpath = ppath + "." + p.name + ".when";
    auto parent = by_name.find(p.when->param);
    if (parent == by_name.end()) {
      issues.add(wpath + ".param", "no parameter \"" + p.when->param + "\" in the space" +
                                       did_you_mean(p.when->param, names));
      bad.insert(p.name);
      continue;
    }
    if (parent->second == &p) {
      issues.add(wpath + ".param", "a parameter cannot depend on itself");
      bad.insert(p.name);
      continue;
    }
    for (std::size_t i = 0; i < p.when->values.size(); ++i) {
      if (!parent->second->contains(p.when->values[i])) {
        issues.add(wpath + (p.when->negate ? ".not_in[" : ".in[") + std::to_string(i) + "]",
                   json_brief(p.when->values[i]) + " is not a value of \"" + p.when->param + "\"");
      }
    }
  }
  std::set<std::string> placed;
  std::vector<Parameter> ordered;
  std::vector<Parameter> remaining;
  for (auto& p : parsed) {
    if (!bad.count(p.name)) remaining.push_back(std::move(p));
  }
  while (!remaining.empty()) {
    bool progressed = false;
    for (auto it = remaining.begin(); it != remaining.end();) {
      if (!it->when || placed.count(it->when->param)) {
        placed.insert(it->name);
        ordered.push_back(std::move(*it));
        it = remaining.erase(it);
        progressed = true;
      } else {
        ++it;
      }
    }
    if (!progressed) {
      for (const auto& p : remaining) {
        issues.add(ppath + "." + p.name + ".when", "conditions form a cycle");
      }
      break;
    }
  }
  return ordered;
}

// "constraints": comparisons whose left side names a parameter the space kept. `names` are all
// parameters that parsed, for did-you-mean.
void parse_constraints(const Json& list, const std::string& path,
                       const std::vector<std::string>& names, Space& space, Issues& issues) {
  if (!list.is_array()) {
    issues.add(path + ".constraints", "expected an array of strings like \"rfs.flow_cnt <= 4096\"");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string cpath = path + ".constraints[" + std::to_string(i) + "]";
    if (!list[i].is_string()) {
      issues.add(cpath, "expected a string like \"rfs.flow_cnt <= 4096\", found " +
                            json_type_name(list[i]));
      continue;
    }
    try {
      Comparison c = Comparison::parse(list[i].get<std::string>());
      if (c.lhs().kind == Operand::Kind::kName && !space.find(c.lhs().text)) {
        issues.add(cpath, "\"" + c.lhs().text + "\" is not a parameter of the space" +
                              did_you_mean(c.lhs().text, names));
        continue;
      }
      space.add_constraint(std::move(c));
    } catch (const Error& e) {
      issues.add(cpath, e.what());
    }
  }
}

}  // namespace

Space Space::from_json(const Json& doc, const std::string& path, Issues& issues) {
  Space space;
  if (!doc.is_object()) {
    issues.add(path, "expected an object with \"parameters\", found " + json_type_name(doc));
    return space;
  }
  check_known_fields(doc, path, {"parameters", "constraints"}, issues, "key");
  const std::string ppath = path + ".parameters";
  if (!doc.contains("parameters") || !doc["parameters"].is_object() || doc["parameters"].empty()) {
    issues.add(ppath, "expected a non-empty object: knob name -> values");
    return space;
  }
  std::vector<Parameter> parsed;
  for (const auto& [key, def] : doc["parameters"].items()) {
    std::optional<Parameter> p = parse_parameter(key, def, ppath + "." + key, issues);
    if (p) parsed.push_back(std::move(*p));
  }
  std::vector<std::string> names;
  for (const auto& p : parsed) names.push_back(p.name);
  for (auto& p : resolve_conditions(std::move(parsed), ppath, issues)) space.add(std::move(p));
  if (doc.contains("constraints")) {
    parse_constraints(doc["constraints"], path, names, space, issues);
  }
  return space;
}

}  // namespace nictune
