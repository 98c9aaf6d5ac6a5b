// Latency histogram with log-linear buckets (the HDR histogram layout): exact below 128 ns, then
// 128 equal sub-buckets per power of two, so a bucket is at most 1/128 of its value wide and the
// value reported for it (its midpoint) is within 0.4 % of any sample in it. Covers 0 to ~275 s
// (larger samples land in the last bucket; max stays exact). Histograms merge by adding counts,
// across threads, intervals, repetitions and hosts (through to_json/from_json).
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/json_util.hpp"

namespace nictune::load {

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 7;  // 128 sub-buckets per octave
  static constexpr unsigned kSubBuckets = 1u << kSubBucketBits;
  static constexpr unsigned kMaxBits =
      37;  // highest bit of a value kept apart: up to 2^38 ns ~ 275 s
  // 128 exact buckets, then one row of 128 per octave 2^7 .. 2^kMaxBits.
  static constexpr unsigned kBucketCount = (kMaxBits - kSubBucketBits + 2) * kSubBuckets;

  LatencyHistogram() { counts_.fill(0); }

  // The hot path: a few instructions, no branches beyond the range checks.
  void record(std::uint64_t ns) {
    unsigned index = bucket_index(ns);
    ++counts_[index];
    ++count_;
    sum_ += ns;
    if (ns < min_) min_ = ns;
    if (ns > max_) max_ = ns;
    if (index < low_index_) low_index_ = index;
    if (index > high_index_) high_index_ = index;
  }
  void record_n(std::uint64_t ns, std::uint64_t n);

  void merge(const LatencyHistogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }
  // Nearest-rank percentile (q in [0, 100]): the bucket holding the ceil(q/100 * count)-th
  // smallest sample, reported as the bucket's midpoint clamped to [min, max] (the smallest and
  // the largest rank give min and max exactly). 0 when empty.
  std::uint64_t percentile(double q) const;

  // Non-empty buckets as (lowest value of the bucket, count), ascending.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> nonzero_buckets() const;

  // {"unit": "ns", "count", "min", "max", "mean", "p50", "p90", "p99", "p999", "p9999",
  //  "buckets": [[lowest_ns, count], ...]}. from_json rebuilds an equal histogram (sum from mean).
  Json to_json() const;
  static LatencyHistogram from_json(const Json& doc);
  // The percentile summary only (no buckets), for per-interval records.
  Json summary_json() const;

  static unsigned bucket_index(std::uint64_t ns) {
    if (ns >= (std::uint64_t{1} << (kMaxBits + 1))) return kBucketCount - 1;
    if (ns < kSubBuckets) return static_cast<unsigned>(ns);
    unsigned msb = 63u - static_cast<unsigned>(__builtin_clzll(ns));  // >= kSubBucketBits
    unsigned shift = msb - kSubBucketBits;
    // Octave `shift` starts at 128 << shift and is split in 128 buckets of width 1 << shift.
    return (shift + 1) * kSubBuckets + static_cast<unsigned>((ns >> shift) - kSubBuckets);
  }
  static std::uint64_t bucket_low(unsigned index);
  static std::uint64_t bucket_width(unsigned index);

 private:
  std::array<std::uint64_t, kBucketCount> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  unsigned low_index_ = kBucketCount;  // range of buckets that may be non-zero
  unsigned high_index_ = 0;
};

}  // namespace nictune::load
