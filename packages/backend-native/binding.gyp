{
  "targets": [
    {
      "target_name": "ebt_native",
      "sources": ["native/addon.cc", "native/matmul.cc", "native/elementwise.cc", "native/layout.cc", "native/fused.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<!@(node scripts/blas.js include)"],
      "libraries": ["<!@(node scripts/blas.js lib)"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-fno-math-errno", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-fopenmp"]
    }
  ]
}
