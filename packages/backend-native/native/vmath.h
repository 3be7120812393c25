// exp and the normal CDF in plain float arithmetic that the compiler vectorises (libm's expf and erff are
// scalar calls: GELU's forward and backward took 150 ms of a 900 ms ViT-Tiny step through them).
//
// expv: Cephes' expf (range reduction by ln 2 in two parts, degree-6 polynomial), within 2 ulp on
// [-87.3, 88.3]; below that it is 0 (no subnormals), above it is not used here (the callers' arguments are <= 0).
// normalTail: 0.5 erfc(|x| / sqrt 2) = Phi(-|x|) from Numerical Recipes' erfcc (Chebyshev fit, fractional error
// < 1.2e-7 for every argument), so that Phi keeps its relative accuracy far out in the lower tail where
// 1 + erf(x / sqrt 2) would cancel; evaluated in float the whole is within ~4e-7 relative (vmath spec, against
// PyTorch in float64).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace ebt {

inline float bitsToFloat(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

inline float expv(float x) {
  constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  constexpr float kMin = -87.33654475f, kMax = 88.3762626647949f, kRound = 12582912.0f;  // 1.5 x 2^23
  const float c = std::min(std::max(x, kMin), kMax);  // NaN stays NaN
  const float n = (c * kLog2e + kRound) - kRound;  // round to nearest integer
  const float r = std::fma(n, -kLn2Lo, std::fma(n, -kLn2Hi, c));
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  p = std::fma(p, r * r, r + 1.0f);
  const float scaled = p * bitsToFloat((int32_t(n) + 127) << 23);
  return x < kMin ? 0.0f : scaled;
}

// exp(-x^2 / 2), with the rounding of x^2 carried (so the relative error does not grow with x^2).
inline float gaussian(float x) {
  const float h = 0.5f * (x * x), lo = 0.5f * std::fma(x, x, -(x * x));
  const float e = expv(-h);
  return e == 0.0f ? 0.0f : e * (1.0f - lo);  // lo is NaN for infinite x
}

// Phi(-|x|) = 0.5 erfc(|x| / sqrt 2), given g = gaussian(x) = exp(-z^2) with z = |x| / sqrt 2.
inline float normalTail(float x, float g) {
  const float z = std::fabs(x) * 0.70710678118654752f;
  const float t = 1.0f / std::fma(0.5f, z, 1.0f);
  float p = 0.17087277f;
  p = std::fma(p, t, -0.82215223f);
  p = std::fma(p, t, 1.48851587f);
  p = std::fma(p, t, -1.13520398f);
  p = std::fma(p, t, 0.27886807f);
  p = std::fma(p, t, -0.18628806f);
  p = std::fma(p, t, 0.09678418f);
  p = std::fma(p, t, 0.37409196f);
  p = std::fma(p, t, 1.00002368f);
  p = std::fma(p, t, -1.26551223f);
  return 0.5f * t * g * expv(p);
}

// Phi(x), the standard normal CDF, from the tail and the side of x.
inline float normalCdf(float x, float tail) { return x < 0.0f ? tail : 1.0f - tail; }

}  // namespace ebt
