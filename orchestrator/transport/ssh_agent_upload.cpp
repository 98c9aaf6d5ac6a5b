// SshTransport, part 2: the agent on the host. Finding one of this exact version (or the spec's
// agent_path), else uploading this build's over SFTP into a per-user cache, atomically (a
// temporary name, then rename), and pruning old uploads from that cache.
#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/text_util.hpp"
#include "core/version.hpp"
#include "orchestrator/transport/ssh_detail.hpp"
#include "orchestrator/transport/ssh_transport.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {
namespace {

using ssh_detail::trim;
using transport_text::shell_command;

std::atomic<unsigned> upload_counter{0};

}  // namespace

std::string expected_agent_version_line() {
  return std::string("nictune-agent ") + kVersion + " (protocol " +
         std::to_string(kProtocolVersion) + ")";
}

std::string SshTransport::find_or_upload_agent() {
  const std::string expected = expected_agent_version_line();
  std::vector<std::string> prefix;
  if (spec_.sudo) prefix = {"sudo", "-n"};
  auto version_of = [&](const std::string& path, std::string& why) {
    auto argv = prefix;
    argv.push_back(path);
    argv.push_back("--version");
    auto result = exec(shell_command(argv));
    std::string out = trim(result.out);
    if (result.exit_status == 0 && out == expected) return true;
    std::string err = trim(result.err);
    if (spec_.sudo && err.rfind("sudo:", 0) == 0) {
      throw TransportError(
          TransportErrorKind::kAuth,
          label() + ": `sudo -n` refused (passwordless sudo is needed for " + spec_.user +
              "): " + transport_text::last_lines(err) + "; fix: on " + spec_.host +
              " add a sudoers rule such as `" + spec_.user +
              " ALL=(root) NOPASSWD: ALL` in /etc/sudoers.d/nictune (check it with visudo -cf), "
              "or log in as root and drop \"sudo\"");
    }
    if (result.exit_status == 126 || result.exit_status == 127) {
      why = "no runnable agent at " + path;
    } else if (result.exit_status == 0 && out.rfind("nictune-agent ", 0) == 0) {
      why = path + " is \"" + out + "\", not \"" + expected + "\"";
    } else {
      why = path + " --version failed (status " + std::to_string(result.exit_status) + ": " +
            transport_text::last_lines(err.empty() ? out : err, 160) + ")";
    }
    return false;
  };
  std::string why;
  if (!spec_.agent_path.empty()) {
    if (version_of(spec_.agent_path, why)) return spec_.agent_path;
    log(why + "; uploading this build's agent instead");
  }
  std::string path = upload_agent();
  std::string after;
  if (!version_of(path, after)) {
    throw TransportError(TransportErrorKind::kAgentCrash,
                         label() + ": the agent at " + path +
                             " does not run on this host: " + after +
                             " (upload the static release build: build/agents/nictune-agent)");
  }
  return path;
}

std::string SshTransport::upload_agent() {
  const std::string& local = options_.agent_binary;
  if (local.empty()) {
    throw TransportError(
        TransportErrorKind::kUnreachable,
        label() + ": the host has no nictune-agent " + kVersion +
            " and there is no local agent to upload (build nictune-agent, or set $NICTUNE_AGENT)");
  }
  std::string content;
  if (!transport_text::read_file(local, content)) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": cannot read local agent " + local + ": " + strerror(errno));
  }
  if (content.empty()) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": local agent " + local + " is empty or missing");
  }

  sftp_session sftp = sftp_new(session_);
  if (!sftp) throw_lost("SFTP");
  struct FreeSftp {
    sftp_session s;
    ~FreeSftp() { sftp_free(s); }
  } free_sftp{sftp};
  auto sftp_fail = [&](const std::string& what) {
    if (!ssh_is_connected(session_)) throw_lost("the agent upload");
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": cannot upload the agent: " + what + ": " +
                             ssh_get_error(session_) + " (SFTP error " +
                             std::to_string(sftp_get_error(sftp)) + ")");
  };
  if (sftp_init(sftp) != SSH_OK) sftp_fail("the host offers no SFTP subsystem");

  std::string dir = options_.remote_cache_dir;
  if (dir.empty() || dir[0] != '/') {
    char* home = sftp_canonicalize_path(sftp, ".");
    if (!home) sftp_fail("cannot find the remote home directory");
    std::string base = home;
    ssh_string_free_char(home);
    dir = base + (base.size() > 1 ? "/" : "") + (dir.empty() ? ".cache/nictune" : dir);
  }
  // mkdir -p, one component at a time.
  for (std::size_t slash = 1; slash != std::string::npos;) {
    slash = dir.find('/', slash + 1);
    std::string prefix = dir.substr(0, slash);
    if (sftp_attributes attrs = sftp_stat(sftp, prefix.c_str())) {
      sftp_attributes_free(attrs);
      continue;
    }
    if (sftp_mkdir(sftp, prefix.c_str(), 0700) != SSH_OK) sftp_fail("mkdir " + prefix);
  }

  std::string final_path =
      dir + "/nictune-agent-" + kVersion + "-" + fnv1a64_hex(content).substr(0, 12);
  if (sftp_attributes attrs = sftp_stat(sftp, final_path.c_str())) {
    bool same = attrs->size == content.size();
    sftp_attributes_free(attrs);
    if (same) return final_path;
  }
  log("uploading the agent (" + std::to_string(content.size() / 1024) + " KiB) to " + final_path);
  std::string temp =
      final_path + ".part-" + std::to_string(getpid()) + "-" + std::to_string(upload_counter++);
  sftp_file remote = sftp_open(sftp, temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0700);
  if (!remote) sftp_fail("create " + temp);
  std::size_t done = 0;
  while (done < content.size()) {
    std::size_t piece = std::min<std::size_t>(32768, content.size() - done);
    ssize_t n = sftp_write(remote, content.data() + done, piece);
    if (n <= 0) {
      sftp_close(remote);
      sftp_unlink(sftp, temp.c_str());
      sftp_fail("write " + temp);
    }
    done += static_cast<std::size_t>(n);
  }
  if (sftp_close(remote) != SSH_OK) sftp_fail("close " + temp);
  if (sftp_chmod(sftp, temp.c_str(), 0755) != SSH_OK) sftp_fail("chmod " + temp);
  sftp_unlink(sftp, final_path.c_str());
  if (sftp_rename(sftp, temp.c_str(), final_path.c_str()) != SSH_OK) {
    sftp_unlink(sftp, temp.c_str());
    sftp_fail("rename to " + final_path);
  }
  uploaded_ = true;
  prune_agent_cache(sftp, dir, final_path);
  return final_path;
}

void SshTransport::prune_agent_cache(sftp_session_struct* sftp, const std::string& dir,
                                     const std::string& keep) {
  // Every rebuild of the agent is another file of tens of MB: keep this one and the two most
  // recent others (another build may be in use from elsewhere), and drop uploads that were
  // interrupted more than an hour ago. Removing a file that is running is harmless on Linux.
  sftp_dir listing = sftp_opendir(sftp, dir.c_str());
  if (!listing) return;
  struct Entry {
    std::string path;
    std::uint64_t mtime;
  };
  std::vector<Entry> agents;
  std::vector<std::string> stale;
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  while (sftp_attributes attrs = sftp_readdir(sftp, listing)) {
    std::string name = attrs->name ? attrs->name : "";
    std::string path = dir + "/" + name;
    std::uint64_t mtime = std::max<std::uint64_t>(attrs->mtime64, attrs->mtime);  // v3 sets mtime
    if (name.rfind("nictune-agent-", 0) == 0 && path != keep) {
      if (name.find(".part-") != std::string::npos) {
        if (mtime + 3600 < now) stale.push_back(path);
      } else {
        agents.push_back({path, mtime});
      }
    }
    sftp_attributes_free(attrs);
  }
  sftp_closedir(listing);
  std::sort(agents.begin(), agents.end(),
            [](const Entry& a, const Entry& b) { return a.mtime > b.mtime; });
  for (std::size_t i = 2; i < agents.size(); ++i) stale.push_back(agents[i].path);
  for (const auto& path : stale) {
    if (sftp_unlink(sftp, path.c_str()) == SSH_OK) log("removed " + path + " from the agent cache");
  }
}

}  // namespace nictune
