{
  # Linux only: elsewhere both targets are empty, so `npm install` succeeds and every call throws
  # UnsupportedPlatformError at run time.
  "targets": [
    {
      "target_name": "dgram_plus",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/addon.cc", "native/watcher.cc", "native/packet.cc", "native/inet.cc"],
          "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"],
          "defines": ["NAPI_VERSION=8"]
        }, {
          "type": "none"
        }]
      ]
    },
    {
      # The load generator of the receive benchmark (bench/), never loaded by the package.
      "target_name": "arp_flood",
      "conditions": [
        ["OS=='linux'", {
          "type": "executable",
          "sources": ["native/bench/arp-flood.c"],
          "cflags": ["-O2", "-Wall", "-Wextra"]
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
