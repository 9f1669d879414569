#include "broker/errors.hpp"

namespace kafka {

const char* error_name(Error e) {
    switch (e) {
        case Error::unknown_server_error: return "UNKNOWN_SERVER_ERROR";
        case Error::none: return "NONE";
        case Error::offset_out_of_range: return "OFFSET_OUT_OF_RANGE";
        case Error::unknown_topic_or_partition: return "UNKNOWN_TOPIC_OR_PARTITION";
        case Error::invalid_topic_exception: return "INVALID_TOPIC_EXCEPTION";
        case Error::leader_not_available: return "LEADER_NOT_AVAILABLE";
        case Error::not_leader_or_follower: return "NOT_LEADER_OR_FOLLOWER";
        case Error::request_timed_out: return "REQUEST_TIMED_OUT";
        case Error::broker_not_available: return "BROKER_NOT_AVAILABLE";
        case Error::replica_not_available: return "REPLICA_NOT_AVAILABLE";
        case Error::stale_controller_epoch: return "STALE_CONTROLLER_EPOCH";
        case Error::network_exception: return "NETWORK_EXCEPTION";
        case Error::coordinator_load_in_progress: return "COORDINATOR_LOAD_IN_PROGRESS";
        case Error::coordinator_not_available: return "COORDINATOR_NOT_AVAILABLE";
        case Error::not_coordinator: return "NOT_COORDINATOR";
        case Error::not_enough_replicas: return "NOT_ENOUGH_REPLICAS";
        case Error::not_enough_replicas_after_append: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
        case Error::illegal_generation: return "ILLEGAL_GENERATION";
        case Error::unknown_member_id: return "UNKNOWN_MEMBER_ID";
        case Error::rebalance_in_progress: return "REBALANCE_IN_PROGRESS";
        case Error::unsupported_version: return "UNSUPPORTED_VERSION";
        case Error::topic_already_exists: return "TOPIC_ALREADY_EXISTS";
        case Error::invalid_partitions: return "INVALID_PARTITIONS";
        case Error::invalid_replication_factor: return "INVALID_REPLICATION_FACTOR";
        case Error::invalid_replica_assignment: return "INVALID_REPLICA_ASSIGNMENT";
        case Error::invalid_config: return "INVALID_CONFIG";
        case Error::not_controller: return "NOT_CONTROLLER";
        case Error::invalid_request: return "INVALID_REQUEST";
        case Error::policy_violation: return "POLICY_VIOLATION";
        case Error::out_of_order_sequence_number: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
        case Error::duplicate_sequence_number: return "DUPLICATE_SEQUENCE_NUMBER";
        case Error::invalid_producer_epoch: return "INVALID_PRODUCER_EPOCH";
        case Error::invalid_txn_state: return "INVALID_TXN_STATE";
        case Error::invalid_producer_id_mapping: return "INVALID_PRODUCER_ID_MAPPING";
        case Error::invalid_transaction_timeout: return "INVALID_TRANSACTION_TIMEOUT";
        case Error::concurrent_transactions: return "CONCURRENT_TRANSACTIONS";
        case Error::transaction_coordinator_fenced: return "TRANSACTION_COORDINATOR_FENCED";
        case Error::unknown_producer_id: return "UNKNOWN_PRODUCER_ID";
        case Error::reassignment_in_progress: return "REASSIGNMENT_IN_PROGRESS";
        case Error::topic_deletion_disabled: return "TOPIC_DELETION_DISABLED";
        case Error::fenced_leader_epoch: return "FENCED_LEADER_EPOCH";
        case Error::unknown_leader_epoch: return "UNKNOWN_LEADER_EPOCH";
        case Error::stale_broker_epoch: return "STALE_BROKER_EPOCH";
        case Error::member_id_required: return "MEMBER_ID_REQUIRED";
        case Error::preferred_leader_not_available: return "PREFERRED_LEADER_NOT_AVAILABLE";
        case Error::inconsistent_group_protocol: return "INCONSISTENT_GROUP_PROTOCOL";
        case Error::invalid_session_timeout: return "INVALID_SESSION_TIMEOUT";
        case Error::fenced_instance_id: return "FENCED_INSTANCE_ID";
        case Error::eligible_leaders_not_available: return "ELIGIBLE_LEADERS_NOT_AVAILABLE";
        case Error::election_not_needed: return "ELECTION_NOT_NEEDED";
        case Error::no_reassignment_in_progress: return "NO_REASSIGNMENT_IN_PROGRESS";
        case Error::unstable_offset_commit: return "UNSTABLE_OFFSET_COMMIT";
        case Error::producer_fenced: return "PRODUCER_FENCED";
        case Error::invalid_update_version: return "INVALID_UPDATE_VERSION";
        case Error::inconsistent_voter_set: return "INCONSISTENT_VOTER_SET";
        case Error::duplicate_broker_registration: return "DUPLICATE_BROKER_REGISTRATION";
        case Error::broker_id_not_registered: return "BROKER_ID_NOT_REGISTERED";
        case Error::ineligible_replica: return "INELIGIBLE_REPLICA";
        case Error::new_leader_elected: return "NEW_LEADER_ELECTED";
        case Error::transaction_abortable: return "TRANSACTION_ABORTABLE";
    }
    return "UNKNOWN";
}

bool is_retriable(Error e) {
    switch (e) {
        case Error::unknown_topic_or_partition:
        case Error::leader_not_available:
        case Error::not_leader_or_follower:
        case Error::request_timed_out:
        case Error::network_exception:
        case Error::coordinator_load_in_progress:
        case Error::coordinator_not_available:
        case Error::not_coordinator:
        case Error::not_enough_replicas:
        case Error::not_enough_replicas_after_append:
        case Error::not_controller:
        case Error::fenced_leader_epoch:
        case Error::unknown_leader_epoch:
        case Error::broker_not_available:
        case Error::replica_not_available:
        case Error::concurrent_transactions:   // ConcurrentTransactionsException is retriable
        case Error::unstable_offset_commit:    // UnstableOffsetCommitException
            return true;
        default:
            return false;
    }
}

bool needs_metadata_refresh(Error e) {
    switch (e) {
        case Error::unknown_topic_or_partition:
        case Error::leader_not_available:
        case Error::not_leader_or_follower:
        case Error::fenced_leader_epoch:
        case Error::unknown_leader_epoch:
        case Error::request_timed_out:
        case Error::network_exception:
        case Error::broker_not_available:
            return true;
        default:
            return false;
    }
}

}  // namespace kafka
