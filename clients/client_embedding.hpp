// How a client runs inside another node: a Streams instance (clients/streams/) holds its main
// consumer, its restore consumer and its producer in one process, as KafkaStreams does, and
// routes each timer and answer to the client that asked for it. Each embedded client gets its
// own range of timer kinds and of correlation ids (and, for several clients of one kind, its
// own timer slot); a client running alone keeps the defaults.
#pragma once
#include <cstdint>

namespace kafka {

struct ClientEmbedding {
    uint64_t timer_kind_base = 0;      // added to every timer kind the client (and its network client) uses
    int32_t first_correlation_id = 1;  // the client's correlation ids count up from here
    uint64_t timer_slot = 0;           // in every timer tag (client_timer.hpp): several clients of one kind
};

}  // namespace kafka
