// SshTransport, part 1: the SSH session. Connecting with the spec's options only, checking the
// host key strictly against known_hosts (with messages that say how to accept or fix it), key
// authentication, and the socket's keep-alive settings.
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "orchestrator/transport/ssh_detail.hpp"
#include "orchestrator/transport/ssh_transport.hpp"
#include "orchestrator/transport/text.hpp"

namespace nictune {
namespace {

using ssh_detail::Clock;
using ssh_detail::trim;

std::string home_dir() {
  const char* home = getenv("HOME");
  return home && *home ? home : "/root";
}

// Never prompt for a passphrase on the terminal: encrypted keys belong in ssh-agent.
int refuse_passphrase(const char*, char*, size_t, int, int, void*) {
  return -1;
}

std::string shell_single_quoted(const std::string& text) {
  return transport_text::shell_quote(text);
}

}  // namespace

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

std::string SshTransport::known_hosts_path() const {
  return spec_.known_hosts.empty() ? home_dir() + "/.ssh/known_hosts" : spec_.known_hosts;
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

}  // namespace nictune
