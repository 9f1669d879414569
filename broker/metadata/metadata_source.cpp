#include "broker/metadata/metadata_source.hpp"

namespace kafka {

void MetadataSource::handle_metadata(sim::NodeId from, const MetadataRequest& req, Context& ctx) const {
    MetadataResponse resp;
    resp.correlation_id = req.correlation_id;
    for (const auto& [bid, reg] : image_.brokers())
        if (!reg.fenced) resp.brokers.push_back(bid);
    resp.controller_id = controller_id();
    auto describe = [&](const TopicImage& t) {
        TopicMetadata tm;
        tm.name = t.name;
        tm.topic_id = t.id;
        for (const auto& ps : t.partitions) {
            PartitionMetadata pm;
            pm.partition = ps.tp.partition;
            pm.leader = ps.leader;
            pm.leader_epoch = ps.leader_epoch;
            pm.replicas = ps.replicas;
            pm.isr = ps.isr;
            pm.error = ps.leader == no_leader ? Error::leader_not_available : Error::none;
            tm.partitions.push_back(std::move(pm));
        }
        resp.topics.push_back(std::move(tm));
    };
    if (req.topics.empty()) {
        for (const auto& [tid, t] : image_.topics()) describe(t);
    } else {
        for (const auto& name : req.topics) {
            const TopicImage* t = image_.topic(name);
            if (t != nullptr) {
                describe(*t);
            } else {
                TopicMetadata tm;
                tm.name = name;
                tm.error = Error::unknown_topic_or_partition;
                resp.topics.push_back(std::move(tm));
            }
        }
    }
    ctx.send(from, std::move(resp));
}

}  // namespace kafka
