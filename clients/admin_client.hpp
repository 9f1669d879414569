// The admin client that creates a scenario's topics once the cluster is up (what an operator's
// script does: wait until every broker is registered and unfenced, then kafka-topics.sh
// --create through the Admin API). It asks a broker for metadata until the live brokers are
// all of them (or admin_wait_for_brokers has passed: a scenario may start with a broker
// down), then retries until every topic exists: NOT_CONTROLLER moves it to the next
// controller, INVALID_REPLICATION_FACTOR means not enough brokers are usable yet. In ZooKeeper
// mode the controller is a broker: the one the metadata names.
#pragma once
#include <string>
#include <vector>

#include "broker/world.hpp"

namespace kafka {

class AdminClient final : public Node {
public:
    AdminClient(std::vector<CreatableTopic> topics, const ClusterDirectory& directory, int64_t retry_backoff_ms = 100);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;

    bool done() const { return pending_.empty(); }
    const std::vector<std::string>& created() const { return created_; }

private:
    void send(Context& ctx);
    void ask_metadata(Context& ctx);

    static constexpr int64_t admin_wait_for_brokers_ms = 30000;
    bool cluster_up_ = false;
    sim::Time started_;
    size_t next_broker_ = 0;

    std::vector<CreatableTopic> pending_;
    std::vector<std::string> created_;
    const ClusterDirectory& directory_;
    int64_t retry_backoff_ms_;
    size_t next_controller_ = 0;
    int32_t metadata_controller_ = -1;  // controller id of the last MetadataResponse
    int32_t correlation_ = 0;
};

}  // namespace kafka
