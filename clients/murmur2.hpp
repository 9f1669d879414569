// Kafka's default partitioner hash: Utils.murmur2 (MurmurHash2, seed 0x9747b28c) as the Java
// client computes it, and BuiltInPartitioner.partitionForKey on top of it.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace kafka {

// Utils.murmur2 over the bytes, as Java's signed int.
int32_t murmur2(std::span<const uint8_t> data);
int32_t murmur2(std::string_view bytes);
// Utils.toPositive: clears the sign bit (not abs: MIN_VALUE maps to 0).
constexpr int32_t to_positive(int32_t h) { return static_cast<int32_t>(static_cast<uint32_t>(h) & 0x7fffffffu); }
// BuiltInPartitioner.partitionForKey: toPositive(murmur2(key)) % numPartitions.
int32_t partition_for_key(std::string_view key_bytes, int32_t num_partitions);

}  // namespace kafka
