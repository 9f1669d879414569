// A ZooKeeper-mode broker's metadata: it holds a ZooKeeper session (ZkClient) and runs Kafka's
// ZooKeeper-mode controller (ZkController, active on one broker); its metadata cache is written
// by the controller's LeaderAndIsr and UpdateMetadata requests (fenced by controller epoch:
// STALE_CONTROLLER_EPOCH), and a leader writes ISR changes to the partition's state znode
// itself, conditional on its zkVersion, then announces them with an /isr_change_notification
// znode. A clean stop is a ControlledShutdown request to the controller. StopReplica stops
// replicas and, for a deleted topic, removes their logs; topic config overrides follow the
// /config/changes notifications (ZkConfigManager).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/controller/zk_controller.hpp"
#include "broker/metadata/metadata_source.hpp"
#include "broker/zookeeper/zk_client.hpp"

namespace kafka {

class ZkMetadataSource final : public MetadataSource {
public:
    // zookeepers: the ensemble's server ids.
    ZkMetadataSource(BrokerId id, std::vector<int32_t> zookeepers, const BrokerConfig& config,
                     const ClusterDirectory& directory, MetadataImage& image, ReplicaManager& replicas,
                     CorrelationIds& correlation_ids);

    void start(const StartInfo& info, Context& ctx) override;
    void shut_down(Context& ctx) override;
    void handle(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;
    void request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx) override;
    int32_t controller_id() const override { return zk_controller_id_; }
    sim::NodeId controller_node() const override { return directory_.broker_node(zk_controller_id_); }
    const ZkController* zk_controller() const override { return &controller_; }

private:
    // Takes what the controller reports after the session or the controller handled something.
    void after_zk();
    void handle_leader_and_isr(sim::NodeId from, const LeaderAndIsrRequest& req, Context& ctx);
    void handle_update_metadata(sim::NodeId from, const UpdateMetadataRequest& req, Context& ctx);
    void handle_stop_replica(sim::NodeId from, const StopReplicaRequest& req, Context& ctx);
    // ZkConfigManager: the /config/changes notifications after the last one processed.
    void watch_config_changes(Context& ctx);
    void apply_topic_config(const std::string& topic, const ConfigMap& configs, Context& ctx);
    bool stale_controller(int32_t controller_epoch, const char* request, Context& ctx);
    // Topics in `skip` (being deleted) are not cached.
    void cache_topics(const std::vector<ZkTopicInfo>& topics, const std::set<TopicId>* skip = nullptr);
    void cache_partition(const LeaderAndIsrPartitionState& s);
    void send_controlled_shutdown(Context& ctx);
    void on_controlled_shutdown(const ControlledShutdownResponse& r, Context& ctx);
    void stop_now(Context& ctx);

    ZkClient zk_;
    ZkController controller_;
    int32_t controller_epoch_seen_ = 0;   // highest controller epoch a request came with
    BrokerId zk_controller_id_ = -1;      // from UpdateMetadata
    int64_t cache_offset_ = -1;           // the metadata cache's change counter (image offsets)
    std::map<TopicPartition, int32_t> state_controller_epoch_;  // controller epoch of each partition's state
    int32_t controlled_shutdown_request_ = 0;
    sim::TimerId controlled_shutdown_timer_;
    bool closing_session_ = false;  // stopping: exit once ZooKeeper confirmed the session is closed
    int controlled_shutdown_attempts_ = 0;
    std::map<TopicId, std::string> topic_names_;  // every topic a controller request named (StopReplica names ids)
    int64_t last_config_change_ = -1;             // sequence number of the last notification processed
};

}  // namespace kafka
