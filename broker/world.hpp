// The world type every Kafka node lives in, and the directory that maps Kafka ids to world
// nodes (what controller.quorum.voters and bootstrap.servers tell a real process).
#pragma once
#include <map>

#include "broker/events.hpp"
#include "broker/messages.hpp"
#include "sim/world.hpp"

namespace kafka {

using World = sim::World<Message, Event>;
using Context = sim::Context<Message, Event>;
using Node = sim::Node<Message, Event>;

struct ClusterDirectory {
    std::map<int32_t, sim::NodeId> controllers;  // KRaft voters, ids 3000..
    std::map<int32_t, sim::NodeId> brokers;      // brokers, ids 1..
    std::map<int32_t, sim::NodeId> zookeepers;   // ZooKeeper mode: the ensemble, server ids 1..
    sim::NodeId admin = sim::no_node;
    std::map<int32_t, sim::NodeId> connect_workers;  // Kafka Connect workers, ids 1..
    sim::NodeId connect_worker_node(int32_t id) const {
        auto it = connect_workers.find(id);
        return it == connect_workers.end() ? sim::no_node : it->second;
    }

    sim::NodeId controller_node(int32_t id) const {
        auto it = controllers.find(id);
        return it == controllers.end() ? sim::no_node : it->second;
    }
    sim::NodeId broker_node(int32_t id) const {
        auto it = brokers.find(id);
        return it == brokers.end() ? sim::no_node : it->second;
    }
    sim::NodeId zookeeper_node(int32_t id) const {
        auto it = zookeepers.find(id);
        return it == zookeepers.end() ? sim::no_node : it->second;
    }
    int32_t zookeeper_id(sim::NodeId node) const {
        for (const auto& [id, n] : zookeepers)
            if (n == node) return id;
        return -1;
    }
    // Either kind: Raft messages go to voters, responses back to whoever asked.
    sim::NodeId node_of(int32_t id) const {
        sim::NodeId n = controller_node(id);
        return n != sim::no_node ? n : broker_node(id);
    }
    int32_t kafka_id(sim::NodeId node) const {
        for (const auto& [id, n] : controllers)
            if (n == node) return id;
        for (const auto& [id, n] : brokers)
            if (n == node) return id;
        return -1;
    }
};

}  // namespace kafka
