// A set of CPU ids of any size, printable both as a Linux CPU list ("0-3,8") and as the
// comma-grouped 32-bit hex mask that sysfs/procfs use ("ffffffff,00000001").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nictune {

class CpuSet {
 public:
  CpuSet() = default;

  // Throws nictune::Error(kInvalid) naming the offending text.
  static CpuSet parse_list(std::string_view text);
  static CpuSet parse_mask(std::string_view text);
  static CpuSet range(unsigned first, unsigned last);  // inclusive

  void add(unsigned cpu);
  void remove(unsigned cpu);
  bool contains(unsigned cpu) const;
  bool empty() const;
  std::size_t count() const;
  std::vector<unsigned> cpus() const;  // ascending
  // One past the highest CPU in the set, 0 when empty.
  unsigned span() const;

  CpuSet operator|(const CpuSet& other) const;
  CpuSet operator&(const CpuSet& other) const;
  CpuSet operator-(const CpuSet& other) const;
  bool operator==(const CpuSet& other) const;

  // "0-3,8"; "" for the empty set (what sysfs prints for an empty *_list file).
  std::string to_list() const;
  // Mask as the kernel prints it for a bitmap of `nbits` CPUs (nr_cpu_ids): 32-bit groups, the
  // first one only as wide as needed. nbits == 0 means "just wide enough for this set".
  std::string to_mask(unsigned nbits = 0) const;

 private:
  void trim();
  std::vector<std::uint64_t> words_;
};

}  // namespace nictune
