// ZooKeeper's DataTree: the znodes (data, stat, children), the ephemerals of each session and
// the live sessions with their timeouts (ZKDatabase's sessionsWithTimeouts). Every server
// applies committed txns to its own tree, in zxid order; the leader keeps a second tree with
// its not yet committed proposals applied too, against which PrepRequestProcessor checks new
// requests. Watches are not here: they belong to the connections of the server (see
// ZooKeeperServer); apply() reports which watch triggers a txn causes.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/zookeeper/zk_protocol.hpp"

namespace kafka {

struct ZNode {
    std::string data;
    ZkStat stat;
    std::set<std::string> children;  // names, not paths; sorted as getChildren answers
};

// What a txn changed, for the WatchManager: NodeCreated/NodeDataChanged fire data (and exists)
// watches of path, NodeChildrenChanged the child watches of path, NodeDeleted both.
struct ZkWatchTrigger {
    ZkEventType type = ZkEventType::none;
    std::string path;
};

struct ZkSessionInfo {
    int64_t timeout_ms = 0;
    int32_t client_id = 0;
};

// "/a/b" -> "/a", "/a" -> "/".
std::string zk_parent_path(const std::string& path);
// PathUtils.validatePath: absolute, no empty, "." or ".." names, no trailing slash (but "/").
bool zk_valid_path(const std::string& path);

class DataTree {
public:
    DataTree();

    const ZNode* find(const std::string& path) const;
    // DataTree.processTxn; appends the watch triggers (in ZooKeeper's order) when asked.
    void apply(const ZkTxn& txn, std::vector<ZkWatchTrigger>* triggers);

    const std::map<int64_t, ZkSessionInfo>& sessions() const { return sessions_; }
    bool has_session(int64_t session) const { return sessions_.count(session) != 0; }
    std::vector<std::string> ephemerals(int64_t session) const;  // sorted
    int64_t last_processed_zxid() const { return last_processed_zxid_; }
    size_t node_count() const { return nodes_.size(); }

private:
    void create_node(const ZkTxn& txn, int64_t zxid, std::vector<ZkWatchTrigger>* triggers);
    void delete_node(const std::string& path, int64_t zxid, std::vector<ZkWatchTrigger>* triggers);
    void set_data(const ZkTxn& txn, int64_t zxid, std::vector<ZkWatchTrigger>* triggers);
    void apply_op(const ZkTxn& txn, int64_t zxid, std::vector<ZkWatchTrigger>* triggers);

    std::map<std::string, ZNode> nodes_;
    std::map<int64_t, std::set<std::string>> ephemerals_;  // session -> paths
    std::map<int64_t, ZkSessionInfo> sessions_;
    int64_t last_processed_zxid_ = 0;
};

}  // namespace kafka
