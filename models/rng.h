#ifndef VAGLIO_MODELS_RNG_H_
#define VAGLIO_MODELS_RNG_H_

#include <cstdint>

/// The project's one random number generator (docs/methods.md §Sampling).
///
/// Draw i of a run with seed S uses its own stream, derived from (S, i) alone:
///   key   = SplitMix64 output for state S
///   state = four successive SplitMix64 outputs starting from key ^ SplitMix64(i)
/// and generates with xoshiro256** (Blackman & Vigna 2018). So draw 7 is the same in a
/// 100-draw run and a 10,000-draw run, on one thread or eight. Uniforms are
/// ((x >> 11) + 0.5) * 2^-53: 53-bit, strictly inside (0, 1), so every quantile is finite.
namespace vaglio::models {

/// One SplitMix64 step (Steele, Lea & Flood 2014): advances `state`, returns the output.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  /// The stream of draw `draw` of a run seeded with `seed`.
  static Rng ForDraw(uint64_t seed, uint64_t draw) {
    uint64_t s = seed;
    const uint64_t key = SplitMix64(s);
    uint64_t d = draw;
    uint64_t state = key ^ SplitMix64(d);
    Rng r;
    for (uint64_t& w : r.s_) w = SplitMix64(state);
    return r;
  }

  /// The next 64 random bits (xoshiro256**).
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  /// A uniform in (0, 1), never 0 or 1.
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }

 private:
  Rng() = default;
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4] = {0, 0, 0, 0};
};

}  // namespace vaglio::models

#endif  // VAGLIO_MODELS_RNG_H_
