// IPv4/IPv6 sockets made and tuned before Node owns them: socket, options (TCP_MD5SIG, minimum TTL,
// outgoing TTL, SO_BINDTODEVICE, IP_FREEBIND, …), bind, non-blocking connect, and UDP receive with the
// received TTL / hop limit and destination read from control messages.
#include "common.h"

#include <arpa/inet.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif
#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif

namespace dgramplus {
namespace {

constexpr size_t kMaxDatagram = 65536;
// Ints of metadata per datagram; the TypeScript reader uses the same layout.
constexpr int kUdpMetaInts = 8;
constexpr int kUdpAddrBytes = 32;

// inetSocket(family 4|6, stream) → fd (non-blocking, close-on-exec)
Napi::Value InetSocket(const Napi::CallbackInfo& info) {
  int family = IntArg(info, 0) == 6 ? AF_INET6 : AF_INET;
  int type = BoolArg(info, 1) ? SOCK_STREAM : SOCK_DGRAM;
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) ThrowSys(info.Env(), errno, "socket");
  return Napi::Number::New(info.Env(), fd);
}

// setIntOption(fd, level, name, value, label)
Napi::Value SetIntOption(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  int level = IntArg(info, 1);
  int name = IntArg(info, 2);
  int value = IntArg(info, 3);
  std::string label = info[4].As<Napi::String>().Utf8Value();
  if (setsockopt(fd, level, name, &value, sizeof(value)) != 0) ThrowSys(info.Env(), errno, ("setsockopt(" + label + ")").c_str());
  return info.Env().Undefined();
}

// getIntOption(fd, level, name, label) → value
Napi::Value GetIntOption(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  int level = IntArg(info, 1);
  int name = IntArg(info, 2);
  std::string label = info[3].As<Napi::String>().Utf8Value();
  int value = 0;
  socklen_t len = sizeof(value);
  if (getsockopt(fd, level, name, &value, &len) != 0) ThrowSys(info.Env(), errno, ("getsockopt(" + label + ")").c_str());
  return Napi::Number::New(info.Env(), value);
}

// bindToDevice(fd, name) — an empty name removes the binding.
Napi::Value BindToDevice(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  std::string name = info[1].As<Napi::String>().Utf8Value();
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), static_cast<socklen_t>(name.size())) != 0)
    ThrowSys(info.Env(), errno, "setsockopt(SO_BINDTODEVICE)");
  return info.Env().Undefined();
}

// setMd5Key(fd, family, address, prefixLength (-1: exact address), key (empty: remove), ifindex)
// RFC 2385 keys live in the kernel per peer; TCP_MD5SIG_EXT adds the prefix and interface forms.
Napi::Value SetMd5Key(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  tcp_md5sig sig{};
  sockaddr_storage ss{};
  info.Length();
  // Reuse the address reader with port 0.
  {
    int family = IntArg(info, 1);
    Bytes addr = BytesArg(info, 2);
    if (family == 4 && addr.length == 4) {
      auto* s = reinterpret_cast<sockaddr_in*>(&ss);
      s->sin_family = AF_INET;
      std::memcpy(&s->sin_addr, addr.data, 4);
    } else if (family == 6 && addr.length == 16) {
      auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
      s->sin6_family = AF_INET6;
      std::memcpy(&s->sin6_addr, addr.data, 16);
    } else {
      throw Napi::TypeError::New(env, "bad address");
    }
  }
  std::memcpy(&sig.tcpm_addr, &ss, sizeof(ss));
  int prefix = IntArg(info, 3);
  Bytes key = BytesArg(info, 4);
  int ifindex = IntArg(info, 5);
  if (key.length > TCP_MD5SIG_MAXKEYLEN) throw Napi::TypeError::New(env, "MD5 key longer than 80 bytes");
  sig.tcpm_keylen = static_cast<uint16_t>(key.length);
  std::memcpy(sig.tcpm_key, key.data, key.length);
  int opt = TCP_MD5SIG;
  if (prefix >= 0) {
    opt = TCP_MD5SIG_EXT;
    sig.tcpm_flags |= TCP_MD5SIG_FLAG_PREFIX;
    sig.tcpm_prefixlen = static_cast<uint8_t>(prefix);
  }
  if (ifindex > 0) {
    opt = TCP_MD5SIG_EXT;
    sig.tcpm_flags |= TCP_MD5SIG_FLAG_IFINDEX;
    sig.tcpm_ifindex = ifindex;
  }
  if (setsockopt(fd, IPPROTO_TCP, opt, &sig, sizeof(sig)) != 0)
    ThrowSys(env, errno, opt == TCP_MD5SIG ? "setsockopt(TCP_MD5SIG)" : "setsockopt(TCP_MD5SIG_EXT)");
  return env.Undefined();
}

// bindAddress(fd, family, address, port, scope)
Napi::Value BindAddress(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  sockaddr_storage ss;
  socklen_t len = SockaddrArgs(info, 1, &ss);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) ThrowSys(info.Env(), errno, "bind");
  return info.Env().Undefined();
}

// connectAddress(fd, family, address, port, scope) → true when connected at once, false when in progress.
Napi::Value ConnectAddress(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  sockaddr_storage ss;
  socklen_t len = SockaddrArgs(info, 1, &ss);
  int r;
  do {
    r = connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  } while (r != 0 && errno == EINTR);
  if (r == 0) return Napi::Boolean::New(info.Env(), true);
  if (errno == EINPROGRESS) return Napi::Boolean::New(info.Env(), false);
  ThrowSys(info.Env(), errno, "connect");
}

// listenSocket(fd, backlog)
Napi::Value ListenSocket(const Napi::CallbackInfo& info) {
  if (listen(IntArg(info, 0), IntArg(info, 1)) != 0) ThrowSys(info.Env(), errno, "listen");
  return info.Env().Undefined();
}

Napi::Array AddressArray(Napi::Env env, const sockaddr_storage& ss) {
  Napi::Array out = Napi::Array::New(env, 3);
  if (ss.ss_family == AF_INET6) {
    auto* s = reinterpret_cast<const sockaddr_in6*>(&ss);
    out.Set(0u, Napi::Number::New(env, 6));
    out.Set(1u, Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&s->sin6_addr), 16));
    out.Set(2u, Napi::Number::New(env, ntohs(s->sin6_port)));
  } else {
    auto* s = reinterpret_cast<const sockaddr_in*>(&ss);
    out.Set(0u, Napi::Number::New(env, 4));
    out.Set(1u, Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&s->sin_addr), 4));
    out.Set(2u, Napi::Number::New(env, ntohs(s->sin_port)));
  }
  return out;
}

// socketName(fd) → [family, address bytes, port]
Napi::Value SocketName(const Napi::CallbackInfo& info) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getsockname(IntArg(info, 0), reinterpret_cast<sockaddr*>(&ss), &len) != 0) ThrowSys(info.Env(), errno, "getsockname");
  return AddressArray(info.Env(), ss);
}

thread_local std::vector<uint8_t> tUdpArena;

// udpRecv(fd, maxDatagrams) → undefined when nothing waits, else [data, meta, addrs, errno]. meta holds
// kUdpMetaInts ints per datagram: offset, length, family, source port, TTL or hop limit (-1 unknown),
// receiving ifindex (0 unknown), truncated flag, reserved; addrs holds 32 bytes per datagram: the source
// address then the destination address (IPv4 in the first 4 bytes of each half).
Napi::Value UdpRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  int maxCount = IntArg(info, 1);
  std::vector<uint8_t>& arena = tUdpArena;
  std::vector<int32_t> meta;
  std::vector<uint8_t> addrs;
  size_t used = 0;
  int count = 0;
  int pendingErr = 0;
  alignas(cmsghdr) uint8_t control[256];
  while (count < maxCount) {
    if (arena.size() < used + kMaxDatagram) arena.resize(used + kMaxDatagram);
    sockaddr_storage from{};
    iovec iov{arena.data() + used, kMaxDatagram};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (count == 0) ThrowSys(env, errno, "recvmsg");
      pendingErr = errno;
      break;
    }
    int ttl = -1;
    int ifindex = 0;
    uint8_t addr[kUdpAddrBytes] = {0};
    int family = 4;
    int port = 0;
    if (from.ss_family == AF_INET6) {
      auto* s = reinterpret_cast<sockaddr_in6*>(&from);
      family = 6;
      port = ntohs(s->sin6_port);
      std::memcpy(addr, &s->sin6_addr, 16);
    } else {
      auto* s = reinterpret_cast<sockaddr_in*>(&from);
      port = ntohs(s->sin_port);
      std::memcpy(addr, &s->sin_addr, 4);
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
        int v;
        std::memcpy(&v, CMSG_DATA(c), sizeof(v));
        ttl = v;
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
        int v;
        std::memcpy(&v, CMSG_DATA(c), sizeof(v));
        ttl = v;
      } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
        ifindex = pi.ipi_ifindex;
        if (family == 6) {
          // A dual-stack socket: report the IPv4 destination in its mapped form, like the source.
          addr[16 + 10] = 0xff;
          addr[16 + 11] = 0xff;
          std::memcpy(addr + 16 + 12, &pi.ipi_addr, 4);
        } else {
          std::memcpy(addr + 16, &pi.ipi_addr, 4);
        }
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof(pi));
        ifindex = static_cast<int>(pi.ipi6_ifindex);
        std::memcpy(addr + 16, &pi.ipi6_addr, 16);
      }
    }
    meta.push_back(static_cast<int32_t>(used));
    meta.push_back(static_cast<int32_t>(n));
    meta.push_back(family);
    meta.push_back(port);
    meta.push_back(ttl);
    meta.push_back(ifindex);
    meta.push_back((msg.msg_flags & MSG_TRUNC) != 0 ? 1 : 0);
    meta.push_back(0);
    addrs.insert(addrs.end(), addr, addr + kUdpAddrBytes);
    used += static_cast<size_t>(n);
    count++;
  }
  if (count == 0) return env.Undefined();
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Buffer<uint8_t>::Copy(env, arena.data(), used));
  Napi::Int32Array m = Napi::Int32Array::New(env, meta.size());
  std::memcpy(m.Data(), meta.data(), meta.size() * sizeof(int32_t));
  out.Set(1u, m);
  out.Set(2u, Napi::Buffer<uint8_t>::Copy(env, addrs.data(), addrs.size()));
  out.Set(3u, Napi::Number::New(env, pendingErr));
  if (arena.size() > 4 * 1024 * 1024) std::vector<uint8_t>().swap(arena);
  return out;
}

// udpSend(fd, family, address, port, scope, data, ttl (-1: socket default)) → bytes sent.
Napi::Value UdpSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = IntArg(info, 0);
  sockaddr_storage ss;
  socklen_t len = SockaddrArgs(info, 1, &ss);
  Bytes data = BytesArg(info, 5);
  int ttl = IntArg(info, 6);
  iovec iov{const_cast<uint8_t*>(data.data), data.length};
  msghdr msg{};
  msg.msg_name = &ss;
  msg.msg_namelen = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(int))];
  if (ttl >= 0) {
    std::memset(control, 0, sizeof(control));
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    bool v6 = ss.ss_family == AF_INET6;
    c->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
    c->cmsg_type = v6 ? IPV6_HOPLIMIT : IP_TTL;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &ttl, sizeof(int));
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowSys(env, errno, "sendmsg");
  return Napi::Number::New(env, static_cast<double>(n));
}

void SetConst(Napi::Env env, Napi::Object o, const char* name, int v) { o.Set(name, Napi::Number::New(env, v)); }

}  // namespace

void InitInet(Napi::Env env, Napi::Object exports) {
  exports.Set("inetSocket", Napi::Function::New(env, InetSocket, "inetSocket"));
  exports.Set("setIntOption", Napi::Function::New(env, SetIntOption, "setIntOption"));
  exports.Set("getIntOption", Napi::Function::New(env, GetIntOption, "getIntOption"));
  exports.Set("bindToDevice", Napi::Function::New(env, BindToDevice, "bindToDevice"));
  exports.Set("setMd5Key", Napi::Function::New(env, SetMd5Key, "setMd5Key"));
  exports.Set("bindAddress", Napi::Function::New(env, BindAddress, "bindAddress"));
  exports.Set("connectAddress", Napi::Function::New(env, ConnectAddress, "connectAddress"));
  exports.Set("listenSocket", Napi::Function::New(env, ListenSocket, "listenSocket"));
  exports.Set("socketName", Napi::Function::New(env, SocketName, "socketName"));
  exports.Set("udpRecv", Napi::Function::New(env, UdpRecv, "udpRecv"));
  exports.Set("udpSend", Napi::Function::New(env, UdpSend, "udpSend"));
  Napi::Object c = Napi::Object::New(env);
  SetConst(env, c, "SOL_SOCKET", SOL_SOCKET);
  SetConst(env, c, "IPPROTO_IP", IPPROTO_IP);
  SetConst(env, c, "IPPROTO_IPV6", IPPROTO_IPV6);
  SetConst(env, c, "IPPROTO_TCP", IPPROTO_TCP);
  SetConst(env, c, "SO_REUSEADDR", SO_REUSEADDR);
  SetConst(env, c, "SO_REUSEPORT", SO_REUSEPORT);
  SetConst(env, c, "SO_ERROR", SO_ERROR);
  SetConst(env, c, "SO_RCVBUF", SO_RCVBUF);
  SetConst(env, c, "SO_RCVBUFFORCE", SO_RCVBUFFORCE);
  SetConst(env, c, "SO_PRIORITY", SO_PRIORITY);
  SetConst(env, c, "IP_TTL", IP_TTL);
  SetConst(env, c, "IP_TOS", IP_TOS);
  SetConst(env, c, "IP_MINTTL", IP_MINTTL);
  SetConst(env, c, "IP_RECVTTL", IP_RECVTTL);
  SetConst(env, c, "IP_PKTINFO", IP_PKTINFO);
  SetConst(env, c, "IP_FREEBIND", IP_FREEBIND);
  SetConst(env, c, "IP_MULTICAST_TTL", IP_MULTICAST_TTL);
  SetConst(env, c, "IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS);
  SetConst(env, c, "IPV6_MULTICAST_HOPS", IPV6_MULTICAST_HOPS);
  SetConst(env, c, "IPV6_MINHOPCOUNT", IPV6_MINHOPCOUNT);
  SetConst(env, c, "IPV6_RECVHOPLIMIT", IPV6_RECVHOPLIMIT);
  SetConst(env, c, "IPV6_RECVPKTINFO", IPV6_RECVPKTINFO);
  SetConst(env, c, "IPV6_V6ONLY", IPV6_V6ONLY);
  SetConst(env, c, "IPV6_TCLASS", IPV6_TCLASS);
  SetConst(env, c, "TCP_NODELAY", TCP_NODELAY);
  exports.Set("constants", c);
}

}  // namespace dgramplus
