// The admin client that creates a scenario's topics once the cluster is up (what
// kafka-topics.sh --create does through the Admin API). It retries until every topic exists:
// NOT_CONTROLLER moves it to the next controller, INVALID_REPLICATION_FACTOR means not
// enough brokers have registered yet.
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

    std::vector<CreatableTopic> pending_;
    std::vector<std::string> created_;
    const ClusterDirectory& directory_;
    int64_t retry_backoff_ms_;
    size_t next_controller_ = 0;
    int32_t correlation_ = 0;
};

}  // namespace kafka
