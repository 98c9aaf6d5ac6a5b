#include "reports/export_shell.hpp"

#include "reports/export_commands.hpp"

namespace nictune::report {

std::string shell_functions() {
  return R"SH(: "${NICTUNE_SYSFS:=/sys}"
: "${NICTUNE_PROCFS:=/proc}"

# IFACE from a name, mac=aa:bb:.. or pci=0000:3b:00.0. A MAC that a VLAN or bond shares with
# its device picks the one with a bus device.
nictune_find_iface() {
  IFACE=
  case "$1" in
    mac=*) _want=$(printf '%s' "${1#mac=}" | tr 'A-F' 'a-f') ;;
    pci=*) _want=${1#pci=} ;;
    '' | -* | *[!A-Za-z0-9_.:@-]*)
      echo "$0: not an interface name: $1" >&2
      exit 2
      ;;
    *)
      if [ ! -e "$NICTUNE_SYSFS/class/net/$1" ]; then
        echo "$0: no network interface $1 here" >&2
        exit 2
      fi
      IFACE=$1
      return 0
      ;;
  esac
  for _dev in "$NICTUNE_SYSFS"/class/net/*; do
    [ -e "$_dev" ] || continue
    case "$1" in
      mac=*) [ "$(cat "$_dev/address" 2>/dev/null)" = "$_want" ] || continue ;;
      *)
        _path=$(cd -P "$_dev/device" 2>/dev/null && pwd -P) || continue
        case "$_path/" in */"$_want"/*) ;; *) continue ;; esac
        ;;
    esac
    if [ -n "$IFACE" ]; then
      if [ -e "$_dev/device" ] && [ ! -e "$NICTUNE_SYSFS/class/net/$IFACE/device" ]; then
        IFACE=${_dev##*/}
        continue
      fi
      [ -e "$NICTUNE_SYSFS/class/net/$IFACE/device" ] && [ ! -e "$_dev/device" ] && continue
      echo "$0: $1 matches both $IFACE and ${_dev##*/}; name the interface instead" >&2
      exit 2
    fi
    IFACE=${_dev##*/}
  done
  if [ -z "$IFACE" ]; then
    echo "$0: no network interface with $1 here" >&2
    exit 2
  fi
}

nictune_driver() {
  _path=$(cd -P "$NICTUNE_SYSFS/class/net/$IFACE/device/driver" 2>/dev/null && pwd -P) || return 0
  printf '%s\n' "${_path##*/}"
}

# Sets _queue and _direction (rx, tx, rxtx) from an IRQ action name, or _queue= for vectors that
# serve no queue (config, async, link, mailbox, ...). _strip: the names removed first.
nictune_classify_irq() {
  _base=${1%%@*}
  for _s in $_strip; do
    while :; do
      case "$_base" in
        *"$_s"*) _base=${_base%%"$_s"*}${_base#*"$_s"} ;;
        *) break ;;
      esac
    done
  done
  _queue=
  _text=$(printf '%s' "$_base" | tr 'A-Z' 'a-z')
  case "$_text" in
    *config* | *async* | *mgmnt* | *mgmt* | *ctrl* | *other* | *misc* | *event* | *link* | \
      *lsc* | *cmd* | *mbx* | *mailbox* | *admin* | *err*) return 0 ;;
  esac
  _digits=${_text##*[!0-9]}
  [ -n "$_digits" ] && [ ${#_digits} -le 6 ] || return 0
  while :; do
    case "$_digits" in
      0?*) _digits=${_digits#0} ;;
      *) break ;;
    esac
  done
  _queue=$_digits
  _rx=0
  _tx=0
  case "$_text" in *rx* | *input*) _rx=1 ;; esac
  case "$_text" in *tx* | *output*) _tx=1 ;; esac
  if [ "$_rx" = "$_tx" ]; then
    _direction=rxtx
  elif [ "$_rx" = 1 ]; then
    _direction=rx
  else
    _direction=tx
  fi
}

# The IRQ numbers of $IFACE serving queue $1 in direction $2 (rx, tx, rxtx), one per line; when
# the target's driver splits or joins vectors differently (rx-0/tx-0 here, TxRx-0 there), every
# IRQ of that queue, as the agent itself places all of a queue's IRQs together.
nictune_queue_irqs() {
  _want_queue=$1
  _want_direction=$2
  _dev=$NICTUNE_SYSFS/class/net/$IFACE/device
  _devpath=$(cd -P "$_dev" 2>/dev/null && pwd -P) || return 0
  _virtio=${_devpath##*/}
  case "$_virtio" in virtio*) ;; *) _virtio= ;; esac
  _msi=
  _owners="$IFACE $_virtio ${_devpath##*/}"
  if [ -d "$_dev/msi_irqs" ]; then
    _msi=$_dev/msi_irqs
  elif [ -d "$_dev/../msi_irqs" ]; then
    _msi=$_dev/../msi_irqs
  fi
  _strip="$IFACE $_virtio"
  _exact=
  _any=
  while read -r _first _rest; do
    _irq=${_first%:}
    case "$_irq" in '' | *[!0-9]*) continue ;; esac
    _name=${_rest##*[ 	]}
    if [ -n "$_msi" ]; then
      [ -e "$_msi/$_irq" ] || continue
    else
      _mine=
      for _o in $_owners; do
        case "$_name" in
          "$_o" | "$_o"-* | "$_o"@* | *-"$_o"-* | *-"$_o" | *@"$_o"*) _mine=1 ;;
        esac
      done
      [ -n "$_mine" ] || continue
    fi
    nictune_classify_irq "$_name"
    [ "$_queue" = "$_want_queue" ] || continue
    _any="$_any $_irq"
    [ "$_direction" = "$_want_direction" ] && _exact="$_exact $_irq"
  done <"$NICTUNE_PROCFS/interrupts"
  for _irq in ${_exact:-$_any}; do echo "$_irq"; done
  return 0
}

nictune_irq_affinity() {
  _irqs=$(nictune_queue_irqs "$1" "$2")
  if [ -z "$_irqs" ]; then
    echo "$0: no IRQ of $IFACE serves queue $1 ($2) here" >&2
    return 1
  fi
  for _i in $_irqs; do
    echo "  IRQ $_i (queue $1 $2) -> CPUs $3"
    echo "$3" >"$NICTUNE_PROCFS/irq/$_i/smp_affinity_list" || return 1
  done
}
)SH";
}

namespace {

std::string default_argument(const ExportInput& in) {
  switch (in.match) {
    case MatchBy::kName:
      return "";
    case MatchBy::kMac:
      return "mac=" + in.nic.mac;
    case MatchBy::kPci:
      return "pci=" + in.nic.bus_info;
  }
  return "";
}

}  // namespace

std::string irq_number_warning(const std::vector<ExportCommand>& commands) {
  for (const auto& c : commands) {
    if (c.kind == CommandKind::kIrqNumber) {
      return "#\n# WARNING: the probe recorded no queue for some IRQs (an older nictune): their "
             "lines name the\n# IRQ numbers as measured, which differ on another boot or host. "
             "Check them first.\n";
    }
  }
  return "";
}

std::string shell_usage_comment(const ExportInput& in, const std::string& script_name) {
  std::string s =
      "# Usage: sh " + script_name + " IFACE   (or IFACE=eth1 sh ..., or mac=" +
      (in.nic.mac.empty() ? std::string("aa:bb:cc:dd:ee:ff") : in.nic.mac) +
      ", or pci=" + (in.nic.bus_info.empty() ? std::string("0000:3b:00.0") : in.nic.bus_info) +
      ")\n";
  if (auto d = default_argument(in); !d.empty())
    s += "# Without an argument it tunes the interface with " + d + ".\n";
  return s;
}

std::string shell_select_interface(const ExportInput& in) {
  const std::string fallback = default_argument(in);
  std::string s = "nictune_find_iface \"${1:-${IFACE:-" + fallback + "}}\"\n";
  if (fallback.empty()) {
    // Keep the message the user sees for a missing argument a usage line, not "not a name".
    s = "if [ -z \"${1:-${IFACE:-}}\" ]; then\n"
        "  echo \"usage: $0 IFACE|mac=MAC|pci=ADDRESS" +
        (in.nic.name.empty() ? std::string() : "  (measured on " + in.nic.name + ")") +
        "\" >&2\n  exit 2\nfi\n" + s;
  }
  if (!in.nic.driver.empty()) {
    s += "_driver=$(nictune_driver)\n"
         "if [ -n \"$_driver\" ] && [ \"$_driver\" != " +
         shell_quote(in.nic.driver) +
         " ]; then\n"
         "  echo \"$0: warning: measured on driver " +
         in.nic.driver +
         ", $IFACE has ${_driver:-no driver}: its queue IRQs may be named differently\" >&2\n"
         "fi\n";
  }
  return s;
}

}  // namespace nictune::report
