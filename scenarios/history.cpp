#include "scenarios/history.hpp"

namespace scenarios {

uint32_t History::add_client(std::string name) {
    client_names_.push_back(std::move(name));
    return static_cast<uint32_t>(client_names_.size() - 1);
}

void History::on_send(uint32_t client, sim::Time t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count) {
    sends_.push_back(SendOp{t, RecordRange{client, tp, first_seq, count}});
    records_sent_ += count;
}

void History::on_ack(uint32_t client, sim::Time t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count,
                     int64_t base_offset) {
    acks_.push_back(AckOp{t, RecordRange{client, tp, first_seq, count}, base_offset});
    records_acked_ += count;
}

void History::on_error(uint32_t client, sim::Time t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count,
                       kafka::Error error, bool final) {
    errors_.push_back(ErrorOp{t, RecordRange{client, tp, first_seq, count}, error, final});
    if (final) records_failed_ += count;
}

void History::on_poll(uint32_t client, sim::Time t, kafka::TopicPartition tp, const kafka::RecordBatch& batch,
                      int64_t first_offset, int32_t count) {
    auto skip = static_cast<uint32_t>(first_offset - batch.base_offset);
    polls_.push_back(PollOp{t, client, tp, first_offset, count, batch.client, batch.first_seq + skip, batch.leader_epoch});
    records_polled_ += count;
}

void History::on_assignment(uint32_t client, sim::Time t, int32_t generation,
                            const std::vector<kafka::TopicPartition>& partitions) {
    assignments_.push_back(AssignmentOp{t, client, generation, partitions, polls_.size()});
}

void History::on_commit(uint32_t client, sim::Time t, int32_t generation, kafka::TopicPartition tp, int64_t offset) {
    commits_.push_back(CommitOp{t, client, generation, tp, offset});
}

}  // namespace scenarios
