// N-API face of the kernels. Every entry point checks that the buffers are as long as the shapes say, so a
// wrong shape from JavaScript is a thrown error, never a write past the end of a typed array.
#include <napi.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <vector>
#include "kernels.h"

namespace {

bool fail(const Napi::Env& env, const char* message) {
  Napi::Error::New(env, message).ThrowAsJavaScriptException();
  return false;
}

int64_t product(const Napi::Int32Array& shape) {
  int64_t n = 1;
  for (size_t i = 0; i < shape.ElementLength(); i++) n *= shape[i];
  return n;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  ebt::setThreads(info[0].As<Napi::Number>().Int32Value());
  return Napi::Number::New(info.Env(), ebt::threads());
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ebt::threads()); }

// matMul(a, b, out, batchA, batchB, m, n, k, transposeA, transposeB[, bias: n floats added to every row])
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  auto a = info[0].As<Napi::Float32Array>(), b = info[1].As<Napi::Float32Array>(), c = info[2].As<Napi::Float32Array>();
  const int batchA = info[3].As<Napi::Number>().Int32Value(), batchB = info[4].As<Napi::Number>().Int32Value();
  const int m = info[5].As<Napi::Number>().Int32Value(), n = info[6].As<Napi::Number>().Int32Value();
  const int k = info[7].As<Napi::Number>().Int32Value();
  const bool ta = info[8].As<Napi::Boolean>().Value(), tb = info[9].As<Napi::Boolean>().Value();
  const int64_t batch = std::max(batchA, batchB);
  const bool withBias = info.Length() > 10 && info[10].IsTypedArray();
  const float* bias = withBias ? info[10].As<Napi::Float32Array>().Data() : nullptr;
  if (withBias && int64_t(info[10].As<Napi::Float32Array>().ElementLength()) != n) {
    fail(info.Env(), "ebt_native.matMul: the bias must have n elements");
    return info.Env().Undefined();
  }
  if (batchA < 1 || batchB < 1 || m < 0 || n < 0 || k < 0 || int64_t(a.ElementLength()) < int64_t(batchA) * m * k ||
      int64_t(b.ElementLength()) < int64_t(batchB) * k * n || int64_t(c.ElementLength()) < batch * m * n) {
    fail(info.Env(), "ebt_native.matMul: buffer sizes do not match the shapes");
    return info.Env().Undefined();
  }
  ebt::batchMatMul(a.Data(), b.Data(), c.Data(), batchA, batchB, m, n, k, ta, tb, bias);
  return info.Env().Undefined();
}

// headMatMul(a, b, c, batch, heads, m, n, k, transposeA, transposeB, layout: Int32Array of 9, the batch stride,
// head stride and leading dimension of a, b and c)
Napi::Value HeadMatMul(const Napi::CallbackInfo& info) {
  auto a = info[0].As<Napi::Float32Array>(), b = info[1].As<Napi::Float32Array>(), c = info[2].As<Napi::Float32Array>();
  auto int32 = [&](int i) { return info[i].As<Napi::Number>().Int32Value(); };
  const int batch = int32(3), heads = int32(4), m = int32(5), n = int32(6), k = int32(7);
  const bool ta = info[8].As<Napi::Boolean>().Value(), tb = info[9].As<Napi::Boolean>().Value();
  auto layout = info[10].As<Napi::Int32Array>();
  // the last element each operand's layout reaches must lie inside its buffer
  auto fits = [&](size_t length, int at, int64_t rows, int64_t cols) {
    if (batch == 0 || heads == 0 || rows == 0 || cols == 0) return true;
    const int64_t s0 = layout[at], s1 = layout[at + 1], ld = layout[at + 2];
    if (s0 < 0 || s1 < 0 || ld < cols) return false;
    return (batch - 1) * s0 + (heads - 1) * s1 + (rows - 1) * ld + cols - 1 < int64_t(length);
  };
  if (batch < 0 || heads < 0 || m < 0 || n < 0 || k < 0 || layout.ElementLength() != 9 ||
      !fits(a.ElementLength(), 0, ta ? k : m, ta ? m : k) || !fits(b.ElementLength(), 3, tb ? n : k, tb ? k : n) ||
      !fits(c.ElementLength(), 6, m, n)) {
    fail(info.Env(), "ebt_native.headMatMul: buffer sizes do not match the shapes and layout");
    return info.Env().Undefined();
  }
  ebt::headMatMul({a.Data(), layout[0], layout[1], layout[2]}, {b.Data(), layout[3], layout[4], layout[5]},
                  {c.Data(), layout[6], layout[7], layout[8]}, batch, heads, m, n, k, ta, tb);
  return info.Env().Undefined();
}

// binary(op, a, b, out, shape, stridesA, stridesB)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto a = info[1].As<Napi::Float32Array>(), b = info[2].As<Napi::Float32Array>(), out = info[3].As<Napi::Float32Array>();
  auto shape = info[4].As<Napi::Int32Array>(), sa = info[5].As<Napi::Int32Array>(), sb = info[6].As<Napi::Int32Array>();
  const size_t rank = shape.ElementLength();
  int64_t lastA = 0, lastB = 0;
  for (size_t d = 0; d < rank; d++) {
    lastA += int64_t(shape[d] - 1) * sa[d];
    lastB += int64_t(shape[d] - 1) * sb[d];
  }
  if (op < 0 || op >= ebt::kBinaryOpCount || sa.ElementLength() != rank || sb.ElementLength() != rank ||
      int64_t(out.ElementLength()) != product(shape) ||
      (product(shape) > 0 && (lastA >= int64_t(a.ElementLength()) || lastB >= int64_t(b.ElementLength())))) {
    fail(info.Env(), "ebt_native.binary: bad operation or buffer sizes");
    return info.Env().Undefined();
  }
  if (product(shape) > 0) {
    ebt::binary(ebt::BinaryOp(op), a.Data(), b.Data(), out.Data(), int(rank), shape.Data(), sa.Data(), sb.Data());
  }
  return info.Env().Undefined();
}

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto x = info[1].As<Napi::Float32Array>(), out = info[2].As<Napi::Float32Array>();
  if (op < 0 || op >= ebt::kUnaryOpCount || out.ElementLength() != x.ElementLength()) {
    fail(info.Env(), "ebt_native.unary: bad operation or buffer sizes");
    return info.Env().Undefined();
  }
  ebt::unary(ebt::UnaryOp(op), x.Data(), out.Data(), int64_t(x.ElementLength()), info[3].As<Napi::Number>().FloatValue());
  return info.Env().Undefined();
}

// softmax(x, out, rows, cols[, scale])
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>(), out = info[1].As<Napi::Float32Array>();
  const int64_t rows = info[2].As<Napi::Number>().Int64Value(), cols = info[3].As<Napi::Number>().Int64Value();
  const float scale = info.Length() > 4 ? info[4].As<Napi::Number>().FloatValue() : 1.0f;
  if (rows < 0 || cols < 1 || int64_t(x.ElementLength()) != rows * cols || out.ElementLength() != x.ElementLength()) {
    fail(info.Env(), "ebt_native.softmax: buffer sizes do not match the shape");
    return info.Env().Undefined();
  }
  ebt::softmax(x.Data(), out.Data(), rows, cols, scale);
  return info.Env().Undefined();
}

// softmaxGrad(dy, y, dx, rows, cols, scale)
Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  auto dy = info[0].As<Napi::Float32Array>(), y = info[1].As<Napi::Float32Array>(), dx = info[2].As<Napi::Float32Array>();
  const int64_t rows = info[3].As<Napi::Number>().Int64Value(), cols = info[4].As<Napi::Number>().Int64Value();
  const float scale = info[5].As<Napi::Number>().FloatValue();
  if (rows < 0 || cols < 1 || int64_t(y.ElementLength()) != rows * cols || dy.ElementLength() != y.ElementLength() ||
      dx.ElementLength() != y.ElementLength()) {
    fail(info.Env(), "ebt_native.softmaxGrad: buffer sizes do not match the shape");
    return info.Env().Undefined();
  }
  ebt::softmaxGrad(dy.Data(), y.Data(), dx.Data(), rows, cols, scale);
  return info.Env().Undefined();
}

// transpose(x, out, outShape, srcStrides)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>(), out = info[1].As<Napi::Float32Array>();
  auto shape = info[2].As<Napi::Int32Array>(), strides = info[3].As<Napi::Int32Array>();
  const size_t rank = shape.ElementLength();
  std::vector<int64_t> src(rank);
  int64_t last = 0;
  for (size_t d = 0; d < rank; d++) {
    src[d] = strides[d];
    last += int64_t(shape[d] - 1) * strides[d];
  }
  const int64_t n = product(shape);
  if (strides.ElementLength() != rank || int64_t(out.ElementLength()) != n || (n > 0 && last >= int64_t(x.ElementLength()))) {
    fail(info.Env(), "ebt_native.transpose: buffer sizes do not match the shape");
    return info.Env().Undefined();
  }
  if (n > 0) ebt::transpose(x.Data(), out.Data(), int(rank), shape.Data(), src.data());
  return info.Env().Undefined();
}

// reduce(op, x, out, outer, reduced, inner)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  auto x = info[1].As<Napi::Float32Array>(), out = info[2].As<Napi::Float32Array>();
  const int64_t outer = info[3].As<Napi::Number>().Int64Value(), reduced = info[4].As<Napi::Number>().Int64Value();
  const int64_t inner = info[5].As<Napi::Number>().Int64Value();
  if (op < 0 || op >= ebt::kReduceOpCount || outer < 0 || reduced < 1 || inner < 1 ||
      int64_t(x.ElementLength()) != outer * reduced * inner || int64_t(out.ElementLength()) != outer * inner) {
    fail(info.Env(), "ebt_native.reduce: bad operation or buffer sizes");
    return info.Env().Undefined();
  }
  ebt::reduce(ebt::ReduceOp(op), x.Data(), out.Data(), outer, reduced, inner);
  return info.Env().Undefined();
}

// gelu(x, out) / geluGrad(dy, x, out)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  const bool grad = info.Length() == 3;
  auto x = info[grad ? 1 : 0].As<Napi::Float32Array>(), out = info[grad ? 2 : 1].As<Napi::Float32Array>();
  if (out.ElementLength() != x.ElementLength() || (grad && info[0].As<Napi::Float32Array>().ElementLength() != x.ElementLength())) {
    fail(info.Env(), "ebt_native.gelu: buffer sizes differ");
    return info.Env().Undefined();
  }
  if (grad) ebt::geluGrad(info[0].As<Napi::Float32Array>().Data(), x.Data(), out.Data(), int64_t(x.ElementLength()));
  else ebt::gelu(x.Data(), out.Data(), int64_t(x.ElementLength()));
  return info.Env().Undefined();
}

// layerNorm(x, gamma, beta, out, cols, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  auto x = info[0].As<Napi::Float32Array>(), gamma = info[1].As<Napi::Float32Array>();
  auto beta = info[2].As<Napi::Float32Array>(), out = info[3].As<Napi::Float32Array>();
  const int64_t cols = info[4].As<Napi::Number>().Int64Value();
  if (cols < 1 || int64_t(x.ElementLength()) % cols != 0 || int64_t(gamma.ElementLength()) != cols ||
      int64_t(beta.ElementLength()) != cols || out.ElementLength() != x.ElementLength()) {
    fail(info.Env(), "ebt_native.layerNorm: buffer sizes do not match the shape");
    return info.Env().Undefined();
  }
  ebt::layerNorm(x.Data(), gamma.Data(), beta.Data(), out.Data(), int64_t(x.ElementLength()) / cols, cols,
                 info[5].As<Napi::Number>().FloatValue());
  return info.Env().Undefined();
}

// addLayerNorm(a, r, gamma, beta, sum, out, cols, eps)
Napi::Value AddLayerNorm(const Napi::CallbackInfo& info) {
  auto a = info[0].As<Napi::Float32Array>(), r = info[1].As<Napi::Float32Array>();
  auto gamma = info[2].As<Napi::Float32Array>(), beta = info[3].As<Napi::Float32Array>();
  auto sum = info[4].As<Napi::Float32Array>(), out = info[5].As<Napi::Float32Array>();
  const int64_t cols = info[6].As<Napi::Number>().Int64Value();
  if (cols < 1 || int64_t(a.ElementLength()) % cols != 0 || r.ElementLength() != a.ElementLength() ||
      int64_t(gamma.ElementLength()) != cols || int64_t(beta.ElementLength()) != cols ||
      sum.ElementLength() != a.ElementLength() || out.ElementLength() != a.ElementLength()) {
    fail(info.Env(), "ebt_native.addLayerNorm: buffer sizes do not match the shape");
    return info.Env().Undefined();
  }
  ebt::addLayerNorm(a.Data(), r.Data(), gamma.Data(), beta.Data(), sum.Data(), out.Data(),
                    int64_t(a.ElementLength()) / cols, cols, info[7].As<Napi::Number>().FloatValue());
  return info.Env().Undefined();
}

// layerNormGrad(dy, x, gamma, dx, dgamma, dbeta, cols, eps[, dsum: added to dx])
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  auto dy = info[0].As<Napi::Float32Array>(), x = info[1].As<Napi::Float32Array>();
  auto gamma = info[2].As<Napi::Float32Array>(), dx = info[3].As<Napi::Float32Array>();
  auto dgamma = info[4].As<Napi::Float32Array>(), dbeta = info[5].As<Napi::Float32Array>();
  const int64_t cols = info[6].As<Napi::Number>().Int64Value();
  if (cols < 1 || int64_t(x.ElementLength()) % cols != 0 || dy.ElementLength() != x.ElementLength() ||
      dx.ElementLength() != x.ElementLength() || int64_t(gamma.ElementLength()) != cols ||
      int64_t(dgamma.ElementLength()) != cols || int64_t(dbeta.ElementLength()) != cols) {
    fail(info.Env(), "ebt_native.layerNormGrad: buffer sizes do not match the shape");
    return info.Env().Undefined();
  }
  const bool withSum = info.Length() > 8 && info[8].IsTypedArray();
  if (withSum && info[8].As<Napi::Float32Array>().ElementLength() != x.ElementLength()) {
    fail(info.Env(), "ebt_native.layerNormGrad: dsum must be as long as x");
    return info.Env().Undefined();
  }
  ebt::layerNormGrad(dy.Data(), x.Data(), gamma.Data(), dx.Data(), dgamma.Data(), dbeta.Data(),
                     int64_t(x.ElementLength()) / cols, cols, info[7].As<Napi::Number>().FloatValue(),
                     withSum ? info[8].As<Napi::Float32Array>().Data() : nullptr);
  return info.Env().Undefined();
}

// {lr, beta1, beta2, eps, bc1, bc2, weightDecay, decoupled}
ebt::AdamHyper adamHyper(const Napi::Object& o) {
  auto num = [&](const char* key) { return o.Get(key).As<Napi::Number>().FloatValue(); };
  return {num("lr"), num("beta1"), num("beta2"), num("eps"), num("bc1"), num("bc2"), num("weightDecay"),
          o.Get("decoupled").As<Napi::Boolean>().Value()};
}

// The seven buffers [p, g, m, v, pOut, mOut, vOut] of one parameter, get(0) to get(6); false (an exception
// thrown, `message`) unless all are as long as p.
template <class Get>
bool adamBuffers(const Napi::Env& env, Get get, float weightDecay, const char* message, ebt::AdamTensor& t) {
  Napi::Float32Array a[7];
  for (int k = 0; k < 7; k++) a[k] = get(k).template As<Napi::Float32Array>();
  for (auto& x : a)
    if (x.ElementLength() != a[0].ElementLength()) return fail(env, message);
  t = {a[0].Data(), a[1].Data(), a[2].Data(), a[3].Data(), a[4].Data(), a[5].Data(), a[6].Data(),
       int64_t(a[0].ElementLength()), weightDecay};
  return true;
}

// adamStep(p, g, m, v, pOut, mOut, vOut, hyper)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  const ebt::AdamHyper h = adamHyper(info[7].As<Napi::Object>());
  ebt::AdamTensor t;
  if (!adamBuffers(info.Env(), [&](int k) { return info[k]; }, h.weightDecay, "ebt_native.adamStep: buffer sizes differ", t))
    return info.Env().Undefined();
  ebt::adamStep(t.p, t.g, t.m, t.v, t.pOut, t.mOut, t.vOut, t.n, h);
  return info.Env().Undefined();
}

// adamSteps(tensors, hyper, weightDecays): tensors[i] = [p, g, m, v, pOut, mOut, vOut] of one parameter
Napi::Value AdamSteps(const Napi::CallbackInfo& info) {
  auto list = info[0].As<Napi::Array>();
  auto decays = info[2].As<Napi::Float32Array>();
  if (decays.ElementLength() != list.Length()) {
    fail(info.Env(), "ebt_native.adamSteps: one weight decay per tensor");
    return info.Env().Undefined();
  }
  std::vector<ebt::AdamTensor> tensors(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    auto row = list.Get(i).As<Napi::Array>();
    if (!adamBuffers(info.Env(), [&](int k) { return row.Get(uint32_t(k)); }, decays[i], "ebt_native.adamSteps: buffer sizes differ", tensors[i]))
      return info.Env().Undefined();
  }
  ebt::adamSteps(tensors, adamHyper(info[1].As<Napi::Object>()));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#ifdef __GLIBC__
  // Every kernel returns a fresh Float32Array of up to a few MB. With glibc's defaults each one is a new mmap,
  // paid again in page faults on first touch and munmap on dispose; keep them on the heap instead and do not
  // hand freed memory straight back to the system.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
#endif
  ebt::setThreads(ebt::threads());
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("headMatMul", Napi::Function::New(env, HeadMatMul));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("geluGrad", Napi::Function::New(env, Gelu));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("addLayerNorm", Napi::Function::New(env, AddLayerNorm));
  exports.Set("adamStep", Napi::Function::New(env, AdamStep));
  exports.Set("adamSteps", Napi::Function::New(env, AdamSteps));
  Napi::Object counts = Napi::Object::New(env);
  counts.Set("binary", Napi::Number::New(env, ebt::kBinaryOpCount));
  counts.Set("unary", Napi::Number::New(env, ebt::kUnaryOpCount));
  counts.Set("reduce", Napi::Number::New(env, ebt::kReduceOpCount));
  exports.Set("opCounts", counts);
  return exports;
}

}  // namespace

NODE_API_MODULE(ebt_native, Init)
