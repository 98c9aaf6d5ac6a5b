#include "agents/knobs/ethtool_netlink.hpp"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "agents/knobs/ethtool.hpp"

namespace nictune::agent {
namespace {

constexpr std::size_t kReplyBuffer = 16384;

// A netlink message under construction: header, generic netlink header, attributes.
class Message {
 public:
  Message(std::uint16_t type, std::uint8_t command) {
    bytes_.resize(NLMSG_ALIGN(sizeof(nlmsghdr)) + NLMSG_ALIGN(sizeof(genlmsghdr)), '\0');
    auto* header = reinterpret_cast<nlmsghdr*>(bytes_.data());
    header->nlmsg_type = type;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    auto* genl = reinterpret_cast<genlmsghdr*>(bytes_.data() + NLMSG_ALIGN(sizeof(nlmsghdr)));
    genl->cmd = command;
    genl->version = 1;
  }
  void put(std::uint16_t type, const void* data, std::size_t size) {
    nlattr attribute{static_cast<std::uint16_t>(NLA_ALIGN(sizeof(nlattr)) + size), type};
    append(&attribute, sizeof attribute);
    append(data, size);
    bytes_.resize(bytes_.size() + (NLA_ALIGN(size) - size), '\0');
  }
  void put_string(std::uint16_t type, const std::string& text) {
    put(type, text.c_str(), text.size() + 1);
  }
  std::size_t begin_nest(std::uint16_t type) {
    std::size_t at = bytes_.size();
    nlattr attribute{0, static_cast<std::uint16_t>(type | NLA_F_NESTED)};
    append(&attribute, sizeof attribute);
    return at;
  }
  void end_nest(std::size_t at) {
    reinterpret_cast<nlattr*>(bytes_.data() + at)->nla_len =
        static_cast<std::uint16_t>(bytes_.size() - at);
  }
  const std::vector<char>& finish(std::uint32_t sequence) {
    auto* header = reinterpret_cast<nlmsghdr*>(bytes_.data());
    header->nlmsg_len = static_cast<std::uint32_t>(bytes_.size());
    header->nlmsg_seq = sequence;
    return bytes_;
  }

 private:
  void append(const void* data, std::size_t size) {
    const char* p = static_cast<const char*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
  }
  std::vector<char> bytes_;
};

class GenericNetlink {
 public:
  GenericNetlink() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC)) {}
  ~GenericNetlink() {
    if (fd_ >= 0) ::close(fd_);
  }
  GenericNetlink(const GenericNetlink&) = delete;
  GenericNetlink& operator=(const GenericNetlink&) = delete;

  // Sends `message` and waits for its acknowledgement. Returns the errno the kernel answered
  // (0: done); `reply` gets the attributes of the first data message, if any.
  int transact(Message& message, std::vector<char>* reply = nullptr) {
    if (fd_ < 0) return errno;
    const auto& bytes = message.finish(++sequence_);
    if (::send(fd_, bytes.data(), bytes.size(), 0) < 0) return errno;
    std::vector<char> buffer(kReplyBuffer);
    for (;;) {
      ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (got < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      // Walked by hand rather than with NLMSG_OK/NLMSG_NEXT, whose int arithmetic trips
      // -Wsign-compare.
      const std::size_t total = static_cast<std::size_t>(got);
      std::size_t offset = 0;
      while (offset + sizeof(nlmsghdr) <= total) {
        nlmsghdr header;
        std::memcpy(&header, buffer.data() + offset, sizeof header);
        if (header.nlmsg_len < sizeof(nlmsghdr) || offset + header.nlmsg_len > total) break;
        const char* payload = buffer.data() + offset + NLMSG_ALIGN(sizeof(nlmsghdr));
        if (header.nlmsg_seq == sequence_) {
          if (header.nlmsg_type == NLMSG_ERROR) {
            nlmsgerr error;
            if (header.nlmsg_len < NLMSG_ALIGN(sizeof(nlmsghdr)) + sizeof error) return EPROTO;
            std::memcpy(&error, payload, sizeof error);
            return -error.error;
          }
          const std::size_t head = NLMSG_ALIGN(sizeof(nlmsghdr)) + NLMSG_ALIGN(sizeof(genlmsghdr));
          if (reply && reply->empty() && header.nlmsg_len > head) {
            reply->assign(buffer.data() + offset + head, buffer.data() + offset + header.nlmsg_len);
          }
        }
        offset += NLMSG_ALIGN(header.nlmsg_len);
      }
    }
  }

  // The family id of "ethtool", or 0 with `error` set.
  std::uint16_t family(const char* name, int& error) {
    Message message(GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
    message.put_string(CTRL_ATTR_FAMILY_NAME, name);
    std::vector<char> reply;
    error = transact(message, &reply);
    if (error) return 0;
    std::size_t at = 0;
    constexpr std::size_t kAttrHead = NLA_ALIGN(sizeof(nlattr));
    while (at + kAttrHead <= reply.size()) {
      nlattr attribute;
      std::memcpy(&attribute, reply.data() + at, sizeof attribute);
      const std::size_t length = attribute.nla_len;
      if (length < kAttrHead || at + length > reply.size()) break;
      if ((attribute.nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
          length >= kAttrHead + sizeof(std::uint16_t)) {
        std::uint16_t id = 0;
        std::memcpy(&id, reply.data() + at + kAttrHead, sizeof id);
        return id;
      }
      at += NLA_ALIGN(length);
    }
    error = EPROTO;
    return 0;
  }

 private:
  int fd_;
  std::uint32_t sequence_ = 0;
};

}  // namespace

const std::vector<CoalesceField>& coalesce_fields() {
  using C = ethtool_coalesce;
  static const std::vector<CoalesceField> fields = {
      {ETHTOOL_A_COALESCE_RX_USECS, &C::rx_coalesce_usecs, false, "rx-usecs"},
      {ETHTOOL_A_COALESCE_RX_MAX_FRAMES, &C::rx_max_coalesced_frames, false, "rx-frames"},
      {ETHTOOL_A_COALESCE_RX_USECS_IRQ, &C::rx_coalesce_usecs_irq, false, "rx-usecs-irq"},
      {ETHTOOL_A_COALESCE_RX_MAX_FRAMES_IRQ, &C::rx_max_coalesced_frames_irq, false,
       "rx-frames-irq"},
      {ETHTOOL_A_COALESCE_TX_USECS, &C::tx_coalesce_usecs, false, "tx-usecs"},
      {ETHTOOL_A_COALESCE_TX_MAX_FRAMES, &C::tx_max_coalesced_frames, false, "tx-frames"},
      {ETHTOOL_A_COALESCE_TX_USECS_IRQ, &C::tx_coalesce_usecs_irq, false, "tx-usecs-irq"},
      {ETHTOOL_A_COALESCE_TX_MAX_FRAMES_IRQ, &C::tx_max_coalesced_frames_irq, false,
       "tx-frames-irq"},
      {ETHTOOL_A_COALESCE_STATS_BLOCK_USECS, &C::stats_block_coalesce_usecs, false,
       "stats-block-usecs"},
      {ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, &C::use_adaptive_rx_coalesce, true, "adaptive-rx"},
      {ETHTOOL_A_COALESCE_USE_ADAPTIVE_TX, &C::use_adaptive_tx_coalesce, true, "adaptive-tx"},
      {ETHTOOL_A_COALESCE_PKT_RATE_LOW, &C::pkt_rate_low, false, "pkt-rate-low"},
      {ETHTOOL_A_COALESCE_RX_USECS_LOW, &C::rx_coalesce_usecs_low, false, "rx-usecs-low"},
      {ETHTOOL_A_COALESCE_RX_MAX_FRAMES_LOW, &C::rx_max_coalesced_frames_low, false,
       "rx-frames-low"},
      {ETHTOOL_A_COALESCE_TX_USECS_LOW, &C::tx_coalesce_usecs_low, false, "tx-usecs-low"},
      {ETHTOOL_A_COALESCE_TX_MAX_FRAMES_LOW, &C::tx_max_coalesced_frames_low, false,
       "tx-frames-low"},
      {ETHTOOL_A_COALESCE_PKT_RATE_HIGH, &C::pkt_rate_high, false, "pkt-rate-high"},
      {ETHTOOL_A_COALESCE_RX_USECS_HIGH, &C::rx_coalesce_usecs_high, false, "rx-usecs-high"},
      {ETHTOOL_A_COALESCE_RX_MAX_FRAMES_HIGH, &C::rx_max_coalesced_frames_high, false,
       "rx-frames-high"},
      {ETHTOOL_A_COALESCE_TX_USECS_HIGH, &C::tx_coalesce_usecs_high, false, "tx-usecs-high"},
      {ETHTOOL_A_COALESCE_TX_MAX_FRAMES_HIGH, &C::tx_max_coalesced_frames_high, false,
       "tx-frames-high"},
      {ETHTOOL_A_COALESCE_RATE_SAMPLE_INTERVAL, &C::rate_sample_interval, false, "sample-interval"},
  };
  return fields;
}

std::uint32_t coalesce_bit(unsigned attribute) {
  return std::uint32_t{1} << (attribute - ETHTOOL_A_COALESCE_RX_USECS);
}

int netlink_coalesce_supported(const std::string& ifname, const ethtool_coalesce& current,
                               std::uint32_t& out) {
  GenericNetlink netlink;
  int error = 0;
  std::uint16_t family = netlink.family(ETHTOOL_GENL_NAME, error);
  if (error) return error == ENOENT ? EOPNOTSUPP : error;
  out = 0;
  for (const auto& field : coalesce_fields()) {
    Message message(family, ETHTOOL_MSG_COALESCE_SET);
    std::size_t nest = message.begin_nest(ETHTOOL_A_COALESCE_HEADER);
    message.put_string(ETHTOOL_A_HEADER_DEV_NAME, ifname);
    message.end_nest(nest);
    // The value the driver reports now: the kernel sees no change and calls no driver op.
    std::uint32_t value = current.*field.member;
    if (field.boolean) {
      std::uint8_t flag = value ? 1 : 0;
      message.put(static_cast<std::uint16_t>(field.attribute), &flag, sizeof flag);
    } else {
      message.put(static_cast<std::uint16_t>(field.attribute), &value, sizeof value);
    }
    int answer = netlink.transact(message);
    if (answer == 0) {
      out |= coalesce_bit(field.attribute);
    } else if (answer != EINVAL) {
      // EOPNOTSUPP: no coalescing at all; EPERM, ENODEV, ...: nothing can be told.
      return answer;
    }
  }
  return 0;
}

}  // namespace nictune::agent
