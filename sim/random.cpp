#include "sim/random.hpp"

namespace sim {

uint64_t derive_seed(uint64_t root_seed, std::string_view name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : name) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    uint64_t state = root_seed ^ h;
    splitmix64(state);
    return splitmix64(state);
}

Probability Probability::from_double(double p) {
    if (!(p > 0.0)) return {0};
    if (p >= 1.0) return {uint64_t{1} << 32};
    return {static_cast<uint64_t>(p * 4294967296.0)};
}

uint64_t Rng::below(uint64_t n) {
    // 128-bit multiply-shift; reject the small biased band.
    unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
        uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = static_cast<unsigned __int128>(next()) * n;
            low = static_cast<uint64_t>(m);
        }
    }
    return static_cast<uint64_t>(m >> 64);
}

}  // namespace sim
