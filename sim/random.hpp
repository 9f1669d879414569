// Named, seeded random streams. Every stream is derived from (root seed, stable name) with
// splitmix64, so adding a stream never changes the draws of another. Draws that decide
// behaviour use integer arithmetic only (std:: distributions differ between libraries).
#pragma once
#include <cstdint>
#include <string_view>

namespace sim {

constexpr uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// FNV-1a over the name, mixed with the root seed through splitmix64.
uint64_t derive_seed(uint64_t root_seed, std::string_view name);

// Probability as an integer fraction of 2^32, so chance() needs no floating point at draw time.
struct Probability {
    uint64_t per_2_32 = 0;  // 0 = never, 2^32 = always
    static Probability from_double(double p);
    bool never() const { return per_2_32 == 0; }
};

class Rng {
public:
    explicit Rng(uint64_t seed = 0) : state_(seed) {}
    Rng(uint64_t root_seed, std::string_view name) : state_(derive_seed(root_seed, name)) {}

    uint64_t next() { return splitmix64(state_); }
    // Uniform in [0, n), n > 0; Lemire's multiply-shift with rejection (unbiased).
    uint64_t below(uint64_t n);
    // Uniform in [lo, hi] inclusive.
    int64_t between(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
    }
    bool chance(Probability p) { return p.per_2_32 != 0 && (next() >> 32) < p.per_2_32; }
    // A child stream, as independent as a named root stream.
    Rng fork(std::string_view name) { return Rng(derive_seed(state_ ^ 0x5bd1e995ULL, name)); }

private:
    uint64_t state_;
};

}  // namespace sim
