{
  "targets": [
    {
      "target_name": "stalelab_native",
      "sources": ["src/addon.c", "src/net.c", "src/theta.c", "src/theta_base.c", "src/theta_avx2.c"],
      "libraries": ["-lopenblas"],
      "cflags": ["-O3", "-std=c11", "-ffp-contract=off", "-Wno-psabi"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
