// Kafka's Admin client as the tools use it (kafka-topics, kafka-configs, kafka-reassign-partitions,
// kafka-leader-election, kafka-delete-records), over the simulated network, so its calls fail,
// retry and time out like Kafka's KafkaAdminClient:
//
//  - Controller calls (create/delete topics, add partitions, alter configs, reassignments,
//    leader elections) go to the controller: a KRaft controller (KIP-919's
//    --bootstrap-controller path; NOT_CONTROLLER moves the call to the next one) or, in
//    ZooKeeper mode, the controller broker that the brokers' metadata names.
//  - DeleteRecords goes to each partition's leader, found in a broker's metadata;
//    NOT_LEADER_OR_FOLLOWER refreshes the metadata and retries those partitions.
//  - Before its first call the client bootstraps: it asks the brokers for metadata until one
//    answers with a live broker in it (a broker still starting has none to give). A call that
//    never gets that far fails with "Timed out waiting for a node assignment".
//  - A request unanswered for request.timeout.ms (30 s) is sent again; a call unanswered for
//    default.api.timeout.ms (60 s) fails with a TimeoutException, as Kafka's does.
//
// The harness's admin node also creates the scenario's topics once the cluster is up (what an
// operator's script does: wait until every broker is registered and unfenced, then create
// them): it asks brokers for metadata until the live brokers are all of them (or
// admin_wait_for_brokers has passed: a scenario may start with a broker down), then retries
// until every topic exists (INVALID_REPLICATION_FACTOR means not enough brokers are usable yet).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/world.hpp"

namespace kafka {

// One Admin API call, with the parameters of the tool that makes it.
struct AdminOperation {
    enum class Kind {
        create_topic, delete_topic, add_partitions, alter_config, reassign, list_reassignments, elect_leaders,
        delete_records,
    };
    Kind kind = Kind::create_topic;
    CreatableTopic create;                          // create-topic
    std::string topic;                              // delete-topic, add-partitions
    int32_t partitions = 0;                         // add-partitions: the new total
    std::vector<std::vector<BrokerId>> assignment;  // add-partitions: replicas of the new partitions
    IncrementalAlterConfigsRequest::Resource config;                           // alter-config
    std::vector<AlterPartitionReassignmentsRequest::Partition> reassignments;  // reassign (nullopt: cancel)
    ElectionType election = ElectionType::preferred;                            // elect-leaders
    std::vector<TopicPartitionName> named;  // elect-leaders (empty: all), list-reassignments (empty: all)
    struct Cut {
        TopicPartitionName tp;
        int64_t offset = -1;  // -1: up to the high watermark
    };
    std::vector<Cut> delete_records;
};
// "create-topic", "delete-topic", ... (the scenario action names).
const char* to_string(AdminOperation::Kind kind);
// Kafka's Admin call name in its messages: "createTopics", "deleteRecords", ...
const char* call_name(AdminOperation::Kind kind);

// Kafka's answer for one resource of a call: a topic, a partition ("orders-0") or a config entity.
struct AdminOutcome {
    std::string resource;
    Error error = Error::none;
    std::string message;      // Kafka's error message, "" on success
    int64_t low_watermark = -1;  // delete-records
};
struct AdminCallResult {
    AdminOperation::Kind kind = AdminOperation::Kind::create_topic;
    bool done = false;
    sim::Time finished;
    bool timed_out = false;  // default.api.timeout.ms passed: every unanswered resource got a TimeoutException
    std::vector<AdminOutcome> outcomes;
    std::vector<ListPartitionReassignmentsResponse::Ongoing> reassignments;  // list-reassignments
};

struct AdminClientConfig {
    int64_t retry_backoff_ms = 100;          // retry.backoff.ms
    int64_t request_timeout_ms = 30000;      // request.timeout.ms
    int64_t default_api_timeout_ms = 60000;  // default.api.timeout.ms
};

class AdminClient final : public Node {
public:
    struct Timed {
        sim::Time at;
        AdminOperation op;
    };
    AdminClient(std::vector<CreatableTopic> topics, const ClusterDirectory& directory, std::vector<Timed> operations = {},
                AdminClientConfig config = {});

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;

    // The scenario's topics exist.
    bool done() const { return pending_.empty(); }
    const std::vector<std::string>& created() const { return created_; }
    // One per timed operation, in the order given; `done` once answered or timed out.
    const std::vector<AdminCallResult>& results() const { return results_; }
    bool idle() const;

private:
    // ---- the scenario's topics
    void send_topics(Context& ctx);
    void ask_metadata(Context& ctx, int32_t correlation);
    void on_topics_created(const CreateTopicsResponse& r, Context& ctx);

    // ---- timed calls
    struct Call {
        Timed timed;
        bool started = false;
        sim::Time deadline;
        int tries = 0;
        int32_t correlation = 0;          // of the request in flight, 0 = none
        sim::Time sent;
        std::vector<TopicPartitionName> waiting;  // delete-records: partitions not answered yet
        std::vector<int32_t> leader_requests;     // delete-records: correlation ids in flight
        bool metadata_asked = false;              // delete-records: waiting for a MetadataResponse
        std::map<TopicId, std::string> topic_names;  // delete-records: from the metadata
    };
    void start_call(size_t index, Context& ctx);
    void send_call(size_t index, Context& ctx);
    void send_delete_records(size_t index, const MetadataResponse& metadata, Context& ctx);
    void retry_later(size_t index, Context& ctx);
    void finish(size_t index, Context& ctx);
    void time_out(size_t index, Context& ctx);
    void record(size_t index, AdminOutcome outcome, Context& ctx);
    bool on_call_response(Message& msg, Context& ctx);
    sim::NodeId controller(Context& ctx, bool& asked_metadata);
    void next_controller();

    enum TimerKind : uint64_t { timer_topics = 0, timer_call_start = 1, timer_call_retry = 2, timer_call_check = 3 };
    static uint64_t tag(TimerKind kind, size_t index) { return (static_cast<uint64_t>(index) << 2) | kind; }

    static constexpr int64_t admin_wait_for_brokers_ms = 30000;
    bool cluster_up_ = false;
    sim::Time started_;
    size_t next_broker_ = 0;

    std::vector<CreatableTopic> pending_;
    std::vector<std::string> created_;
    const ClusterDirectory& directory_;
    AdminClientConfig config_;
    size_t next_controller_ = 0;
    int32_t metadata_controller_ = -1;  // controller id of the last MetadataResponse (ZooKeeper mode)
    // A broker answered metadata with a live broker in it: the client knows a node to call
    // (KafkaAdminClient's bootstrap; until then every call waits for a node assignment).
    bool bootstrapped_ = false;
    int32_t correlation_ = 0;           // of the scenario topics' requests
    int32_t next_correlation_ = 1000000;  // the timed calls' (their own range)

    std::vector<Call> calls_;
    std::vector<AdminCallResult> results_;
};

}  // namespace kafka
