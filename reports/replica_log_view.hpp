// Every replica's log of one partition side by side, as `kafkasim shell`'s `log` prints it:
// one row per batch start (offset, the leader epoch that wrote the batch, whose records), and
// between the rows each replica's high watermark (HW) and log end offset (LEO), so that what is
// committed, what is only on some replicas, and where logs diverged can be read at a glance.
//
//   orders/0: leader 1 in leader epoch 0, replicas [1,2,3], ISR [1,2,3] (the controller's view)
//     broker:1  log 0..15  high watermark 10
//     broker:3  log 0..10  high watermark 0  (read from its disk)
//     offset   broker:1 leader e0   broker:2 follower e0   broker:3 crashed (disk)
//          0   e0 shell-1#0-9       e0 shell-1#0-9         e0 shell-1#0-9
//              -- HW 10 --          -- HW 10 --            -- LEO 10 --
//         10   e0 shell-2#0-4       e0 shell-2#0-4
//              -- LEO 15 --         -- LEO 15 --
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/run_data.hpp"

namespace reports {

struct ReplicaLogView {
    struct Column {
        std::string title;                   // "broker:3 crashed (disk)", "broker:1 leader e3"
        scenarios::ReplicaSnapshot replica;  // its log, high watermark and end
    };
    std::string partition;  // "orders/0"
    int32_t leader = -1;    // per the controller's metadata
    int32_t leader_epoch = -1;
    std::vector<int32_t> replicas, isr;
    std::vector<Column> columns;  // in replica order
};

// Which rows: `rows` batch rows (SIZE_MAX: all), the last ones, or from the first batch at or
// after `from_offset` when it is set.
struct LogWindow {
    size_t rows = 20;
    std::optional<int64_t> from_offset;
};

// The rows of the window, with a note of how many batches are left out before and after it
// and `show_all_command` to see them. producer_name: the label of a producing client.
std::string format_replica_logs(const ReplicaLogView& view, LogWindow window,
                                const std::function<std::string(uint32_t client)>& producer_name,
                                const std::string& show_all_command);

}  // namespace reports
