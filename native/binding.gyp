{
  "targets": [
    {
      "target_name": "stalelab_native",
      "sources": ["src/addon.c", "src/net.c"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O3", "-std=c11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
