#include "orchestrator/transport/ssh_transport.hpp"

#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>
#include <thread>

#include "core/text_util.hpp"
#include "core/version.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {
namespace {

using Clock = std::chrono::steady_clock;
using transport_text::duration;
using transport_text::shell_command;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? std::chrono::milliseconds(0) : left;
}

int poll_slice(std::chrono::milliseconds value) {
  return static_cast<int>(std::clamp<long long>(value.count(), 0, 1000));
}

std::string trim(const std::string& text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string home_dir() {
  const char* home = getenv("HOME");
  return home && *home ? home : "/root";
}

// Never prompt for a passphrase on the terminal: encrypted keys belong in ssh-agent.
int refuse_passphrase(const char*, char*, size_t, int, int, void*) {
  return -1;
}

void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                    void* userdata) {
  static_cast<SshTransport*>(userdata)->note_exit_signal(signal ? signal : "?");
}

std::string shell_single_quoted(const std::string& text) {
  return transport_text::shell_quote(text);
}

std::atomic<unsigned> upload_counter{0};

}  // namespace

std::string expected_agent_version_line() {
  return std::string("nictune-agent ") + kVersion + " (protocol " +
         std::to_string(kProtocolVersion) + ")";
}

std::string unknown_host_key_message(const std::string& key_type, const std::string& fingerprint,
                                     const std::string& known_hosts, const std::string& entry) {
  return "host key not known: the host offers " + key_type + " " + fingerprint +
         ", which is not in " + known_hosts +
         "; nothing was trusted. Check that fingerprint on the host (ssh-keygen -lf " +
         "/etc/ssh/ssh_host_" +
         (key_type.rfind("ssh-", 0) == 0 ? key_type.substr(4) : std::string("*")) +
         "_key.pub), then accept it with: echo " + shell_single_quoted(trim(entry)) + " >> " +
         shell_single_quoted(known_hosts);
}

std::string changed_host_key_message(const std::string& key_type, const std::string& fingerprint,
                                     const std::string& known_hosts,
                                     const std::string& host_pattern, const std::string& entry) {
  return "HOST KEY CHANGED: the host now offers " + key_type + " " + fingerprint + ", but " +
         known_hosts + " holds a different key for " + host_pattern +
         "; someone may be intercepting the connection, or the host was reinstalled. Refused. If "
         "the "
         "change is expected, check the fingerprint on the host, remove the old key with: "
         "ssh-keygen -R " +
         shell_single_quoted(host_pattern) + " -f " + shell_single_quoted(known_hosts) +
         ", then accept the new one with: echo " + shell_single_quoted(trim(entry)) + " >> " +
         shell_single_quoted(known_hosts);
}

SshTransport::SshTransport(const HostSpec& spec, const TransportOptions& options)
    : spec_(spec), options_(options) {
  try {
    connect();
    std::string path = find_or_upload_agent();
    start_agent(path);
    keepalive_thread_ = std::thread([this] { keepalive_loop(); });
  } catch (...) {
    release();
    throw;
  }
}

SshTransport::~SshTransport() {
  try {
    close();
  } catch (...) {
    // close() is bounded; a destructor must not throw.
  }
}

std::string SshTransport::describe() const {
  return "ssh " + spec_.user + "@" + spec_.host + ":" + std::to_string(spec_.port);
}

std::string SshTransport::stderr_tail() const {
  std::lock_guard lock(mutex_);
  return stderr_;
}

void SshTransport::keepalive_loop() {
  std::unique_lock lock(mutex_);
  while (!keepalive_stop_) {
    keepalive_cv_.wait_for(lock, options_.keepalive_interval, [this] { return keepalive_stop_; });
    if (keepalive_stop_ || lost_ || closed_ || !channel_) break;
    auto now = Clock::now();
    if (now < last_traffic_ + options_.keepalive_interval) continue;
    // Handles whatever arrived (the server's own keep-alive probes get their answer) and
    // leaves agent output in libssh's buffer for the next receive_line.
    if (ssh_channel_poll_timeout(channel_, 0, 0) == SSH_ERROR ||
        ssh_send_ignore(session_, "nictune keep-alive") != SSH_OK) {
      lost_ = !ssh_is_connected(session_);
      if (lost_) break;
    }
    drain_stderr();
    last_traffic_ = now;
  }
}

void SshTransport::stop_keepalive() {
  {
    std::lock_guard lock(mutex_);
    keepalive_stop_ = true;
  }
  keepalive_cv_.notify_all();
  if (keepalive_thread_.joinable()) keepalive_thread_.join();
}

std::string SshTransport::known_hosts_path() const {
  return spec_.known_hosts.empty() ? home_dir() + "/.ssh/known_hosts" : spec_.known_hosts;
}

void SshTransport::log(const std::string& message) const {
  if (options_.log) options_.log(label() + ": " + message);
}

void SshTransport::connect() {
  if (spec_.host.empty()) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": no host to connect to (hosts.<role>.host)");
  }
  session_ = ssh_new();
  if (!session_)
    throw TransportError(TransportErrorKind::kUnreachable, label() + ": ssh_new failed");
  session_callbacks_ = new ssh_callbacks_struct{};
  ssh_callbacks_init(session_callbacks_);
  session_callbacks_->auth_function = refuse_passphrase;
  ssh_set_callbacks(session_, session_callbacks_);

  // The spec is the whole truth about how to reach a host: ~/.ssh/config is not consulted, and
  // only key authentication is offered.
  int port = spec_.port;
  long timeout = spec_.connect_timeout_s > 0 ? spec_.connect_timeout_s : 10;
  int no = 0, yes = 1;
  bool process_config = false;
  std::string known_hosts = known_hosts_path();
  ssh_options_set(session_, SSH_OPTIONS_HOST, spec_.host.c_str());
  ssh_options_set(session_, SSH_OPTIONS_PORT, &port);
  ssh_options_set(session_, SSH_OPTIONS_USER, spec_.user.c_str());
  ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &timeout);
  ssh_options_set(session_, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
  ssh_options_set(session_, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
  ssh_options_set(session_, SSH_OPTIONS_PASSWORD_AUTH, &no);
  ssh_options_set(session_, SSH_OPTIONS_KBDINT_AUTH, &no);
  ssh_options_set(session_, SSH_OPTIONS_GSSAPI_AUTH, &no);
  ssh_options_set(session_, SSH_OPTIONS_NODELAY, &yes);

  if (ssh_connect(session_) != SSH_OK) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": cannot connect: " + ssh_get_error(session_));
  }
  verify_host_key();
  authenticate();
  configure_socket();
  last_traffic_ = Clock::now();
}

void SshTransport::verify_host_key() {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(session_, &key) != SSH_OK) {
    throw TransportError(
        TransportErrorKind::kHostKey,
        label() + ": the host sent no usable host key: " + ssh_get_error(session_));
  }
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  std::string fingerprint = "SHA256:?";
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == SSH_OK) {
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
    if (text) {
      fingerprint = text;
      ssh_string_free_char(text);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  const char* type_name = ssh_key_type_to_char(ssh_key_type(key));
  std::string key_type = type_name ? type_name : "unknown";
  ssh_key_free(key);

  enum ssh_known_hosts_e state = ssh_session_is_known_server(session_);
  if (state == SSH_KNOWN_HOSTS_OK) return;

  char* entry_text = nullptr;
  std::string entry;
  if (ssh_session_export_known_hosts_entry(session_, &entry_text) == SSH_OK && entry_text) {
    entry = entry_text;
    ssh_string_free_char(entry_text);
  }
  std::string host_pattern =
      spec_.port == 22 ? spec_.host : "[" + spec_.host + "]:" + std::to_string(spec_.port);
  std::string known_hosts = known_hosts_path();
  switch (state) {
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      throw TransportError(
          TransportErrorKind::kHostKey,
          label() + ": " +
              changed_host_key_message(key_type, fingerprint, known_hosts, host_pattern, entry));
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (options_.accept_new_host_keys) {
        if (ssh_session_update_known_hosts(session_) != SSH_OK) {
          throw TransportError(TransportErrorKind::kHostKey,
                               label() + ": cannot add the host key to " + known_hosts + ": " +
                                   ssh_get_error(session_));
        }
        log("accepted new host key " + key_type + " " + fingerprint + " into " + known_hosts +
            " (accept-new)");
        return;
      }
      throw TransportError(
          TransportErrorKind::kHostKey,
          label() + ": " + unknown_host_key_message(key_type, fingerprint, known_hosts, entry));
    default:
      throw TransportError(TransportErrorKind::kHostKey,
                           label() + ": cannot check the host key against " + known_hosts + ": " +
                               ssh_get_error(session_));
  }
}

void SshTransport::authenticate() {
  int rc;
  std::string with;
  if (!spec_.identity_file.empty()) {
    with = "identity file " + spec_.identity_file;
    if (::access(spec_.identity_file.c_str(), R_OK) != 0) {
      throw TransportError(
          TransportErrorKind::kAuth,
          label() + ": cannot read identity file " + spec_.identity_file + ": " + strerror(errno));
    }
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(spec_.identity_file.c_str(), nullptr, refuse_passphrase,
                                    nullptr, &key) != SSH_OK) {
      throw TransportError(
          TransportErrorKind::kAuth,
          label() + ": cannot load identity file " + spec_.identity_file +
              " (not a private key, or encrypted: load encrypted keys into ssh-agent "
              "with `ssh-add` and leave identity_file empty)");
    }
    rc = ssh_userauth_publickey(session_, nullptr, key);
    ssh_key_free(key);
  } else {
    with = getenv("SSH_AUTH_SOCK")
               ? "ssh-agent or the default keys in ~/.ssh"
               : "the default keys in ~/.ssh (no ssh-agent: SSH_AUTH_SOCK is unset)";
    rc = ssh_userauth_publickey_auto(session_, nullptr, nullptr);
  }
  if (rc == SSH_AUTH_SUCCESS) return;
  if (rc == SSH_AUTH_ERROR && !ssh_is_connected(session_)) throw_lost("authentication");
  std::string detail = rc == SSH_AUTH_ERROR ? std::string(": ") + ssh_get_error(session_) : "";
  throw TransportError(TransportErrorKind::kAuth, label() + ": key authentication refused for " +
                                                      spec_.user + " with " + with + detail +
                                                      " (is the public key in ~" + spec_.user +
                                                      "/.ssh/authorized_keys on the host?"
                                                      " passwords are never used)");
}

void SshTransport::configure_socket() {
  int fd = ssh_get_fd(session_);
  if (fd < 0) return;
  // libssh has no ServerAliveInterval: we send keep-alives ourselves while waiting, and
  // TCP_USER_TIMEOUT turns "nothing acknowledged for 3 intervals" into a dead connection
  // instead of minutes of retransmissions.
  auto interval = options_.keepalive_interval;
  unsigned user_timeout = static_cast<unsigned>(std::max<long long>(3 * interval.count(), 3000));
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
  int on = 1;
  int idle = static_cast<int>(std::max<long long>(interval.count() / 1000, 1));
  int count = 3;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  // Helpers we start later (the local transport's children) must not inherit this socket.
  fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

void SshTransport::throw_lost(const std::string& during) {
  lost_ = true;
  std::string why = session_ ? ssh_get_error(session_) : "";
  if (why.empty()) why = "the connection closed";
  throw TransportError(TransportErrorKind::kUnreachable,
                       label() + ": connection lost during " + during + ": " + why);
}

SshTransport::ExecResult SshTransport::exec(const std::string& command) {
  ExecResult result;
  ssh_channel channel = ssh_channel_new(session_);
  if (!channel) throw_lost("`" + command + "`");
  struct Free {
    ssh_channel c;
    ~Free() {
      ssh_channel_close(c);
      ssh_channel_free(c);
    }
  } free_channel{channel};
  if (ssh_channel_open_session(channel) != SSH_OK ||
      ssh_channel_request_exec(channel, command.c_str()) != SSH_OK) {
    if (!ssh_is_connected(session_)) throw_lost("`" + command + "`");
    throw TransportError(TransportErrorKind::kProtocol,
                         label() + ": cannot run `" + command + "`: " + ssh_get_error(session_));
  }
  ssh_channel_send_eof(channel);
  auto deadline = Clock::now() + options_.command_timeout;
  char chunk[16384];
  while (true) {
    int n;
    while ((n = ssh_channel_read_nonblocking(channel, chunk, sizeof chunk, 1)) > 0) {
      transport_text::append_tail(result.err, chunk, static_cast<std::size_t>(n), 65536);
    }
    int available = ssh_channel_poll_timeout(channel, poll_slice(left_until(deadline)), 0);
    if (available == SSH_ERROR) throw_lost("`" + command + "`");
    if (available == SSH_EOF) break;
    if (available > 0) {
      n = ssh_channel_read_nonblocking(channel, chunk, sizeof chunk, 0);
      if (n > 0) transport_text::append_tail(result.out, chunk, static_cast<std::size_t>(n), 65536);
      continue;
    }
    if (Clock::now() >= deadline) {
      throw TransportError(TransportErrorKind::kTimeout, label() + ": `" + command +
                                                             "` did not finish within " +
                                                             duration(options_.command_timeout));
    }
  }
  int n;
  while ((n = ssh_channel_read_nonblocking(channel, chunk, sizeof chunk, 1)) > 0) {
    transport_text::append_tail(result.err, chunk, static_cast<std::size_t>(n), 65536);
  }
  result.exit_status = ssh_channel_get_exit_status(channel);
  return result;
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

void SshTransport::start_agent(const std::string& path) {
  std::vector<std::string> agent = {path};
  agent.insert(agent.end(), options_.agent_args.begin(), options_.agent_args.end());
  // sshd forwards signal requests only for privilege-separated sessions, never for root logins,
  // so close() kills a stuck agent by PID over another channel. The shell says the PID and
  // then becomes the agent.
  std::vector<std::string> argv;
  if (spec_.sudo) argv = {"sudo", "-n"};
  argv.insert(argv.end(),
              {"sh", "-c", "echo nictune-agent-pid $$ && exec " + shell_command(agent)});
  agent_command_ = shell_command(argv);

  channel_ = ssh_channel_new(session_);
  if (!channel_) throw_lost("starting the agent");
  channel_callbacks_ = new ssh_channel_callbacks_struct{};
  ssh_callbacks_init(channel_callbacks_);
  channel_callbacks_->userdata = this;
  channel_callbacks_->channel_exit_signal_function = on_exit_signal;
  ssh_set_channel_callbacks(channel_, channel_callbacks_);
  if (ssh_channel_open_session(channel_) != SSH_OK ||
      ssh_channel_request_exec(channel_, agent_command_.c_str()) != SSH_OK) {
    if (!ssh_is_connected(session_)) throw_lost("starting the agent");
    throw TransportError(
        TransportErrorKind::kProtocol,
        label() + ": cannot start `" + agent_command_ + "`: " + ssh_get_error(session_));
  }
  last_traffic_ = Clock::now();
  std::string first = receive_line_locked(options_.command_timeout);
  const std::string tag = "nictune-agent-pid ";
  if (first.rfind(tag, 0) != 0 || (remote_pid_ = std::atol(first.c_str() + tag.size())) <= 0) {
    throw TransportError(TransportErrorKind::kProtocol,
                         label() + ": `" + agent_command_ + "` started with \"" +
                             first.substr(0, 120) + "\" instead of its PID");
  }
}

void SshTransport::signal_agent(const std::string& signal) {
  if (remote_pid_ <= 0 || lost_) return;
  std::vector<std::string> argv;
  if (spec_.sudo) argv = {"sudo", "-n"};
  argv.insert(argv.end(), {"kill", "-" + signal, std::to_string(remote_pid_)});
  try {
    exec(shell_command(argv));
  } catch (const TransportError&) {
    lost_ = !ssh_is_connected(session_);
  }
}

void SshTransport::drain_stderr() {
  char chunk[8192];
  int n;
  while (channel_ && (n = ssh_channel_read_nonblocking(channel_, chunk, sizeof chunk, 1)) > 0) {
    transport_text::append_tail(stderr_, chunk, static_cast<std::size_t>(n));
  }
}

void SshTransport::throw_ended() {
  drain_stderr();
  int status = ssh_channel_get_exit_status(channel_);
  drain_stderr();
  std::string what;
  if (!exit_signal_.empty()) {
    what = "the agent was killed by signal " + exit_signal_;
  } else if (status >= 0) {
    what = "the agent exited with status " + std::to_string(status);
    if (status == 127) what += " (not found)";
  } else {
    what = "the agent's output ended";
  }
  std::string message = label() + ": " + what;
  std::string last = transport_text::last_lines(stderr_);
  if (!last.empty()) message += "; its stderr: " + last;
  throw TransportError(TransportErrorKind::kAgentCrash, message);
}

void SshTransport::throw_if_unusable() {
  if (closed_ || !channel_)
    throw TransportError(TransportErrorKind::kProtocol, label() + ": used after close");
  if (lost_) {
    throw TransportError(TransportErrorKind::kUnreachable,
                         label() + ": the connection was lost earlier");
  }
}

void SshTransport::send_line(const std::string& line) {
  std::lock_guard lock(mutex_);
  throw_if_unusable();
  std::string data = line + "\n";
  std::size_t done = 0;
  while (done < data.size()) {
    auto piece = static_cast<uint32_t>(std::min<std::size_t>(data.size() - done, 1u << 20));
    int n = ssh_channel_write(channel_, data.data() + done, piece);
    if (n == SSH_ERROR) {
      if (!ssh_is_connected(session_)) throw_lost("a request");
      if (ssh_channel_is_closed(channel_) || ssh_channel_is_eof(channel_)) throw_ended();
      throw TransportError(TransportErrorKind::kTimeout,
                           label() + ": cannot send to the agent: " + ssh_get_error(session_));
    }
    done += static_cast<std::size_t>(n);
  }
  last_traffic_ = Clock::now();
}

std::string SshTransport::receive_line(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  return receive_line_locked(timeout);
}

std::string SshTransport::receive_line_locked(std::chrono::milliseconds timeout) {
  if (auto line = buffer_.next_line()) return *line;
  throw_if_unusable();
  auto deadline = Clock::now() + timeout;
  auto last_keepalive = last_traffic_;
  std::vector<char> chunk(65536);
  while (true) {
    auto until_keepalive = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::max(last_traffic_, last_keepalive) + options_.keepalive_interval - Clock::now());
    auto wait =
        std::min(left_until(deadline), std::max(until_keepalive, std::chrono::milliseconds(0)));
    int available = ssh_channel_poll_timeout(channel_, poll_slice(wait), 0);
    drain_stderr();
    if (available == SSH_ERROR) throw_lost("a call");
    if (available == SSH_EOF) throw_ended();
    if (available > 0) {
      int n = ssh_channel_read_nonblocking(channel_, chunk.data(),
                                           static_cast<uint32_t>(chunk.size()), 0);
      if (n == SSH_ERROR) throw_lost("a call");
      if (n > 0) {
        last_traffic_ = Clock::now();
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
        if (auto line = buffer_.next_line()) return *line;
        if (buffer_.overflowed()) {
          throw TransportError(TransportErrorKind::kProtocol,
                               label() + ": the agent sent a line longer than " +
                                   std::to_string(LineBuffer::kDefaultMaxLine >> 20) + " MiB");
        }
      }
      continue;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      throw TransportError(TransportErrorKind::kTimeout,
                           label() + ": no answer within " + duration(timeout));
    }
    if (now >= std::max(last_traffic_, last_keepalive) + options_.keepalive_interval) {
      if (ssh_send_ignore(session_, "nictune keep-alive") != SSH_OK) throw_lost("a keep-alive");
      last_keepalive = now;
    }
  }
}

bool SshTransport::wait_channel_end(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::vector<char> chunk(65536);
  while (true) {
    int available = ssh_channel_poll_timeout(channel_, poll_slice(left_until(deadline)), 0);
    drain_stderr();
    if (available == SSH_ERROR) {
      lost_ = !ssh_is_connected(session_);
      return true;
    }
    if (available == SSH_EOF) return true;
    if (available > 0) {
      ssh_channel_read_nonblocking(channel_, chunk.data(), static_cast<uint32_t>(chunk.size()), 0);
      continue;
    }
    if (Clock::now() >= deadline) return false;
  }
}

void SshTransport::close() {
  stop_keepalive();
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  if (channel_ && !lost_ && ssh_is_connected(session_)) {
    // End of input: the agent restores and exits. A stuck agent gets TERM, then KILL, and the
    // channel is closed after that whatever happened.
    ssh_channel_send_eof(channel_);
    if (!wait_channel_end(options_.close_grace) && !lost_) {
      signal_agent("TERM");
      if (!wait_channel_end(std::chrono::seconds(3)) && !lost_) {
        signal_agent("KILL");
        wait_channel_end(std::chrono::seconds(2));
      }
    }
  }
  release();
}

void SshTransport::release() {
  if (channel_) {
    if (session_ && !lost_ && ssh_is_connected(session_)) ssh_channel_close(channel_);
    ssh_channel_free(channel_);
    channel_ = nullptr;
  }
  delete channel_callbacks_;
  channel_callbacks_ = nullptr;
  if (session_) {
    if (ssh_is_connected(session_)) ssh_disconnect(session_);
    ssh_free(session_);
    session_ = nullptr;
  }
  delete session_callbacks_;
  session_callbacks_ = nullptr;
}

}  // namespace nictune
