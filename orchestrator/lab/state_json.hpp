// The text fields of the labs' state records (LabHost, LabState, VmNic, VmLabState) as JSON:
// one table of (key, member) rows per record serves writing and reading the state file, so a
// field is named once. Fields of other types, and text written but not read back, stay beside
// the table in the record's own to_json/from_json.
#pragma once

#include <cstddef>
#include <string>

#include "core/json_util.hpp"

namespace nictune::lab {

template <class Record>
struct TextField {
  const char* key;
  std::string Record::*member;
  // Else "" when the key is missing: state files written before the field existed.
  bool required = true;
};

template <class Record, std::size_t N>
void put_text_fields(Json& out, const Record& record, const TextField<Record> (&fields)[N]) {
  for (const auto& field : fields) out[field.key] = record.*field.member;
}

// A missing required key or a value that is not text throws Json's own error (as Json::at and
// get do); the state file's readers take any error as a damaged file.
template <class Record, std::size_t N>
void get_text_fields(const Json& json, Record& record, const TextField<Record> (&fields)[N]) {
  for (const auto& field : fields) {
    record.*field.member =
        field.required ? json.at(field.key).template get<std::string>() : json.value(field.key, "");
  }
}

}  // namespace nictune::lab
