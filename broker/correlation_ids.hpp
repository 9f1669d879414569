// Correlation ids of the requests a broker sends (replica fetches, OffsetForLeaderEpoch,
// registration and heartbeats, AlterPartition, ControlledShutdown, CreateTopics). In Kafka each
// channel (a fetcher thread's NetworkClient, the BrokerToControllerChannelManager ...) counts
// its own; here the broker's components draw from one counter, so the ids of a run do not
// depend on how the broker is divided into components.
#pragma once
#include <cstdint>

namespace kafka {

class CorrelationIds {
public:
    int32_t next() { return next_++; }

private:
    int32_t next_ = 1;
};

}  // namespace kafka
