// The ZooKeeper wire surface, one plain struct per packet kind, named after ZooKeeper's own
// (zookeeper-server/src/main/java/org/apache/zookeeper/server/quorum/ and jute/zookeeper.jute):
// client <-> server (ConnectRequest, a request header + op, replies, WatcherEvent) and
// server <-> server (FastLeaderElection's Notification, ZAB's QuorumPacket).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace kafka {

// KeeperException.Code, with ZooKeeper's numeric values.
enum class ZkCode : int16_t {
    ok = 0,
    connection_loss = -4,
    bad_arguments = -8,
    no_node = -101,
    bad_version = -103,
    no_children_for_ephemerals = -108,
    node_exists = -110,
    not_empty = -111,
    session_expired = -112,
    session_moved = -118,
    runtime_inconsistency = -2,
};
const char* to_string(ZkCode c);  // "NONODE", "NODEEXISTS", "BADVERSION", ...

// Zxid = epoch (high 32 bits) + counter (low 32 bits).
inline int64_t make_zxid(int32_t epoch, uint32_t counter) {
    return (static_cast<int64_t>(epoch) << 32) | static_cast<int64_t>(counter);
}
inline int32_t zxid_epoch(int64_t zxid) { return static_cast<int32_t>(zxid >> 32); }
inline uint32_t zxid_counter(int64_t zxid) { return static_cast<uint32_t>(zxid & 0xffffffff); }

struct ZkStat {
    int64_t czxid = 0;           // zxid of the create
    int64_t mzxid = 0;           // zxid of the last data change
    int32_t version = 0;         // data version (the zkVersion Kafka's conditional writes use)
    int32_t cversion = 0;        // children version
    int64_t ephemeral_owner = 0; // session id for an ephemeral, 0 otherwise
    int32_t num_children = 0;
    int64_t pzxid = 0;           // zxid of the last change to the children (SetWatches compares it)
};

enum class ZkCreateMode : uint8_t { persistent, ephemeral, persistent_sequential, ephemeral_sequential };

// One operation of a request or of a multi (OpCode in ZooDefs).
struct ZkOp {
    enum class Kind : uint8_t { create, remove, set_data, check, get_data, get_children, exists, sync, multi };
    Kind kind = Kind::get_data;
    std::string path;
    std::string data;
    ZkCreateMode mode = ZkCreateMode::persistent;
    int32_t version = -1;        // remove/set_data/check: -1 = any version
    bool watch = false;          // get_data/get_children/exists
    std::vector<ZkOp> ops;       // multi: create/remove/set_data/check only
};

enum class ZkEventType : uint8_t { none, node_created, node_deleted, node_data_changed, node_children_changed };
const char* to_string(ZkEventType t);  // "NodeCreated", ...

// A state change of the tree, as the leader's PrepRequestProcessor turns a request into one:
// everything already checked and resolved (sequential names, versions), so every server applies
// it the same way. A failed multi is logged as an error txn (type error) that changes nothing.
struct ZkTxn {
    enum class Type : uint8_t { create_session, close_session, create, remove, set_data, multi, error };
    Type type = Type::error;
    int64_t zxid = 0;
    int64_t session_id = 0;        // the session that asked
    int32_t xid = 0;               // the client's xid: the server holding the connection answers it
    ZkCode error = ZkCode::ok;     // error txn: the code the client gets
    std::vector<ZkCode> results;   // multi: per op (an error multi: the failing op and RUNTIMEINCONSISTENCY)
    int64_t session_timeout_ms = 0;// create_session
    std::string path;              // create/remove/set_data: the resolved path
    std::string data;
    bool ephemeral = false;        // create
    std::vector<ZkTxn> ops;        // multi
    std::vector<std::string> removed_ephemerals;  // close_session: what it deleted (for traces)
    int32_t client_id = 0;         // create_session: the Kafka id of the client (traces)
    bool expired = false;          // close_session: the leader's SessionTracker expired it (not the client)
};

// ---------------------------------------------------------------- client <-> server

struct ZkConnectRequest {
    int32_t client_id = 0;         // the Kafka id of the connecting process (for traces only)
    int64_t session_id = 0;        // 0: a new session; else re-attach to this one
    int64_t timeout_ms = 0;        // requested session timeout
    int64_t last_zxid_seen = 0;    // a server behind this refuses the connection
};
struct ZkConnectResponse {
    int64_t session_id = 0;        // 0 with timeout_ms 0: the session expired (client learns it now)
    int64_t timeout_ms = 0;        // negotiated, clamped to [2, 20] x tickTime
    bool refused = false;          // the server is not serving (no quorum, or behind the client)
};
struct ZkRequest {
    int64_t session_id = 0;
    int32_t xid = 0;               // echoed; ping = -2
    bool ping = false;
    bool close_session = false;
    ZkOp op;
    // Server-internal, in a forwarded REQUEST (the client never sets them): a new session that
    // the server holding the connection opened (the leader logs it as createSession).
    bool create_session = false;
    int64_t session_timeout_ms = 0;
    int32_t client_id = 0;
    // Client connections are TCP connections too: each end numbers what it sends after the
    // ConnectRequest/Response from 1; a gap (the network dropped a message) breaks the
    // connection, as it would break a socket (see ZkQuorumPacket::seq).
    int64_t seq = 0;
};
struct ZkResponse {
    int32_t xid = 0;
    int64_t zxid = 0;              // the server's last processed zxid
    ZkCode code = ZkCode::ok;
    std::string data;              // get_data
    ZkStat stat;                   // get_data/exists/set_data/create
    std::vector<std::string> children;  // get_children, sorted
    std::string created_path;      // create (the resolved name for sequential)
    std::vector<ZkCode> results;   // multi: one per op
    int64_t seq = 0;               // see ZkRequest::seq
};
struct ZkWatchEvent {              // WatcherEvent
    ZkEventType type = ZkEventType::none;
    std::string path;
    int64_t zxid = 0;
    int64_t seq = 0;               // see ZkRequest::seq
};
// Client -> server after re-connecting: re-register watches, and fire those whose znode
// changed after relative_zxid (ZooKeeper's SetWatches).
struct ZkSetWatches {
    int64_t session_id = 0;
    int64_t relative_zxid = 0;
    std::vector<std::string> data_watches;
    std::vector<std::string> exist_watches;
    std::vector<std::string> child_watches;
    int64_t seq = 0;               // see ZkRequest::seq
};

// ---------------------------------------------------------------- server <-> server

// FastLeaderElection.Notification (sent by LOOKING servers, answered by everyone).
struct ZkVote {
    enum class State : uint8_t { looking, following, leading, observing };
    int32_t sid = 0;               // sender
    int32_t leader = 0;            // proposed leader
    int64_t zxid = 0;              // proposed leader's last zxid
    int64_t election_epoch = 0;    // logicalclock
    int32_t peer_epoch = 0;        // proposed leader's epoch
    State state = State::looking;
};

// Leader.java's packet types, carried in a QuorumPacket.
struct ZkQuorumPacket {
    enum class Type : uint8_t {
        follower_info,  // FOLLOWERINFO: sid, accepted epoch (in zxid), last zxid
        leader_info,    // LEADERINFO: the new epoch
        ack_epoch,      // ACKEPOCH: current epoch, last logged zxid
        diff,           // DIFF: txns follow in proposal/commit pairs (here: in txns)
        trunc,          // TRUNC: truncate the log to zxid
        snap,           // SNAP: the whole committed log (the snapshot) in txns
        new_leader,     // NEWLEADER
        ack,            // ACK (of NEWLEADER or a PROPOSAL: zxid)
        up_to_date,     // UPTODATE: start serving
        proposal,       // PROPOSAL: one txn
        commit,         // COMMIT: zxid
        request,        // REQUEST: a follower forwards a client's write (op in request)
        ping,           // PING: leader -> follower; follower answers with its sessions' touches
        revalidate,     // REVALIDATE: a follower asks whether a re-attaching session is alive
    };
    Type type = Type::ping;
    int32_t sid = 0;               // sender
    int64_t zxid = 0;
    int32_t epoch = 0;
    std::vector<ZkTxn> txns;       // diff/snap/proposal
    ZkRequest request;             // request: the client's request; session owner in request.session_id
    int32_t request_server = 0;    // request: the follower that holds the client connection
    std::vector<std::pair<int64_t, int64_t>> touches;  // ping reply: (session, timeout) seen alive
    bool valid = false;            // revalidate reply
    // The learner connection a packet travels on (a TCP connection in ZooKeeper): the follower
    // names it in FOLLOWERINFO; each end numbers what it sends on it from 1, and a gap (the
    // simulated network drops a message and resets the link) breaks the connection as a
    // socket error would. seq -1: the sender closed the connection (FIN/RST).
    int64_t conn = 0;
    int64_t seq = 0;
    int64_t committed_zxid = 0;    // diff/trunc/snap: the leader's last committed zxid
};

}  // namespace kafka
