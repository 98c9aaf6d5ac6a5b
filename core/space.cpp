#include "core/space.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/cpu_policy.hpp"
#include "core/errors.hpp"
#include "core/knob_catalog.hpp"
#include "core/text_util.hpp"

namespace nictune {
namespace {

constexpr std::size_t kMaxIntGridValues = 64;

bool json_equal(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

const std::map<std::string, ParamType>& type_names() {
  static const std::map<std::string, ParamType> names = {
      {"int", ParamType::kInt},
      {"float", ParamType::kFloat},
      {"categorical", ParamType::kCategorical},
      {"ordinal", ParamType::kOrdinal},
      {"bool", ParamType::kBool},
      {"cpu_policy", ParamType::kCpuPolicy},
  };
  return names;
}

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

bool is_integral(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
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

void check_allowed_keys(const Json& def, const std::string& path,
                        const std::vector<std::string>& allowed, Issues& issues) {
  for (const auto& [key, value] : def.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      issues.add(path + "." + key, "unknown key" + did_you_mean(key, allowed) +
                                       "; expected one of " + join(allowed, ", "));
    }
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
  check_allowed_keys(when, path, {"param", "in", "not_in"}, issues);
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

std::vector<Json> int_grid(const Parameter& p) {
  std::vector<Json> out;
  auto lo = static_cast<std::int64_t>(p.min), hi = static_cast<std::int64_t>(p.max);
  std::int64_t step = std::max<std::int64_t>(1, p.step);
  std::uint64_t count = static_cast<std::uint64_t>((hi - lo) / step) + 1;
  if (count <= kMaxIntGridValues && !p.log) {
    for (std::int64_t v = lo; v <= hi; v += step) out.emplace_back(v);
    return out;
  }
  int levels = std::max(2, p.levels);
  std::set<std::int64_t> seen;
  for (int i = 0; i < levels; ++i) {
    double t = static_cast<double>(i) / (levels - 1);
    double x =
        p.log && lo > 0
            ? std::exp(std::log(double(lo)) + t * (std::log(double(hi)) - std::log(double(lo))))
            : double(lo) + t * double(hi - lo);
    auto v = lo + static_cast<std::int64_t>(std::llround((x - double(lo)) / double(step))) * step;
    v = std::clamp(v, lo, hi);
    if (seen.insert(v).second) out.emplace_back(v);
  }
  return out;
}

}  // namespace

std::string to_string(ParamType type) {
  for (const auto& [name, t] : type_names()) {
    if (t == type) return name;
  }
  return "?";
}

bool Condition::holds(const Json& parent_value) const {
  bool found = std::any_of(values.begin(), values.end(),
                           [&](const Json& v) { return json_equal(v, parent_value); });
  return negate ? !found : found;
}

std::vector<Json> Parameter::grid_values() const {
  switch (type) {
    case ParamType::kInt:
      return int_grid(*this);
    case ParamType::kFloat: {
      std::vector<Json> out;
      int n = std::max(2, levels);
      for (int i = 0; i < n; ++i) {
        double t = static_cast<double>(i) / (n - 1);
        double x = log && min > 0 ? std::exp(std::log(min) + t * (std::log(max) - std::log(min)))
                                  : min + t * (max - min);
        // Rounded like canonical_value, so a grid point hashes like its canonical form.
        out.push_back(canonical_value(Json(std::clamp(x, min, max))).value_or(Json(x)));
      }
      return out;
    }
    default:
      return values;
  }
}

std::optional<Json> Parameter::canonical_value(const Json& value) const {
  switch (type) {
    case ParamType::kInt: {
      if (!is_integral(value)) return std::nullopt;
      auto v = static_cast<std::int64_t>(value.get<double>());
      if (double(v) < min || double(v) > max) return std::nullopt;
      if ((v - static_cast<std::int64_t>(min)) % std::max<std::int64_t>(1, step) != 0)
        return std::nullopt;
      return Json(v);
    }
    case ParamType::kFloat: {
      if (!value.is_number()) return std::nullopt;
      double v = value.get<double>();
      if (!(v >= min && v <= max)) return std::nullopt;
      // 12 significant digits: the same float spelled two ways hashes the same.
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.12g", v);
      return Json(std::strtod(buffer, nullptr));
    }
    case ParamType::kBool:
      if (!value.is_boolean()) return std::nullopt;
      return value;
    default:
      for (const auto& v : values) {
        if (json_equal(v, value)) return v;
      }
      return std::nullopt;
  }
}

bool Parameter::contains(const Json& value) const {
  return canonical_value(value).has_value();
}

Space Space::from_json(const Json& doc, const std::string& path, Issues& issues) {
  Space space;
  if (!doc.is_object()) {
    issues.add(path, "expected an object with \"parameters\", found " + json_type_name(doc));
    return space;
  }
  check_allowed_keys(doc, path, {"parameters", "constraints"}, issues);
  const std::string ppath = path + ".parameters";
  if (!doc.contains("parameters") || !doc["parameters"].is_object() || doc["parameters"].empty()) {
    issues.add(ppath, "expected a non-empty object: knob name -> values");
    return space;
  }
  std::vector<Parameter> parsed;
  for (const auto& [key, def] : doc["parameters"].items()) {
    const std::string kpath = ppath + "." + key;
    KnobRef ref = split_knob_key(key);
    if (ref.role != "dut" && ref.role != "lg") {
      issues.add(kpath, "unknown host role \"" + ref.role +
                            "\"; expected \"lg:<knob>\" or a bare knob name for the DUT");
      continue;
    }
    const KnobInfo* knob = find_knob(ref.knob);
    if (!knob) {
      issues.add(kpath, "unknown knob \"" + ref.knob + "\"" + did_you_mean(ref.knob, knob_names()) +
                            "; `nictune knobs` lists them");
      continue;
    }
    Parameter p;
    p.name = key;
    Json body = def.is_array() ? Json{{"values", def}} : def;
    if (!body.is_object()) {
      issues.add(kpath, "expected an array of values or an object with \"type\", found " +
                            json_type_name(def));
      continue;
    }
    check_allowed_keys(body, kpath,
                       {"type", "values", "min", "max", "step", "log", "levels", "when"}, issues);
    p.type = default_type(*knob, body);
    if (body.contains("type")) {
      const Json& t = body["type"];
      auto it = t.is_string() ? type_names().find(t.get<std::string>()) : type_names().end();
      if (it == type_names().end()) {
        issues.add(kpath + ".type",
                   "unknown type " + json_brief(t) +
                       (t.is_string() ? did_you_mean(t.get<std::string>(), type_name_list()) : "") +
                       "; expected one of " + join(type_name_list(), ", "));
        continue;
      }
      p.type = it->second;
    }
    if (!type_fits_knob(p.type, knob->type)) {
      issues.add(kpath + ".type", "type \"" + to_string(p.type) + "\" does not fit " + knob->name +
                                      ", which takes a " + std::string(to_string(knob->type)));
      continue;
    }
    bool ok = true;
    if (p.is_numeric()) {
      for (const char* field : {"min", "max"}) {
        if (!body.contains(field) || !body[field].is_number()) {
          issues.add(kpath + "." + field, std::string("expected a number (") + to_string(p.type) +
                                              " parameters need min and max)");
          ok = false;
        }
      }
      if (!ok) continue;
      p.min = body["min"].get<double>();
      p.max = body["max"].get<double>();
      if (p.type == ParamType::kInt && (!is_integral(body["min"]) || !is_integral(body["max"]))) {
        issues.add(kpath, "expected integer min and max");
        continue;
      }
      if (p.min > p.max) {
        issues.add(kpath, "min " + json_brief(body["min"]) + " is greater than max " +
                              json_brief(body["max"]));
        continue;
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
      if (knob->type == KnobValueType::kInt && p.min < 0) {
        issues.add(kpath + ".min", "expected a non-negative value for " + knob->name);
      }
    } else if (p.type == ParamType::kBool) {
      p.values = {false, true};
      if (body.contains("values")) {
        const Json& vals = body["values"];
        if (!vals.is_array() || vals.empty()) {
          issues.add(kpath + ".values", "expected a non-empty array of true/false");
          continue;
        }
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
      }
    } else {
      if (!body.contains("values") || !body["values"].is_array() || body["values"].empty()) {
        issues.add(kpath + ".values", "expected a non-empty array of values");
        continue;
      }
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
    }
    if (body.contains("when")) {
      p.when = parse_condition(body["when"], kpath + ".when", issues);
      if (!p.when) ok = false;
    }
    if (ok) parsed.push_back(std::move(p));
  }

  // Conditions: parents must exist, values must be in the parent's domain, no cycles.
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
  // Topological order so parents come first (stable for parameters without conditions).
  std::set<std::string> placed;
  std::vector<Parameter> remaining;
  for (auto& p : parsed) {
    if (!bad.count(p.name)) remaining.push_back(std::move(p));
  }
  while (!remaining.empty()) {
    bool progressed = false;
    for (auto it = remaining.begin(); it != remaining.end();) {
      if (!it->when || placed.count(it->when->param)) {
        placed.insert(it->name);
        space.params_.push_back(std::move(*it));
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

  if (doc.contains("constraints")) {
    const Json& list = doc["constraints"];
    if (!list.is_array()) {
      issues.add(path + ".constraints",
                 "expected an array of strings like \"rfs.flow_cnt <= 4096\"");
    } else {
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
          space.constraints_.push_back(std::move(c));
        } catch (const Error& e) {
          issues.add(cpath, e.what());
        }
      }
    }
  }
  return space;
}

Json Space::to_json() const {
  Json params = Json::object();
  for (const auto& p : params_) {
    Json def = {{"type", to_string(p.type)}};
    if (p.is_numeric()) {
      def["min"] = p.min;
      def["max"] = p.max;
      if (p.log) def["log"] = true;
      if (p.type == ParamType::kInt && p.step != 1) def["step"] = p.step;
    } else {
      def["values"] = p.values;
    }
    if (p.when) {
      def["when"] = {{"param", p.when->param}, {p.when->negate ? "not_in" : "in", p.when->values}};
    }
    params[p.name] = def;
  }
  Json constraints = Json::array();
  for (const auto& c : constraints_) constraints.push_back(c.text());
  return {{"parameters", params}, {"constraints", constraints}};
}

void Space::add(Parameter parameter) {
  params_.push_back(std::move(parameter));
}
void Space::add_constraint(Comparison constraint) {
  constraints_.push_back(std::move(constraint));
}

const Parameter* Space::find(const std::string& name) const {
  for (const auto& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool Space::is_active(const Parameter& parameter, const Point& point) const {
  if (!parameter.when) return true;
  const Parameter* parent = find(parameter.when->param);
  if (!parent || !is_active(*parent, point)) return false;
  auto it = point.find(parameter.when->param);
  return it != point.end() && parameter.when->holds(*it);
}

Point Space::canonicalize(const Point& point) const {
  if (!point.is_object())
    throw invalid("a point must be a JSON object, found " + json_type_name(point));
  for (const auto& [key, value] : point.items()) {
    if (!find(key))
      throw invalid("point has \"" + key + "\", which is not a parameter of the space");
  }
  Point out = Json::object();
  for (const auto& p : params_) {
    if (!is_active(p, out)) continue;
    auto it = point.find(p.name);
    if (it == point.end()) throw invalid("point has no value for \"" + p.name + "\"");
    auto value = p.canonical_value(*it);
    if (!value) {
      throw invalid("point value " + json_brief(*it) + " for \"" + p.name + "\" is outside its " +
                    to_string(p.type) + " domain");
    }
    out[p.name] = *value;
  }
  return out;
}

bool Space::satisfies_constraints(const Point& point) const {
  auto lookup = [&](const std::string& name) -> std::optional<Json> {
    auto it = point.find(name);
    if (it == point.end()) return std::nullopt;
    return *it;
  };
  return std::all_of(constraints_.begin(), constraints_.end(),
                     [&](const Comparison& c) { return c.holds(lookup); });
}

bool Space::is_valid(const Point& point, std::string* why) const {
  try {
    Point canonical = canonicalize(point);
    auto lookup = [&](const std::string& name) -> std::optional<Json> {
      auto it = canonical.find(name);
      if (it == canonical.end()) return std::nullopt;
      return *it;
    };
    for (const auto& c : constraints_) {
      if (!c.holds(lookup)) {
        if (why) *why = "violates constraint \"" + c.text() + "\"";
        return false;
      }
    }
    return true;
  } catch (const Error& e) {
    if (why) *why = e.what();
    return false;
  }
}

void Space::for_each_grid_point(const std::function<bool(const Point&)>& visit) const {
  Point current = Json::object();
  bool stop = false;
  std::function<void(std::size_t)> recurse = [&](std::size_t index) {
    if (stop) return;
    if (index == params_.size()) {
      if (satisfies_constraints(current) && !visit(current)) stop = true;
      return;
    }
    const Parameter& p = params_[index];
    if (!is_active(p, current)) {
      recurse(index + 1);
      return;
    }
    for (const auto& value : p.grid_values()) {
      current[p.name] = value;
      recurse(index + 1);
      if (stop) return;
    }
    current.erase(p.name);
  };
  recurse(0);
}

std::uint64_t Space::grid_size() const {
  std::uint64_t n = 0;
  for_each_grid_point([&](const Point&) {
    ++n;
    return n < 100'000'000;  // a number a human reads as "too many" already
  });
  return n;
}

std::string canonical_text(const Point& point) {
  return point.dump();
}
std::string point_hash(const Point& point) {
  return fnv1a64_hex(canonical_text(point));
}

}  // namespace nictune
