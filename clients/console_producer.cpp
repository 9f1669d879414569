#include "clients/console_producer.hpp"

#include "clients/client_timer.hpp"
#include "clients/murmur2.hpp"

namespace kafka {

namespace {

WorkloadSpec application_driven() {
    WorkloadSpec w;
    w.application_driven = true;
    return w;
}

}  // namespace

ConsoleProducer::ConsoleProducer(uint32_t client_ordinal, std::string topic, ProducerConfig config,
                                 std::vector<Line> lines, const ClusterDirectory& dir, ClientEvents* events)
    : producer_(std::make_unique<ProducerClient>(client_ordinal, std::move(topic), std::move(config),
                                                 application_driven(), dir, events)),
      lines_(std::move(lines)) {
    producer_->set_application(this);
}

bool ConsoleProducer::done() const {
    return next_ == lines_.size() && producer_->records_pending() == 0;
}

void ConsoleProducer::on_start(Context& ctx) {
    producer_->on_start(ctx);
    for (size_t i = next_; i < lines_.size(); ++i) {
        const sim::Time at = std::max(lines_[i].at, ctx.now());
        ctx.set_timer(at - ctx.now(), client_timer::tag(own_timer_kind, i));
    }
}

void ConsoleProducer::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    producer_->on_message(from, msg, ctx);
    send_due(ctx);  // the metadata may just have come
}

void ConsoleProducer::on_timer(uint64_t tag, Context& ctx) {
    if (client_timer::kind(tag) == own_timer_kind) {
        send_due(ctx);
        return;
    }
    producer_->on_timer(tag, ctx);
}

void ConsoleProducer::on_disconnect(sim::NodeId peer, Context& ctx) { producer_->on_disconnect(peer, ctx); }

// Lines typed by now go out in order once the producer has the topic's metadata (send() blocks
// on it in Java, for up to max.block.ms).
void ConsoleProducer::send_due(Context& ctx) {
    while (next_ < lines_.size() && lines_[next_].at <= ctx.now() && producer_->ready_for_application()) {
        const Line& line = lines_[next_];
        const int32_t partitions = producer_->partition_count(0);
        if (partitions <= 0) return;
        int32_t partition = 0;
        if (line.key) {
            partition = to_positive(murmur2(*line.key)) % partitions;
        } else {
            if (sticky_partition_ < 0 || sticky_partition_ >= partitions)
                sticky_partition_ = static_cast<int32_t>(ctx.rng().below(static_cast<uint64_t>(partitions)));
            partition = sticky_partition_;
        }
        if (!producer_->send_text(0, partition, TextRecord{line.key, line.value}, -1, static_cast<int64_t>(next_), ctx))
            return;
        ++next_;
    }
    if (next_ == lines_.size() && !flushed_) {
        flushed_ = true;
        producer_->flush(ctx);  // closing the console producer flushes what it sent
    }
}

}  // namespace kafka
