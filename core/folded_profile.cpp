#include "core/folded_profile.hpp"

#include "core/errors.hpp"

namespace nictune {

Json to_json(const FoldedProfile& profile) {
  Json cpus = Json::array();
  for (const auto& cpu : profile.cpus) {
    Json stacks = Json::array();
    for (const auto& [stack, count] : cpu.stacks) stacks.push_back(Json::array({stack, count}));
    cpus.push_back({{"cpu", cpu.cpu}, {"samples", cpu.samples}, {"stacks", std::move(stacks)}});
  }
  return {{"samples", profile.samples},
          {"malformed", profile.malformed},
          {"truncated", profile.truncated},
          {"cpus", std::move(cpus)}};
}

FoldedProfile folded_profile_from_json(const Json& json) {
  auto fail = [](const std::string& what) { return invalid("profile: " + what); };
  if (!json.is_object() || !json.contains("cpus") || !json["cpus"].is_array())
    throw fail("expected an object with a \"cpus\" array");
  FoldedProfile profile;
  profile.samples = json.value("samples", std::uint64_t{0});
  profile.malformed = json.value("malformed", std::uint64_t{0});
  profile.truncated = json.value("truncated", false);
  for (std::size_t i = 0; i < json["cpus"].size(); ++i) {
    const Json& c = json["cpus"][i];
    const std::string at = "cpus[" + std::to_string(i) + "]";
    if (!c.is_object() || !c.contains("cpu") || !c["cpu"].is_number_unsigned() ||
        !c.contains("stacks") || !c["stacks"].is_array())
      throw fail(at + ": expected {\"cpu\": unsigned, \"stacks\": array}");
    CpuStacks cpu;
    cpu.cpu = c["cpu"].get<unsigned>();
    cpu.samples = c.value("samples", std::uint64_t{0});
    for (const auto& s : c["stacks"]) {
      if (!s.is_array() || s.size() != 2 || !s[0].is_string() || !s[1].is_number_unsigned())
        throw fail(at + ".stacks: expected [\"stack\", count] pairs");
      cpu.stacks.emplace_back(s[0].get<std::string>(), s[1].get<std::uint64_t>());
    }
    profile.cpus.push_back(std::move(cpu));
  }
  return profile;
}

}  // namespace nictune
