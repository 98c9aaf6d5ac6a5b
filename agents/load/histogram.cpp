#include "agents/load/histogram.hpp"

#include <algorithm>
#include <cmath>

#include "core/errors.hpp"

namespace nictune::load {

std::uint64_t LatencyHistogram::bucket_low(unsigned index) {
  if (index < kSubBuckets) return index;
  unsigned shift = index / kSubBuckets - 1;
  return static_cast<std::uint64_t>(kSubBuckets + index % kSubBuckets) << shift;
}

std::uint64_t LatencyHistogram::bucket_width(unsigned index) {
  if (index < kSubBuckets) return 1;
  return std::uint64_t{1} << (index / kSubBuckets - 1);
}

void LatencyHistogram::record_n(std::uint64_t ns, std::uint64_t n) {
  if (n == 0) return;
  unsigned index = bucket_index(ns);
  counts_[index] += n;
  count_ += n;
  sum_ += ns * n;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  low_index_ = std::min(low_index_, index);
  high_index_ = std::max(high_index_, index);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (unsigned i = other.low_index_; i <= other.high_index_; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  low_index_ = std::min(low_index_, other.low_index_);
  high_index_ = std::max(high_index_, other.high_index_);
}

void LatencyHistogram::reset() {
  if (count_ != 0) {
    std::fill(counts_.begin() + low_index_, counts_.begin() + high_index_ + 1, 0);
  }
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  low_index_ = kBucketCount;
  high_index_ = 0;
}

std::uint64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  // The extreme ranks are known exactly.
  if (rank == 1) return min_;
  if (rank == count_) return max_;
  std::uint64_t seen = 0;
  for (unsigned i = low_index_; i <= high_index_; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      std::uint64_t mid = bucket_low(i) + (bucket_width(i) - 1) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> LatencyHistogram::nonzero_buckets() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  if (count_ == 0) return out;
  for (unsigned i = low_index_; i <= high_index_; ++i) {
    if (counts_[i]) out.emplace_back(bucket_low(i), counts_[i]);
  }
  return out;
}

Json LatencyHistogram::summary_json() const {
  return Json{{"unit", "ns"},
              {"count", count_},
              {"min", min()},
              {"max", max()},
              {"mean", mean()},
              {"p50", percentile(50)},
              {"p90", percentile(90)},
              {"p99", percentile(99)},
              {"p999", percentile(99.9)},
              {"p9999", percentile(99.99)}};
}

Json LatencyHistogram::to_json() const {
  Json doc = summary_json();
  Json buckets = Json::array();
  for (const auto& [low, n] : nonzero_buckets()) buckets.push_back(Json::array({low, n}));
  doc["buckets"] = std::move(buckets);
  return doc;
}

LatencyHistogram LatencyHistogram::from_json(const Json& doc) {
  auto bad = [](const std::string& what) { return invalid("histogram: " + what); };
  if (!doc.is_object()) throw bad("expected an object");
  if (doc.value("unit", "ns") != "ns") throw bad("expected unit \"ns\"");
  LatencyHistogram h;
  auto buckets = doc.find("buckets");
  if (buckets == doc.end() || !buckets->is_array())
    throw bad("expected \"buckets\": [[ns, count], ...]");
  for (const auto& b : *buckets) {
    if (!b.is_array() || b.size() != 2 || !b[0].is_number_unsigned() ||
        !b[1].is_number_unsigned()) {
      throw bad("expected each bucket as [lowest_ns, count] of non-negative integers, found " +
                json_brief(b));
    }
    h.record_n(b[0].get<std::uint64_t>(), b[1].get<std::uint64_t>());
  }
  if (h.count_ == 0) return h;
  // The summary fields are exact where the buckets are not.
  if (doc.contains("min") && doc["min"].is_number_unsigned())
    h.min_ = doc["min"].get<std::uint64_t>();
  if (doc.contains("max") && doc["max"].is_number_unsigned())
    h.max_ = doc["max"].get<std::uint64_t>();
  if (doc.contains("mean") && doc["mean"].is_number()) {
    h.sum_ = static_cast<std::uint64_t>(
        std::llround(doc["mean"].get<double>() * static_cast<double>(h.count_)));
  }
  return h;
}

}  // namespace nictune::load
