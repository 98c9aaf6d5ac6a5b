// The request/response loop udp_rr, tcp_rr and tcp_crr share: rounds of one request per flow,
// the replies awaited in the workload's poll mode, RTTs into per-interval histograms, requests
// = replies + lost, and the peer declared dead after peer_timeout_s without a reply. A worker
// supplies how one flow sends its request and reads its reply.
#pragma once

#include <string>
#include <vector>

#include "agents/load/client_run.hpp"
#include "agents/load/rr_wait.hpp"

namespace nictune::load {

class RrWorker : public ClientWorker {
 public:
  RrWorker(const Workload& workload, const RunOptions& options, unsigned index);
  void run(const RunClock& clock, std::atomic<bool>& abort) final;

 protected:
  enum class SendResult { kSent, kLost, kFailed };

  // Allocates the per-flow state once fds_ holds one descriptor (or -1) per flow.
  void size_flows();
  // Sends flow i's request. kLost: it could not go out in time (counted lost); kFailed: the run
  // stops with error_.
  virtual SendResult send_request(std::size_t i, Phase phase, std::uint32_t interval) = 0;
  // Reads what flow i has (flags 0 or MSG_DONTWAIT); kDone sets done_ns_[i]; kFailed sets error_.
  virtual ReadResult try_read(std::size_t i, int flags) = 0;
  // Flow i had no reply at the deadline: true counts it lost, false fails the run with error_.
  virtual bool missed(std::size_t) { return true; }
  // Flow i completed an exchange inside the measured window.
  virtual void measured_reply(std::size_t) {}
  // The round is over for flow i (tcp_crr closes its connection).
  virtual void end_round(std::size_t) {}
  virtual void measure_started() {}
  virtual void finished() {}

  const Workload& w_;
  const RunOptions& options_;
  std::vector<int> flow_ids_;
  std::vector<int> fds_;
  std::vector<std::int64_t> start_ns_, done_ns_;
  std::vector<char> waiting_;
  std::string error_;
};

}  // namespace nictune::load
