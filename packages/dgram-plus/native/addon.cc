// Entry point of the dgram-plus addon: registers the fd watcher, packet-socket and inet-socket functions.
#include "common.h"

#include <net/if.h>
#include <unistd.h>

namespace dgramplus {
namespace {

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  // close() on Linux releases the descriptor even when it reports EINTR, so it is never retried.
  if (close(fd) != 0 && errno != EINTR) ThrowSys(info.Env(), errno, "close");
  return info.Env().Undefined();
}

// Closes a descriptor on the libuv thread pool. Closing an AF_PACKET socket waits for an RCU grace period
// in the kernel (synchronize_net, ~10-30 ms), which must not stall the event loop.
class CloseWorker : public Napi::AsyncWorker {
 public:
  CloseWorker(Napi::Function cb, int fd) : Napi::AsyncWorker(cb, "LbkitCloseFd"), fd_(fd) {}
  void Execute() override {
    if (close(fd_) != 0 && errno != EINTR) err_ = errno;
  }
  // C API only, ignoring failures: a worker may be terminating, when no JavaScript can run.
  void OnOK() override {
    napi_env env = Env();
    napi_value fn;
    napi_value global;
    napi_value arg;
    napi_value result;
    if (napi_get_reference_value(env, static_cast<napi_ref>(Callback()), &fn) != napi_ok || fn == nullptr) return;
    if (napi_get_global(env, &global) != napi_ok || napi_create_int32(env, err_, &arg) != napi_ok) return;
    napi_call_function(env, global, fn, 1, &arg, &result);
  }

 private:
  int fd_;
  int err_ = 0;
};

// closeFdAsync(fd, callback(errno))
Napi::Value CloseFdAsync(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0);
  if (info.Length() < 2 || !info[1].IsFunction()) throw Napi::TypeError::New(info.Env(), "expected a callback");
  auto* w = new CloseWorker(info[1].As<Napi::Function>(), fd);
  w->Queue();
  return info.Env().Undefined();
}

Napi::Value IfNameToIndex(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  unsigned idx = if_nametoindex(name.c_str());
  if (idx == 0) ThrowSys(info.Env(), errno == 0 ? ENODEV : errno, "if_nametoindex");
  return Napi::Number::New(info.Env(), idx);
}

Napi::Value IfIndexToName(const Napi::CallbackInfo& info) {
  char buf[IF_NAMESIZE];
  if (if_indextoname(static_cast<unsigned>(IntArg(info, 0)), buf) == nullptr) ThrowSys(info.Env(), errno, "if_indextoname");
  return Napi::String::New(info.Env(), buf);
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("closeFdAsync", Napi::Function::New(env, CloseFdAsync, "closeFdAsync"));
  exports.Set("ifNameToIndex", Napi::Function::New(env, IfNameToIndex, "ifNameToIndex"));
  exports.Set("ifIndexToName", Napi::Function::New(env, IfIndexToName, "ifIndexToName"));
  InitWatcher(env, exports);
  InitPacket(env, exports);
  InitInet(env, exports);
  return exports;
}

}  // namespace dgramplus

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return dgramplus::Init(env, exports); }

NODE_API_MODULE(dgram_plus, InitAddon)
