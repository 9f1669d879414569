#include "scenarios/capabilities.hpp"

namespace scenarios {

std::vector<LoadError> not_yet_supported(const Scenario& s, const std::string& file) {
    std::vector<LoadError> out;
    if (s.kafka.metadata == MetadataMode::zookeeper)
        out.push_back({file, "/kafka/metadata",
                       "ZooKeeper mode is not simulated yet (only \"kraft\" runs in this build)", "kraft"});
    for (size_t i = 0; i < s.consumers.size(); ++i)
        if (s.consumers[i].group)
            out.push_back({file, "/consumers/" + std::to_string(i) + "/group",
                           "consumer groups are not simulated yet: only \"group\": null (reading by assignment) runs",
                           ""});
    for (const ExpectSpec& e : s.expect)
        if (e.check == CheckKind::max_lag)
            out.push_back({file, "/expect/" + std::to_string(e.index),
                           "max-lag needs consumer groups with committed offsets, which are not simulated yet", ""});
    return out;
}

}  // namespace scenarios
