#include "sim/disk.hpp"

namespace sim {

std::vector<std::string> Disk::list(const std::string& prefix) const {
    std::vector<std::string> out;
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) break;
        out.push_back(it->first);
    }
    return out;
}

}  // namespace sim
