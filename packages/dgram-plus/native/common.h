// Shared helpers of the dgram-plus addon: system errors as JS errors carrying errno and the syscall, and
// argument readers. Every function runs on the JavaScript thread that loaded the addon.
#pragma once

#include <napi.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>

namespace dgramplus {

// A JS Error with `errno` (positive number) and `syscall`, which the TypeScript layer maps to LbError classes.
inline Napi::Error SysError(Napi::Env env, int err, const char* syscall) {
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, syscall));
  return e;
}

[[noreturn]] inline void ThrowSys(Napi::Env env, int err, const char* syscall) { throw SysError(env, err, syscall); }

inline int IntArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected a number argument");
  return info[i].As<Napi::Number>().Int32Value();
}

inline bool BoolArg(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].ToBoolean().Value();
}

// Bytes of a Uint8Array or Buffer argument (a view into JS memory, valid during the call).
struct Bytes {
  const uint8_t* data = nullptr;
  size_t length = 0;
};

inline Bytes BytesArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "expected a Uint8Array argument");
  Napi::Uint8Array a = info[i].As<Napi::Uint8Array>();
  return Bytes{a.Data(), a.ByteLength()};
}

// A socket address from (family 4|6, address bytes, port, scope id) arguments starting at index i.
inline socklen_t SockaddrArgs(const Napi::CallbackInfo& info, size_t i, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof(*ss));
  int family = IntArg(info, i);
  Bytes addr = BytesArg(info, i + 1);
  int port = IntArg(info, i + 2);
  int scope = info.Length() > i + 3 && info[i + 3].IsNumber() ? info[i + 3].As<Napi::Number>().Int32Value() : 0;
  if (family == 4 && addr.length == 4) {
    auto* s = reinterpret_cast<sockaddr_in*>(ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&s->sin_addr, addr.data, 4);
    return sizeof(sockaddr_in);
  }
  if (family == 6 && addr.length == 16) {
    auto* s = reinterpret_cast<sockaddr_in6*>(ss);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(static_cast<uint16_t>(port));
    s->sin6_scope_id = static_cast<uint32_t>(scope);
    std::memcpy(&s->sin6_addr, addr.data, 16);
    return sizeof(sockaddr_in6);
  }
  throw Napi::TypeError::New(info.Env(), "bad socket address");
}

void InitWatcher(Napi::Env env, Napi::Object exports);
void InitPacket(Napi::Env env, Napi::Object exports);
void InitInet(Napi::Env env, Napi::Object exports);

}  // namespace dgramplus
