#include "broker/zookeeper/data_tree.hpp"

namespace kafka {

std::string zk_parent_path(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == 0 || slash == std::string::npos) return "/";
    return path.substr(0, slash);
}

bool zk_valid_path(const std::string& path) {
    if (path.empty() || path[0] != '/') return false;
    if (path == "/") return true;
    if (path.back() == '/') return false;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string_view name(path.data() + start, end - start);
        if (name.empty() || name == "." || name == "..") return false;
        if (name.find('\0') != std::string_view::npos) return false;
        start = end + 1;
    }
    return true;
}

DataTree::DataTree() { nodes_.emplace("/", ZNode{}); }

const ZNode* DataTree::find(const std::string& path) const {
    auto it = nodes_.find(path);
    return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<std::string> DataTree::ephemerals(int64_t session) const {
    auto it = ephemerals_.find(session);
    if (it == ephemerals_.end()) return {};
    return {it->second.begin(), it->second.end()};
}

void DataTree::create_node(const ZkTxn& txn, int64_t zxid, std::vector<ZkWatchTrigger>* triggers) {
    const std::string parent = zk_parent_path(txn.path);
    auto pit = nodes_.find(parent);
    if (pit == nodes_.end() || nodes_.count(txn.path) != 0) return;  // checked by the leader; a replay is a no-op
    ZNode& p = pit->second;
    p.children.insert(txn.path.substr(parent.size() == 1 ? 1 : parent.size() + 1));
    p.stat.cversion += 1;
    p.stat.num_children += 1;
    p.stat.pzxid = zxid;
    ZNode n;
    n.data = txn.data;
    n.stat.czxid = n.stat.mzxid = n.stat.pzxid = zxid;
    n.stat.ephemeral_owner = txn.ephemeral ? txn.session_id : 0;
    nodes_.emplace(txn.path, std::move(n));
    if (txn.ephemeral) ephemerals_[txn.session_id].insert(txn.path);
    if (triggers != nullptr) {
        triggers->push_back({ZkEventType::node_created, txn.path});
        triggers->push_back({ZkEventType::node_children_changed, parent});
    }
}

void DataTree::delete_node(const std::string& path, int64_t zxid, std::vector<ZkWatchTrigger>* triggers) {
    auto it = nodes_.find(path);
    if (it == nodes_.end() || path == "/") return;
    const int64_t owner = it->second.stat.ephemeral_owner;
    nodes_.erase(it);
    if (owner != 0) {
        auto e = ephemerals_.find(owner);
        if (e != ephemerals_.end()) {
            e->second.erase(path);
            if (e->second.empty()) ephemerals_.erase(e);
        }
    }
    const std::string parent = zk_parent_path(path);
    auto pit = nodes_.find(parent);
    if (pit != nodes_.end()) {
        ZNode& p = pit->second;
        p.children.erase(path.substr(parent.size() == 1 ? 1 : parent.size() + 1));
        p.stat.cversion += 1;
        p.stat.num_children -= 1;
        p.stat.pzxid = zxid;
    }
    if (triggers != nullptr) {
        triggers->push_back({ZkEventType::node_deleted, path});
        triggers->push_back({ZkEventType::node_children_changed, parent});
    }
}

void DataTree::set_data(const ZkTxn& txn, int64_t zxid, std::vector<ZkWatchTrigger>* triggers) {
    auto it = nodes_.find(txn.path);
    if (it == nodes_.end()) return;
    it->second.data = txn.data;
    it->second.stat.version += 1;
    it->second.stat.mzxid = zxid;
    if (triggers != nullptr) triggers->push_back({ZkEventType::node_data_changed, txn.path});
}

void DataTree::apply_op(const ZkTxn& txn, int64_t zxid, std::vector<ZkWatchTrigger>* triggers) {
    switch (txn.type) {
        case ZkTxn::Type::create: create_node(txn, zxid, triggers); break;
        case ZkTxn::Type::remove: delete_node(txn.path, zxid, triggers); break;
        case ZkTxn::Type::set_data: set_data(txn, zxid, triggers); break;
        case ZkTxn::Type::create_session:
            sessions_[txn.session_id] = ZkSessionInfo{txn.session_timeout_ms, txn.client_id};
            break;
        case ZkTxn::Type::close_session: {
            // DataTree.killSession: every ephemeral of the session goes (sorted: deterministic).
            auto e = ephemerals_.find(txn.session_id);
            if (e != ephemerals_.end()) {
                std::vector<std::string> paths(e->second.begin(), e->second.end());
                for (const auto& p : paths) delete_node(p, zxid, triggers);
            }
            sessions_.erase(txn.session_id);
            break;
        }
        case ZkTxn::Type::multi:
            for (const ZkTxn& op : txn.ops) apply_op(op, zxid, triggers);
            break;
        case ZkTxn::Type::error: break;
    }
}

void DataTree::apply(const ZkTxn& txn, std::vector<ZkWatchTrigger>* triggers) {
    apply_op(txn, txn.zxid, triggers);
    if (txn.zxid > last_processed_zxid_) last_processed_zxid_ = txn.zxid;
}

}  // namespace kafka
