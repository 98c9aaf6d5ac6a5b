#include "orchestrator/lab/netns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "core/errors.hpp"
#include "orchestrator/transport/subprocess.hpp"

namespace nictune::lab {
namespace {

std::vector<std::string> with_netns(const std::string& netns, std::vector<std::string> args) {
  if (!netns.empty()) args.insert(args.begin(), {"-n", netns});
  return args;
}

}  // namespace

void ip(const std::vector<std::string>& args, const std::string& what) {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  subprocess::run_checked(argv, what);
}

Json ip_json(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip", "-j"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = subprocess::run(argv);
  if (!result.ok()) return Json::array();
  auto first = result.out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Json::array();
  try {
    return Json::parse(result.out);
  } catch (const Json::parse_error&) {
    return Json::array();
  }
}

bool netns_exists(const std::string& name) {
  struct stat st {};
  return ::stat(("/run/netns/" + name).c_str(), &st) == 0;
}

void netns_add(const std::string& name) {
  ip({"netns", "add", name}, "create network namespace " + name);
  ip({"-n", name, "link", "set", "lo", "up"}, "bring up lo in " + name);
}

bool netns_delete(const std::string& name) {
  if (!netns_exists(name)) return true;
  subprocess::run({"ip", "netns", "del", name});
  return !netns_exists(name);
}

std::vector<pid_t> netns_pids(const std::string& name) {
  std::vector<pid_t> out;
  if (!netns_exists(name)) return out;
  auto result = subprocess::run({"ip", "netns", "pids", name});
  std::istringstream lines(result.out);
  long pid;
  while (lines >> pid) {
    if (pid > 0) out.push_back(static_cast<pid_t>(pid));
  }
  return out;
}

std::optional<Json> link_info(const std::string& name, const std::string& netns) {
  if (!netns.empty() && !netns_exists(netns)) return std::nullopt;
  Json links = ip_json(with_netns(netns, {"-d", "link", "show", "dev", name}));
  if (!links.is_array() || links.empty()) return std::nullopt;
  return links[0];
}

bool link_exists(const std::string& name, const std::string& netns) {
  return link_info(name, netns).has_value();
}

bool link_delete(const std::string& name, const std::string& netns) {
  if (!link_exists(name, netns)) return true;
  std::vector<std::string> argv = {"ip"};
  for (auto& arg : with_netns(netns, {"link", "del", "dev", name})) argv.push_back(arg);
  subprocess::run(argv);
  return !link_exists(name, netns);
}

std::string interface_holding(const std::string& address, const std::string& netns) {
  if (!netns.empty() && !netns_exists(netns)) return "";
  Json links = ip_json(with_netns(netns, {"-4", "addr", "show"}));
  if (!links.is_array()) return "";
  for (const auto& link : links) {
    if (!link.contains("addr_info")) continue;
    for (const auto& info : link["addr_info"]) {
      if (info.value("local", "") == address) return link.value("ifname", "?");
    }
  }
  return "";
}

bool tcp_port_open(const std::string& address, int port, int timeout_ms) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &to.sin_addr) != 1) return false;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool open = false;
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
  if (rc == 0) {
    open = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, timeout_ms) == 1) {
      int error = 0;
      socklen_t len = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
      open = error == 0;
    }
  }
  ::close(fd);
  return open;
}

}  // namespace nictune::lab
