// What the iperf3 and sockperf adapters share: a free port (the tools cannot bind port 0 and
// report it), waiting until the tool's server is bound, cleaning coloured output.
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "agents/load/adapters.hpp"
#include "agents/load/sys_util.hpp"
#include "core/errors.hpp"

namespace nictune::load {

int pick_free_port(const std::string& bind) {
  SockAddr address = parse_address(bind, 0, "bind");
  for (int attempt = 0; attempt < 20; ++attempt) {
    Fd tcp = make_socket(address.family(), SOCK_STREAM);
    bind_to(tcp.get(), address);
    int port = local_address(tcp.get()).port();
    // The tools use the same number for their UDP data and TCP control sockets.
    Fd udp = make_socket(address.family(), SOCK_DGRAM);
    SockAddr same = address;
    same.set_port(port);
    if (::bind(udp.get(), same.get(), same.length) == 0) return port;
  }
  throw Error(ErrorCode::kBusy, "no port free for both TCP and UDP on " + bind);
}

bool wait_for_bound_port(const std::string& protocol, int port, int timeout_ms) {
  const std::int64_t deadline = now_ns() + static_cast<std::int64_t>(timeout_ms) * 1000000;
  char hex[8];
  std::snprintf(hex, sizeof hex, ":%04X", port);
  for (;;) {
    for (const char* suffix : {"", "6"}) {
      // thread-self: the namespace of this thread, which may differ from the process's.
      std::ifstream in("/proc/thread-self/net/" + protocol + suffix);
      std::string line;
      std::getline(in, line);  // header
      while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local.size() < 5 || local.compare(local.size() - 5, 5, hex) != 0) continue;
        // TCP: LISTEN (0A); UDP: any bound socket (07 = unconnected).
        if (protocol == "udp" || state == "0A") return true;
      }
    }
    if (now_ns() >= deadline) return false;
    ::usleep(10000);
  }
}

std::string strip_ansi(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace nictune::load
