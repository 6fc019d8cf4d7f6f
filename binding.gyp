# The native addon of ssokit, built by node-gyp when the package is installed
# (package.json's "install" script): build/Release/peercred.node, loaded by
# src/node/peer-credentials.ts. Plain C on Node-API; see native/peercred/peercred.c.
{
  "targets": [
    {
      "target_name": "peercred",
      "sources": ["native/peercred/peercred.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-Wall", "-Wextra"]
      }
    }
  ]
}
