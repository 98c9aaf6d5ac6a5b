#include "core/nic_identity.hpp"

#include <cctype>

namespace nictune {
namespace {

std::string text_at(const Json& facts, std::initializer_list<const char*> path) {
  const Json* at = &facts;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return std::string();
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

std::string first_text(const Json& facts, std::initializer_list<const char*> a,
                       std::initializer_list<const char*> b) {
  std::string v = text_at(facts, a);
  return v.empty() ? text_at(facts, b) : v;
}

// "0x10fb\n" -> "10fb"; "" unless four hex digits remain.
std::string hex4(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) s = s.substr(2);
  if (s.size() != 4) return std::string();
  for (char& c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::string();
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

}  // namespace

std::string NicIdentity::model_key() const {
  std::string d = driver.empty() ? "no-driver" : driver;
  return pci_id.empty() ? d : d + " " + pci_id;
}

Json NicIdentity::to_json() const {
  return {{"model", model_key()},
          {"driver", driver},
          {"pci_id", pci_id},
          {"firmware", firmware},
          {"speed_mbps", speed_mbps ? Json(*speed_mbps) : Json()},
          {"kernel", kernel},
          {"hostname", hostname}};
}

NicIdentity nic_identity_from_facts(const Json& facts) {
  NicIdentity id;
  id.driver = first_text(facts, {"driver"}, {"nic", "driver"});
  if (id.driver.empty()) id.driver = text_at(facts, {"interface", "driver"});  // older facts
  id.pci_id = text_at(facts, {"nic", "pci_id"});
  id.firmware = first_text(facts, {"firmware"}, {"nic", "firmware"});
  if (id.firmware.empty()) id.firmware = text_at(facts, {"interface", "firmware"});
  id.kernel = first_text(facts, {"kernel"}, {"host", "kernel"});
  id.hostname = first_text(facts, {"hostname"}, {"host", "hostname"});
  if (facts.is_object() && facts.contains("nic") && facts["nic"].is_object()) {
    const Json& speed = facts["nic"].value("speed_mbps", Json());
    if (speed.is_number_integer() && speed.get<long long>() >= 0)
      id.speed_mbps = speed.get<long long>();
  }
  return id;
}

std::string pci_id_from_sysfs(const std::string& vendor, const std::string& device) {
  std::string v = hex4(vendor), d = hex4(device);
  return v.empty() || d.empty() ? std::string() : v + ":" + d;
}

}  // namespace nictune
