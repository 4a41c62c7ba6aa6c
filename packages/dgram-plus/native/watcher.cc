// FdWatcher: a libuv poll handle on a non-blocking descriptor that calls back into JavaScript when the
// descriptor is readable or writable. The reading itself happens in the callback, in batches, so nothing
// ever blocks the event loop and nothing spins: with no traffic the loop sleeps in epoll.
#include "common.h"

#include <node_api.h>
#include <uv.h>


namespace dgramplus {
namespace {

class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function fn = DefineClass(env, "FdWatcher",
                                    {InstanceMethod("start", &FdWatcher::Start), InstanceMethod("stop", &FdWatcher::Stop),
                                     InstanceMethod("close", &FdWatcher::CloseJs), InstanceMethod("ref", &FdWatcher::RefJs),
                                     InstanceMethod("unref", &FdWatcher::UnrefJs)});
    exports.Set("FdWatcher", fn);
  }

  explicit FdWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FdWatcher>(info) {
    Napi::Env env = info.Env();
    int fd = IntArg(info, 0);
    if (info.Length() < 2 || !info[1].IsFunction()) throw Napi::TypeError::New(env, "expected a callback");
    if (napi_create_reference(env, info[1], 1, &callback_) != napi_ok) throw Napi::Error::New(env, "cannot keep the callback");
    napi_value resourceName = Napi::String::New(env, "LbkitFdWatcher");
    if (napi_async_init(env, nullptr, resourceName, &context_) != napi_ok) throw Napi::Error::New(env, "cannot create an async context");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) throw Napi::Error::New(env, "no event loop");
    auto* h = new Handle();
    h->owner = this;
    int r = uv_poll_init(loop, &h->poll, fd);
    if (r != 0) {
      delete h;
      ThrowSys(env, -r, "uv_poll_init");
    }
    h->poll.data = h;
    handle_ = h;
    env_ = env;
    napi_add_env_cleanup_hook(env, &FdWatcher::CleanupHook, this);
    hooked_ = true;
  }

  ~FdWatcher() override {
    active_ = false;  // being finalized: the wrapper reference is already going away
    Close();
    if (callback_ != nullptr) napi_delete_reference(env_, callback_);
    if (context_ != nullptr) napi_async_destroy(env_, context_);
  }

 private:
  // The poll handle lives apart from the wrapper: libuv frees it in its close callback, which may run after
  // the wrapper is gone.
  struct Handle {
    uv_poll_t poll;
    FdWatcher* owner;
  };

  static void CleanupHook(void* arg) {
    auto* self = static_cast<FdWatcher*>(arg);
    self->hooked_ = false;  // the environment is removing its hooks itself
    self->active_ = false;  // and will release the wrapper itself: no reference calls now
    self->Close();
  }

  static void OnClosed(uv_handle_t* h) { delete static_cast<Handle*>(h->data); }

  void Close() {
    if (handle_ != nullptr) {
      uv_poll_stop(&handle_->poll);
      handle_->owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&handle_->poll), &FdWatcher::OnClosed);
      handle_ = nullptr;
    }
    if (hooked_) {
      hooked_ = false;
      napi_remove_env_cleanup_hook(env_, &FdWatcher::CleanupHook, this);
    }
    SetActive(false);
  }

  // While polling, the wrapper holds itself alive so a socket the program still listens on is not collected.
  void SetActive(bool active) {
    if (active == active_) return;
    active_ = active;
    if (active) Ref();
    else Unref();
  }

  // Calls the JavaScript callback with the C API only: while a worker terminates every call may fail, and a
  // failure must then be ignored rather than turned into a C++ exception (which would be fatal here).
  static void OnPoll(uv_poll_t* p, int status, int events) {
    auto* h = static_cast<Handle*>(p->data);
    FdWatcher* self = h->owner;
    if (self == nullptr) return;
    napi_env env = self->env_;
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value fn;
    napi_value global;
    napi_value argv[2];
    napi_value result;
    if (napi_get_reference_value(env, self->callback_, &fn) == napi_ok && fn != nullptr && napi_get_global(env, &global) == napi_ok &&
        napi_create_int32(env, status < 0 ? -status : 0, &argv[0]) == napi_ok && napi_create_int32(env, events, &argv[1]) == napi_ok) {
      napi_status st = napi_make_callback(env, self->context_, global, fn, 2, argv, &result);
      if (st != napi_ok) {
        bool pending = false;
        napi_is_exception_pending(env, &pending);
        if (pending) {
          // The callback threw: report it as an uncaught exception, as Node's own callbacks do.
          napi_value exc;
          if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
        } else if (h->owner != nullptr) {
          // JavaScript cannot run (the environment is shutting down): stop polling.
          uv_poll_stop(p);
        }
      }
    }
    napi_close_handle_scope(env, scope);
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (handle_ == nullptr) throw Napi::Error::New(info.Env(), "watcher closed");
    int want = IntArg(info, 0);
    int events = ((want & 1) != 0 ? UV_READABLE : 0) | ((want & 2) != 0 ? UV_WRITABLE : 0);
    int r = uv_poll_start(&handle_->poll, events, &FdWatcher::OnPoll);
    if (r != 0) ThrowSys(info.Env(), -r, "uv_poll_start");
    SetActive(true);
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_poll_stop(&handle_->poll);
    SetActive(false);
    return info.Env().Undefined();
  }

  Napi::Value CloseJs(const Napi::CallbackInfo& info) {
    Close();
    return info.Env().Undefined();
  }

  Napi::Value RefJs(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
    return info.Env().Undefined();
  }

  Napi::Value UnrefJs(const Napi::CallbackInfo& info) {
    if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
    return info.Env().Undefined();
  }

  Handle* handle_ = nullptr;
  napi_env env_ = nullptr;
  bool hooked_ = false;
  bool active_ = false;
  napi_ref callback_ = nullptr;
  napi_async_context context_ = nullptr;
};

}  // namespace

void InitWatcher(Napi::Env env, Napi::Object exports) { FdWatcher::Init(env, exports); }

}  // namespace dgramplus
