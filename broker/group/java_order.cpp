#include "broker/group/java_order.hpp"

#include <algorithm>
#include <numeric>

#include "sim/world.hpp"

namespace kafka::java {

namespace {

constexpr size_t initial_capacity = 16;   // HashMap's DEFAULT_INITIAL_CAPACITY
constexpr size_t treeify_threshold = 8;   // a bucket already this long treeifies on the next put
constexpr size_t min_treeify_capacity = 64;

uint32_t spread(int32_t h) {
    const auto u = static_cast<uint32_t>(h);
    return u ^ (u >> 16);
}

bool continuation(unsigned char c) { return (c & 0xC0u) == 0x80u; }

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80u; });
}

}  // namespace

std::u16string utf16(std::string_view s) {
    std::u16string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80u) {
            out.push_back(static_cast<char16_t>(c));
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
        if (c >= 0xC2u && c <= 0xDFu) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0u && c <= 0xEFu) {
            len = 3;
            cp = c & 0x0Fu;
            if (c == 0xE0u) lo = 0xA0;  // no overlong forms
            if (c == 0xEDu) hi = 0x9F;  // no encoded surrogates
        } else if (c >= 0xF0u && c <= 0xF4u) {
            len = 4;
            cp = c & 0x07u;
            if (c == 0xF0u) lo = 0x90;
            if (c == 0xF4u) hi = 0x8F;  // nothing above U+10FFFF
        }
        bool ok = len != 0 && i + len <= s.size();
        for (size_t k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            ok = k == 1 ? (b >= lo && b <= hi) : continuation(b);
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (!ok) {
            out.push_back(u'\uFFFD');
            ++i;
            continue;
        }
        if (cp >= 0x10000u) {
            cp -= 0x10000u;
            out.push_back(static_cast<char16_t>(0xD800u + (cp >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00u + (cp & 0x3FFu)));
        } else {
            out.push_back(static_cast<char16_t>(cp));
        }
        i += len;
    }
    return out;
}

int32_t string_hash(const std::u16string& s) {
    uint32_t h = 0;
    for (char16_t unit : s) h = 31u * h + static_cast<uint32_t>(unit);
    return static_cast<int32_t>(h);
}

int32_t string_hash(std::string_view s) {
    if (is_ascii(s)) {
        uint32_t h = 0;
        for (char c : s) h = 31u * h + static_cast<unsigned char>(c);
        return static_cast<int32_t>(h);
    }
    return string_hash(utf16(s));
}

int string_compare(std::string_view a, std::string_view b) {
    if (is_ascii(a) && is_ascii(b)) {
        const int c = a.compare(b);
        return (c > 0) - (c < 0);
    }
    const std::u16string ua = utf16(a), ub = utf16(b);
    const int c = ua.compare(ub);
    return (c > 0) - (c < 0);
}

int32_t topic_partition_hash(int32_t topic_hash, int32_t partition) {
    const uint32_t result = 31u + static_cast<uint32_t>(partition);
    return static_cast<int32_t>(31u * result + static_cast<uint32_t>(topic_hash));
}

std::vector<size_t> hash_map_order(const std::vector<int32_t>& hashes) {
    // Replay the puts to learn the final table size; the order follows from it.
    std::vector<uint32_t> spreads(hashes.size());
    std::transform(hashes.begin(), hashes.end(), spreads.begin(), spread);
    size_t capacity = initial_capacity;
    std::vector<size_t> bucket_sizes(capacity, 0);
    auto rebucket = [&](size_t n) {
        bucket_sizes.assign(capacity, 0);
        for (size_t j = 0; j < n; ++j) ++bucket_sizes[spreads[j] & (capacity - 1)];
    };
    for (size_t i = 0; i < spreads.size(); ++i) {
        const size_t before = bucket_sizes[spreads[i] & (capacity - 1)]++;
        if (before >= treeify_threshold && capacity < min_treeify_capacity) {
            capacity *= 2;
            rebucket(i + 1);
        }
        if (i + 1 > capacity / 4 * 3) {
            capacity *= 2;
            rebucket(i + 1);
        }
    }
    std::vector<size_t> order(hashes.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        return (spreads[x] & (capacity - 1)) < (spreads[y] & (capacity - 1));
    });
    return order;
}

bool HashSetOrder::contains(uint64_t key) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
}

void HashSetOrder::add(uint64_t key, int32_t hash) {
    if (contains(key)) return;
    if (capacity_ == 0) capacity_ = initial_capacity;
    const uint32_t s = spread(hash);
    const size_t mask = capacity_ - 1;
    const auto before = static_cast<size_t>(
        std::count_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return (e.spread & mask) == (s & mask); }));
    entries_.push_back({key, s, next_seq_++});
    if (before >= treeify_threshold && capacity_ < min_treeify_capacity) capacity_ *= 2;
    if (entries_.size() > capacity_ / 4 * 3) capacity_ *= 2;
}

void HashSetOrder::remove(uint64_t key) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
    if (it != entries_.end()) entries_.erase(it);
}

uint64_t HashSetOrder::first() const {
    SIM_ASSERT(!entries_.empty(), "HashSetOrder::first on an empty set");
    const size_t mask = capacity_ - 1;
    const auto it = std::min_element(entries_.begin(), entries_.end(), [&](const Entry& x, const Entry& y) {
        const size_t bx = x.spread & mask, by = y.spread & mask;
        return bx != by ? bx < by : x.seq < y.seq;
    });
    return it->key;
}

std::vector<uint64_t> HashSetOrder::order() const {
    std::vector<Entry> sorted = entries_;
    const size_t mask = capacity_ - 1;
    std::sort(sorted.begin(), sorted.end(), [&](const Entry& x, const Entry& y) {
        const size_t bx = x.spread & mask, by = y.spread & mask;
        return bx != by ? bx < by : x.seq < y.seq;
    });
    std::vector<uint64_t> keys;
    keys.reserve(sorted.size());
    for (const Entry& e : sorted) keys.push_back(e.key);
    return keys;
}

}  // namespace kafka::java
