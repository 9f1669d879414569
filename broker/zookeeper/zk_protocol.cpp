#include "broker/zookeeper/zk_protocol.hpp"

namespace kafka {

const char* to_string(ZkCode c) {
    switch (c) {
        case ZkCode::ok: return "OK";
        case ZkCode::connection_loss: return "CONNECTIONLOSS";
        case ZkCode::bad_arguments: return "BADARGUMENTS";
        case ZkCode::no_node: return "NONODE";
        case ZkCode::bad_version: return "BADVERSION";
        case ZkCode::no_children_for_ephemerals: return "NOCHILDRENFOREPHEMERALS";
        case ZkCode::node_exists: return "NODEEXISTS";
        case ZkCode::not_empty: return "NOTEMPTY";
        case ZkCode::session_expired: return "SESSIONEXPIRED";
        case ZkCode::session_moved: return "SESSIONMOVED";
        case ZkCode::runtime_inconsistency: return "RUNTIMEINCONSISTENCY";
    }
    return "?";
}

const char* to_string(ZkEventType t) {
    switch (t) {
        case ZkEventType::none: return "None";
        case ZkEventType::node_created: return "NodeCreated";
        case ZkEventType::node_deleted: return "NodeDeleted";
        case ZkEventType::node_data_changed: return "NodeDataChanged";
        case ZkEventType::node_children_changed: return "NodeChildrenChanged";
    }
    return "?";
}

}  // namespace kafka
