#include "core/comparison.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "core/errors.hpp"

namespace nictune {
namespace {

// Numbers compare as numbers, anything else as text; the operator is the same.
template <class T>
bool compare_with(CompareOp op, const T& a, const T& b) {
  switch (op) {
    case CompareOp::kLess:
      return a < b;
    case CompareOp::kLessEqual:
      return a <= b;
    case CompareOp::kGreater:
      return a > b;
    case CompareOp::kGreaterEqual:
      return a >= b;
    case CompareOp::kEqual:
      return a == b;
    case CompareOp::kNotEqual:
      return a != b;
  }
  return false;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
         c == '-';
}

Operand parse_operand(const std::string& raw, const std::string& whole) {
  std::string text = trim(raw);
  if (text.empty()) {
    throw invalid("constraint \"" + whole +
                  "\": expected \"<name> <op> <value>\", an operand is empty");
  }
  Operand operand;
  double number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && ptr == text.data() + text.size()) {
    operand.kind = Operand::Kind::kNumber;
    operand.number = number;
    operand.text = text;
    return operand;
  }
  for (char c : text) {
    if (!is_name_char(c)) {
      throw invalid("constraint \"" + whole + "\": \"" + text +
                    "\" is neither a number nor a name");
    }
  }
  // Whether a word is a parameter/metric name or a literal is decided by the caller that knows
  // the namespace (Space, outcome metrics); parse marks everything as a name.
  operand.kind = Operand::Kind::kName;
  operand.text = text;
  return operand;
}

std::optional<double> as_number(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return std::nullopt;
}

}  // namespace

std::string to_string(CompareOp op) {
  switch (op) {
    case CompareOp::kLess:
      return "<";
    case CompareOp::kLessEqual:
      return "<=";
    case CompareOp::kGreater:
      return ">";
    case CompareOp::kGreaterEqual:
      return ">=";
    case CompareOp::kEqual:
      return "==";
    case CompareOp::kNotEqual:
      return "!=";
  }
  return "?";
}

Comparison Comparison::parse(const std::string& text) {
  static const std::array<std::pair<const char*, CompareOp>, 6> kOps = {{
      {"<=", CompareOp::kLessEqual},
      {">=", CompareOp::kGreaterEqual},
      {"==", CompareOp::kEqual},
      {"!=", CompareOp::kNotEqual},
      {"<", CompareOp::kLess},
      {">", CompareOp::kGreater},
  }};
  for (const auto& [symbol, op] : kOps) {
    auto pos = text.find(symbol);
    if (pos == std::string::npos) continue;
    Comparison c;
    c.text_ = text;
    c.op_ = op;
    c.lhs_ = parse_operand(text.substr(0, pos), text);
    c.rhs_ = parse_operand(text.substr(pos + std::string(symbol).size()), text);
    return c;
  }
  throw invalid("constraint \"" + text +
                "\": expected \"<name> <op> <value>\" with op one of <, <=, >, >=, ==, !=");
}

bool Comparison::holds(const Lookup& lookup) const {
  auto resolve = [&](const Operand& o) -> std::optional<Json> {
    if (o.kind == Operand::Kind::kNumber) return Json(o.number);
    if (auto v = lookup(o.text)) return v;
    // An unknown name on the right-hand side is a literal word ("rps != none").
    if (&o == &rhs_) return Json(o.text);
    return std::nullopt;
  };
  auto left = resolve(lhs_);
  auto right = resolve(rhs_);
  if (!left || !right) return true;
  auto ln = as_number(*left);
  auto rn = as_number(*right);
  if (ln && rn) {
    double a = *ln, b = *rn;
    if (std::isnan(a) || std::isnan(b)) return false;
    return compare_with(op_, a, b);
  }
  std::string a = left->is_string() ? left->get<std::string>() : left->dump();
  std::string b = right->is_string() ? right->get<std::string>() : right->dump();
  return compare_with(op_, a, b);
}

}  // namespace nictune
