// AF_PACKET sockets: open (filter attached before bind, so no unfiltered frame is ever queued), send,
// batched non-blocking receive with link-layer metadata, multicast membership and kernel statistics.
#include "common.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace dgramplus {
namespace {

// Largest frame read at once: the largest IPv4/IPv6 packet plus a link header.
constexpr size_t kMaxFrame = 65536 + 64;
// Ints of metadata per received frame; the TypeScript reader uses the same layout.
constexpr int kMetaInts = 8;

void AttachFilter(Napi::Env env, int fd, const Bytes& prog) {
  if (prog.length == 0 || prog.length % sizeof(sock_filter) != 0) throw Napi::TypeError::New(env, "bad BPF program length");
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(prog.length / sizeof(sock_filter));
  fprog.filter = reinterpret_cast<sock_filter*>(const_cast<uint8_t*>(prog.data));
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) != 0) ThrowSys(env, errno, "setsockopt(SO_ATTACH_FILTER)");
}

// packetOpen(ifindex, protocol, filter: Uint8Array | null, ignoreOutgoing) → fd
Napi::Value PacketOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ifindex = IntArg(info, 0);
  int protocol = IntArg(info, 1);
  bool hasFilter = info.Length() > 2 && info[2].IsTypedArray();
  Bytes filter = hasFilter ? BytesArg(info, 2) : Bytes{};
  bool ignoreOutgoing = BoolArg(info, 3);
  // Protocol 0 at creation: the socket receives nothing until bind, by which time the filter is in place.
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowSys(env, errno, "socket(AF_PACKET)");
  try {
    if (hasFilter) AttachFilter(env, fd, filter);
    if (ignoreOutgoing) {
      int one = 1;
      if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0) ThrowSys(env, errno, "setsockopt(PACKET_IGNORE_OUTGOING)");
    }
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(static_cast<uint16_t>(protocol));
    sll.sll_ifindex = ifindex;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0) ThrowSys(env, errno, "bind(AF_PACKET)");
  } catch (...) {
    close(fd);
    throw;
  }
  return Napi::Number::New(env, fd);
}

// packetSetFilter(fd, filter: Uint8Array | null)
Napi::Value PacketSetFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  if (info.Length() > 1 && info[1].IsTypedArray()) {
    AttachFilter(env, fd, BytesArg(info, 1));
  } else {
    int zero = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &zero, sizeof(zero)) != 0 && errno != ENOENT) ThrowSys(env, errno, "setsockopt(SO_DETACH_FILTER)");
  }
  return env.Undefined();
}

// packetMembership(fd, ifindex, type: 0 multicast | 1 promisc | 2 allmulti, mac: Uint8Array, add)
Napi::Value PacketMembership(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  int ifindex = IntArg(info, 1);
  int type = IntArg(info, 2);
  Bytes mac = BytesArg(info, 3);
  bool add = BoolArg(info, 4);
  packet_mreq mreq{};
  mreq.mr_ifindex = ifindex;
  mreq.mr_type = type == 1 ? PACKET_MR_PROMISC : type == 2 ? PACKET_MR_ALLMULTI : PACKET_MR_MULTICAST;
  if (type == 0) {
    if (mac.length != 6) throw Napi::TypeError::New(env, "expected a 6-byte MAC");
    mreq.mr_alen = 6;
    std::memcpy(mreq.mr_address, mac.data, 6);
  }
  int opt = add ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP;
  if (setsockopt(fd, SOL_PACKET, opt, &mreq, sizeof(mreq)) != 0)
    ThrowSys(env, errno, add ? "setsockopt(PACKET_ADD_MEMBERSHIP)" : "setsockopt(PACKET_DROP_MEMBERSHIP)");
  return env.Undefined();
}

// packetSend(fd, ifindex, protocol, frame) → bytes sent. The frame carries its own Ethernet header; the
// destination in sockaddr_ll is its first six bytes.
Napi::Value PacketSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  int ifindex = IntArg(info, 1);
  int protocol = IntArg(info, 2);
  Bytes frame = BytesArg(info, 3);
  if (frame.length < 14) throw Napi::TypeError::New(env, "frame shorter than an Ethernet header");
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  sll.sll_protocol = htons(static_cast<uint16_t>(protocol));
  sll.sll_halen = 6;
  std::memcpy(sll.sll_addr, frame.data, 6);
  ssize_t n;
  do {
    n = sendto(fd, frame.data, frame.length, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&sll), sizeof(sll));
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowSys(env, errno, "sendto(AF_PACKET)");
  return Napi::Number::New(env, static_cast<double>(n));
}

// Receive slots for recvmmsg, one per frame of a batch, reused across calls on this thread. Only the
// pages frames are written to become resident, so the reservation costs address space, not memory.
thread_local std::unique_ptr<uint8_t[]> tSlots;
thread_local std::vector<mmsghdr> tMsgs;
thread_local std::vector<iovec> tIovs;
thread_local std::vector<sockaddr_ll> tAddrs;

// packetRecv(fd, maxFrames) → undefined when nothing is waiting, else [data, meta, errno]: data holds the
// frames back to back; meta has kMetaInts ints per frame (offset, captured length, original length,
// ifindex, packet type, ethertype, source MAC bytes 0-2, bytes 3-5); errno is a receive error met after
// some frames were read (0 if none), reported on the next call otherwise. One recvmmsg call reads up to
// maxFrames frames.
Napi::Value PacketRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  int maxFrames = IntArg(info, 1);
  if (maxFrames < 1) maxFrames = 1;
  size_t n = static_cast<size_t>(maxFrames);
  if (tMsgs.size() < n) {
    tSlots.reset(new uint8_t[n * kMaxFrame]);  // uninitialised: untouched pages stay unallocated
    tMsgs.resize(n);
    tIovs.resize(n);
    tAddrs.resize(n);
  }
  for (size_t i = 0; i < n; i++) {
    tIovs[i].iov_base = tSlots.get() + i * kMaxFrame;
    tIovs[i].iov_len = kMaxFrame;
    std::memset(&tMsgs[i], 0, sizeof(mmsghdr));
    tMsgs[i].msg_hdr.msg_iov = &tIovs[i];
    tMsgs[i].msg_hdr.msg_iovlen = 1;
    tMsgs[i].msg_hdr.msg_name = &tAddrs[i];
    tMsgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_ll);
  }
  int got;
  do {
    got = recvmmsg(fd, tMsgs.data(), static_cast<unsigned>(n), MSG_DONTWAIT | MSG_TRUNC, nullptr);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Undefined();
    ThrowSys(env, errno, "recvmmsg(AF_PACKET)");
  }
  if (got == 0) return env.Undefined();
  size_t total = 0;
  for (int i = 0; i < got; i++) total += tMsgs[i].msg_len > kMaxFrame ? kMaxFrame : tMsgs[i].msg_len;
  Napi::Buffer<uint8_t> data = Napi::Buffer<uint8_t>::New(env, total);
  Napi::Int32Array meta = Napi::Int32Array::New(env, static_cast<size_t>(got) * kMetaInts);
  int32_t* m = meta.Data();
  size_t used = 0;
  for (int i = 0; i < got; i++) {
    size_t caplen = tMsgs[i].msg_len > kMaxFrame ? kMaxFrame : tMsgs[i].msg_len;
    std::memcpy(data.Data() + used, tSlots.get() + static_cast<size_t>(i) * kMaxFrame, caplen);
    const sockaddr_ll& sll = tAddrs[i];
    const uint8_t* a = sll.sll_addr;
    bool mac = sll.sll_halen == 6;
    int32_t* row = m + static_cast<size_t>(i) * kMetaInts;
    row[0] = static_cast<int32_t>(used);
    row[1] = static_cast<int32_t>(caplen);
    row[2] = static_cast<int32_t>(tMsgs[i].msg_len);
    row[3] = sll.sll_ifindex;
    row[4] = sll.sll_pkttype;
    row[5] = ntohs(sll.sll_protocol);
    row[6] = mac ? (a[0] << 16) | (a[1] << 8) | a[2] : 0;
    row[7] = mac ? (a[3] << 16) | (a[4] << 8) | a[5] : 0;
    used += caplen;
  }
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, data);
  out.Set(1u, meta);
  // recvmmsg reports an error met after the first frame on the next call, so none is pending here.
  out.Set(2u, Napi::Number::New(env, 0));
  return out;
}

// packetStats(fd) → [packets, drops] since the previous call (the kernel resets the counters on read).
Napi::Value PacketStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  tpacket_stats st{};
  socklen_t len = sizeof(st);
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) ThrowSys(env, errno, "getsockopt(PACKET_STATISTICS)");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, st.tp_packets));
  out.Set(1u, Napi::Number::New(env, st.tp_drops));
  return out;
}

}  // namespace

void InitPacket(Napi::Env env, Napi::Object exports) {
  exports.Set("packetOpen", Napi::Function::New(env, PacketOpen, "packetOpen"));
  exports.Set("packetSetFilter", Napi::Function::New(env, PacketSetFilter, "packetSetFilter"));
  exports.Set("packetMembership", Napi::Function::New(env, PacketMembership, "packetMembership"));
  exports.Set("packetSend", Napi::Function::New(env, PacketSend, "packetSend"));
  exports.Set("packetRecv", Napi::Function::New(env, PacketRecv, "packetRecv"));
  exports.Set("packetStats", Napi::Function::New(env, PacketStats, "packetStats"));
}

}  // namespace dgramplus
