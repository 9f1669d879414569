// Kafka protocol error codes (org.apache.kafka.common.protocol.Errors), the subset modelled.
#pragma once
#include <cstdint>

namespace kafka {

enum class Error : int16_t {
    unknown_server_error = -1,
    none = 0,
    offset_out_of_range = 1,
    unknown_topic_or_partition = 3,
    invalid_topic_exception = 17,
    leader_not_available = 5,
    not_leader_or_follower = 6,
    request_timed_out = 7,
    broker_not_available = 8,
    replica_not_available = 9,
    stale_controller_epoch = 11,
    network_exception = 13,
    coordinator_load_in_progress = 14,
    coordinator_not_available = 15,
    not_coordinator = 16,
    not_enough_replicas = 19,
    not_enough_replicas_after_append = 20,
    illegal_generation = 22,
    inconsistent_group_protocol = 23,
    unknown_member_id = 25,
    invalid_session_timeout = 26,
    rebalance_in_progress = 27,
    unsupported_version = 35,
    topic_already_exists = 36,
    invalid_partitions = 37,
    invalid_replication_factor = 38,
    invalid_replica_assignment = 39,
    invalid_config = 40,
    not_controller = 41,
    invalid_request = 42,
    policy_violation = 44,
    out_of_order_sequence_number = 45,
    duplicate_sequence_number = 46,
    invalid_producer_epoch = 47,
    invalid_txn_state = 48,
    invalid_producer_id_mapping = 49,
    invalid_transaction_timeout = 50,
    concurrent_transactions = 51,
    transaction_coordinator_fenced = 52,
    unknown_producer_id = 59,
    reassignment_in_progress = 60,
    topic_deletion_disabled = 73,
    fenced_leader_epoch = 74,
    unknown_leader_epoch = 75,
    stale_broker_epoch = 77,
    member_id_required = 79,
    preferred_leader_not_available = 80,
    fenced_instance_id = 82,
    eligible_leaders_not_available = 83,
    election_not_needed = 84,
    no_reassignment_in_progress = 85,
    unstable_offset_commit = 88,
    producer_fenced = 90,
    invalid_update_version = 95,
    inconsistent_voter_set = 68,
    duplicate_broker_registration = 101,
    broker_id_not_registered = 102,
    ineligible_replica = 107,
    new_leader_elected = 108,
    transaction_abortable = 120,
};

// Kafka's own upper-case name, e.g. "NOT_ENOUGH_REPLICAS".
const char* error_name(Error e);
// Retriable errors as the Java client classifies them (RetriableException subclasses).
bool is_retriable(Error e);
// Errors after which the client refreshes metadata before retrying (InvalidMetadataException).
bool needs_metadata_refresh(Error e);

}  // namespace kafka
