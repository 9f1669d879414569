// A client's connections to the brokers and its metadata updates: Kafka's NetworkClient with
// its ClusterConnectionStates and DefaultMetadataUpdater, as the producer and the consumer
// share them. The requests a client has in flight are its own (in_flight_requests.hpp); when
// one times out the client closes the connection here.
//
// Connections: a disconnect, or a request.timeout.ms without an answer (which closes the
// connection in Java: every request in flight on it fails), marks the broker down. Nothing is
// sent on a down connection; the requests for it wait in the client, as in Java while connect
// attempts are refused. The sim has no connection refusal, so a down broker is probed with a
// MetadataRequest every reconnect.backoff.ms (50 ms, doubling to reconnect.backoff.max.ms =
// 1 s) and used again once any answer comes from it.
//
// Metadata: one MetadataRequest at a time, to the least loaded broker, at least
// retry.backoff.ms after the previous one; it fails on a disconnect and on a timeout (which
// also closes its connection). Every metadata.max.age.ms after an update the client accepted
// the next one is requested anyway.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/world.hpp"
#include "clients/client_metadata.hpp"

namespace kafka {

class NetworkClient {
public:
    struct Options {
        int64_t request_timeout_ms = 30000;    // request.timeout.ms
        int64_t retry_backoff_ms = 100;        // retry.backoff.ms: between metadata requests
        int64_t metadata_max_age_ms = 300000;  // metadata.max.age.ms
        int32_t first_correlation_id = 1;      // ClientEmbedding: where the client's ids start
    };
    // The kinds (client_timer.hpp) the owning client gives the network client's timers.
    struct TimerKinds {
        uint64_t metadata_timeout = 0;
        uint64_t metadata_retry = 0;
        uint64_t metadata_max_age = 0;
        uint64_t slot = 0;  // the embedding's timer slot
    };

    // dir must outlive the client. topics: what its MetadataRequests ask for.
    NetworkClient(const ClusterDirectory& dir, std::vector<std::string> topics, Options options, TimerKinds timers);

    // A fresh process: its turn through the brokers starts at a random one.
    void on_start(Context& ctx);
    // The client closes: no timer of the network client fires any more.
    void close(Context& ctx);

    ClientMetadata& metadata() { return metadata_; }
    const ClientMetadata& metadata() const { return metadata_; }
    // One sequence for every request of the client, so an answer names what it answers.
    int32_t next_correlation_id() { return next_correlation_++; }
    uint64_t metadata_requests_sent() const { return metadata_requests_sent_; }

    // ---- connections ----
    // Whether requests may go to broker now. A down connection is probed when its reconnect
    // backoff has passed, and next is lowered to when it is worth asking again.
    bool ready(BrokerId broker, Context& ctx, sim::Time& next);
    // The connection to broker closed: down until a probe is answered; metadata may be stale.
    void mark_disconnected(BrokerId broker, Context& ctx);
    // peer's process closed its connections: a metadata request to it failed. Returns the
    // broker whose connection closed, for the client to fail what it had in flight on it.
    std::optional<BrokerId> handle_disconnect(sim::NodeId peer, Context& ctx);
    // Java's leastLoadedNode, as the model has it: the next broker in turn (the live brokers
    // of the last metadata, the bootstrap list before) whose connection is not known to be
    // down, or the next of all when every one is.
    std::optional<BrokerId> least_loaded_broker();

    // ---- metadata ----
    // Requests an update and sends it when it may go now.
    void request_metadata_update(Context& ctx);
    // Sends the requested update unless one is in flight or the backoff is not over yet.
    void maybe_update_metadata(Context& ctx);
    // false: stale or unknown, ignore it. true: an answer to the metadata request or to a
    // probe; the connection it came on is up, the live brokers are updated, and the client
    // applies its topics (then calls maybe_update_metadata: the response may want another).
    bool handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx);
    // The client accepted an update: the next is due metadata.max.age.ms from now.
    void schedule_metadata_refresh(Context& ctx);
    // Returns the broker whose connection a timed-out metadata request closes, for the client
    // to fail what it had in flight on it (NetworkClient.handleTimedOutRequests).
    std::optional<BrokerId> on_timer(uint64_t tag, Context& ctx);

private:
    struct Connection {
        bool down = false;
        sim::Time ready_at;      // down: the next probe
        int64_t backoff_ms = 0;  // reconnect backoff, doubling while down
        int32_t probe_corr = 0;  // the probe in flight, 0 = none
    };

    void send_probe(BrokerId broker, Connection& conn, Context& ctx);
    void send_metadata_request(sim::NodeId node, int32_t corr, Context& ctx);
    void metadata_failed(Context& ctx);

    const ClusterDirectory* dir_;
    Options options_;
    TimerKinds timers_;
    ClientMetadata metadata_;
    std::map<BrokerId, Connection> connections_;
    int32_t next_correlation_ = 1;
    uint64_t least_loaded_rr_ = 0;

    int32_t metadata_corr_ = 0;  // 0 = none in flight
    sim::NodeId metadata_node_ = sim::no_node;
    sim::TimerId metadata_timer_;
    sim::TimerId metadata_retry_timer_;
    sim::TimerId metadata_age_timer_;
    sim::Time metadata_backoff_until_;
    uint64_t metadata_requests_sent_ = 0;
};

}  // namespace kafka
