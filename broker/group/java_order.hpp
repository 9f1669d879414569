// What the Java consumer assignors' results depend on beyond their documented rules: how Java
// orders and hashes strings, and the iteration order of java.util.HashMap / HashSet.
//
// The group leader runs the assignor over a HashMap<memberId, Subscription> filled in JoinGroup
// response order, and a few tie-breaks in the sticky assignors follow that map's iteration
// order (and, in one place, a HashSet<TopicPartition>'s). Both orders are pure functions of the
// keys' hashCode values and the order of insertion, so they are reproduced here exactly:
//   - buckets are visited in index order, index = (h ^ (h >>> 16)) & (capacity - 1);
//   - inside a bucket, entries keep insertion order (a resize splits a bucket without
//     reordering it, a re-added entry goes to the end);
//   - the table starts at 16 (default constructor) and doubles when size > 0.75 * capacity,
//     or when a bucket reaches 9 entries while the capacity is below 64 (treeifyBin resizes
//     instead of building a tree).
// Not reproduced: a bucket of 9+ entries at capacity >= 64 becomes a red-black tree, whose
// iteration order moves the tree root first. That needs nine colliding keys in one bucket of a
// large table, which member ids and the moved partitions of one topic do not produce in
// practice; such a bucket is iterated in insertion order here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kafka::java {

// The UTF-16 code units Java holds for the UTF-8 text s (a malformed byte becomes U+FFFD).
std::u16string utf16(std::string_view s);
// String.hashCode: s[0]*31^(n-1) + ... over the UTF-16 code units, int32 wrap.
int32_t string_hash(std::string_view s);
int32_t string_hash(const std::u16string& s);
// String.compareTo's sign: UTF-16 code units compared as unsigned, a prefix sorts first.
// (Differs from a byte comparison of UTF-8 only for characters above U+FFFF vs U+E000..U+FFFF.)
int string_compare(std::string_view a, std::string_view b);
// TopicPartition.hashCode: 31 * (31 + partition) + topic.hashCode(), int32 wrap.
int32_t topic_partition_hash(int32_t topic_hash, int32_t partition);

// The iteration order of a HashMap/HashSet made with the default constructor and filled by
// put/add of distinct keys with these hashCode values, in this order: indices into `hashes`.
std::vector<size_t> hash_map_order(const std::vector<int32_t>& hashes);

// A HashSet made with the default constructor, tracking add/remove so that its iteration
// order (and iterator().next()) can be asked at any time. Keys are opaque ids with their
// hashCode; adding a present key or removing an absent one changes nothing, as in Java.
class HashSetOrder {
public:
    void add(uint64_t key, int32_t hash);
    void remove(uint64_t key);
    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }
    bool contains(uint64_t key) const;
    uint64_t first() const;               // iterator().next(); the set must not be empty
    std::vector<uint64_t> order() const;  // the whole iteration order
    size_t capacity() const { return capacity_; }

private:
    struct Entry {
        uint64_t key;
        uint32_t spread;  // h ^ (h >>> 16)
        uint64_t seq;     // insertion sequence: the order inside a bucket
    };
    std::vector<Entry> entries_;
    size_t capacity_ = 0;  // 0 until the first add allocates the table (16)
    uint64_t next_seq_ = 0;
};

}  // namespace kafka::java
