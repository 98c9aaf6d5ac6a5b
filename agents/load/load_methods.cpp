// serve.start, serve.stop, load.run: the agent's face of agents/load. Servers run in their own
// threads (or child processes) between serve.start and serve.stop, so the agent keeps answering;
// load.run blocks for warm-up plus duration (bounded). Servers still running when the agent ends
// are stopped by a shutdown hook.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "agents/load/load_runner.hpp"
#include "agents/load/sys_util.hpp"
#include "agents/methods.hpp"
#include "core/errors.hpp"
#include "core/load_tools.hpp"
#include "core/source_spread.hpp"
#include "core/text_util.hpp"

namespace nictune::agent {
namespace {

class ServerRegistry {
 public:
  std::string add(std::unique_ptr<load::LoadServer> server) {
    std::lock_guard lock(mutex_);
    std::string id = "s" + std::to_string(++last_id_);
    servers_[id] = std::move(server);
    return id;
  }
  std::unique_ptr<load::LoadServer> take(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = servers_.find(id);
    if (it == servers_.end()) {
      std::vector<std::string> ids;
      for (const auto& [name, server] : servers_) ids.push_back(name);
      throw invalid(
          "id: no running server \"" + id + "\"" + did_you_mean(id, ids) +
          (ids.empty() ? std::string("; none is running") : "; running: " + join(ids, ", ")));
    }
    auto server = std::move(it->second);
    servers_.erase(it);
    return server;
  }
  void stop_all() {
    std::map<std::string, std::unique_ptr<load::LoadServer>> servers;
    {
      std::lock_guard lock(mutex_);
      servers.swap(servers_);
    }
    for (auto& [id, server] : servers) server->stop();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<load::LoadServer>> servers_;
  unsigned last_id_ = 0;
};

// Refuses unknown parameters with a did-you-mean, like the spec validator does for documents.
void check_params(const Json& params, const std::vector<std::string>& allowed) {
  Issues issues;
  for (const auto& [key, value] : params.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      issues.add(key, "unknown parameter" + did_you_mean(key, allowed) + "; expected " +
                          join(allowed, ", "));
    }
  }
  if (!params.contains("workload")) {
    issues.add("workload", "missing; expected an object like {\"type\": \"udp_stream\"}");
  } else {
    validate_workload(params["workload"], "workload", issues);
  }
  if (!issues.empty()) {
    std::string text = issues.format();
    text.pop_back();
    throw invalid(text);
  }
}

std::string string_param(const Json& params, const char* name, const std::string& fallback) {
  if (!params.contains(name)) return fallback;
  if (!params[name].is_string()) {
    throw invalid(std::string(name) + ": expected a string, found " + json_brief(params[name]));
  }
  return params[name].get<std::string>();
}

int port_param(const Json& params, int fallback) {
  if (!params.contains("port")) return fallback;
  const Json& v = params["port"];
  if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 65535) {
    throw invalid("port: expected an integer from 0 to 65535, found " + json_brief(v));
  }
  return v.get<int>();
}

}  // namespace

void register_load_methods(rpc::MethodTable& table, AgentContext& context) {
  auto servers = std::make_shared<ServerRegistry>();
  context.shutdown_hooks.push_back([servers] { servers->stop_all(); });

  table.add("serve.start", [servers](const Json& params) {
    check_params(params, {"workload", "bind", "port", "cpus"});
    Workload workload = parse_workload(params["workload"]);
    load::ServeOptions options;
    options.bind = string_param(params, "bind", "0.0.0.0");
    options.port = port_param(params, 0);
    options.cpus = load::parse_cpu_list(string_param(params, "cpus", ""), "cpus");
    auto server = load::start_server(workload, options);
    int port = server->port();
    std::string id = servers->add(std::move(server));
    return Json{{"id", id},
                {"port", port},
                {"tool", workload.tool->name},
                {"type", to_string(workload.type)}};
  });

  table.add("serve.stop", [servers](const Json& params) {
    if (!params.contains("id") || !params["id"].is_string()) {
      throw invalid("id: expected the string serve.start returned, like \"s1\"");
    }
    std::string id = params["id"].get<std::string>();
    Json result = servers->take(id)->stop();
    result["id"] = id;
    return result;
  });

  table.add("load.run", [](const Json& params) {
    check_params(params, {"workload", "target", "port", "cpus", "bind"});
    Workload workload = parse_workload(params["workload"]);
    load::RunOptions options;
    options.target = string_param(params, "target", "127.0.0.1");
    options.port = port_param(params, 0);
    options.bind = string_param(params, "bind", "");
    options.cpus = load::parse_cpu_list(string_param(params, "cpus", ""), "cpus");
    Issues spread_issues;  // already refused by check_params when wrong
    if (auto spread = read_source_spread(params["workload"], "workload", spread_issues))
      for (int flow = 0; flow < workload.flows; ++flow)
        options.flow_sources.push_back(source_address(*spread, flow));
    return load::run_load(workload, options);
  });
}

}  // namespace nictune::agent
