// "lhs op rhs" conditions used for space constraints ("rfs.flow_cnt <= rings.rx") and outcome
// constraints ("loss_ratio <= 0.001"). Operands are names (looked up at evaluation time), numbers
// or bare words (compared as strings, e.g. "rps != none").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "core/json_util.hpp"

namespace nictune {

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

struct Operand {
  enum class Kind { kName, kNumber, kWord } kind = Kind::kNumber;
  std::string text;  // name or word
  double number = 0;
};

class Comparison {
 public:
  // Throws Error(kInvalid) with a message naming what was expected.
  static Comparison parse(const std::string& text);

  // `lookup` returns the value of a name, or nullopt when the name has no value (an inactive
  // parameter, a metric that was not measured): such a comparison holds vacuously.
  using Lookup = std::function<std::optional<Json>(const std::string&)>;
  bool holds(const Lookup& lookup) const;

  const Operand& lhs() const { return lhs_; }
  const Operand& rhs() const { return rhs_; }
  CompareOp op() const { return op_; }
  const std::string& text() const { return text_; }

 private:
  Operand lhs_, rhs_;
  CompareOp op_ = CompareOp::kEqual;
  std::string text_;
};

std::string to_string(CompareOp op);

}  // namespace nictune
