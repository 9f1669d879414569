#include "scenarios/capabilities.hpp"

namespace scenarios {

std::vector<LoadError> not_yet_supported(const Scenario& s, const std::string& file) {
    std::vector<LoadError> out;
    if (s.kafka.metadata == MetadataMode::zookeeper)
        out.push_back({file, "/kafka/metadata",
                       "ZooKeeper mode is not simulated yet (only \"kraft\" runs in this build)", "kraft"});
    return out;
}

}  // namespace scenarios
