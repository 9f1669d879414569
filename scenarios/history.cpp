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
    if (!kept_.contains(client)) return;
    for (int32_t i = 0; i < count; ++i) {
        const auto index = static_cast<size_t>(first_offset - batch.base_offset + i);
        ReadRecord r;
        r.consumer = client;
        r.tp = tp;
        r.offset = first_offset + i;
        r.timestamp = batch.create_time;
        r.producer = batch.client;
        r.seq = batch.first_seq + static_cast<uint32_t>(index);
        if (const kafka::TextRecord* text = batch.contents ? batch.contents->text(index) : nullptr) {
            r.has_text = true;
            r.key = text->key;
            r.value = text->value;
        }
        records_read_.push_back(std::move(r));
    }
}

void History::on_assignment(uint32_t client, sim::Time t, int32_t generation,
                            const std::vector<kafka::TopicPartition>& partitions) {
    assignments_.push_back(AssignmentOp{t, client, generation, partitions, polls_.size()});
}

void History::on_commit(uint32_t client, sim::Time t, int32_t generation, kafka::TopicPartition tp, int64_t offset) {
    commits_.push_back(CommitOp{t, client, generation, tp, offset});
}

void History::on_txn_begin(uint32_t client, sim::Time t, uint32_t txn, int64_t producer_id, int16_t epoch) {
    txn_index_[{client, txn}] = txns_.size();
    TxnOp op;
    op.client = client;
    op.txn = txn;
    op.producer_id = producer_id;
    op.epoch = epoch;
    op.begin = t;
    txns_.push_back(std::move(op));
}

void History::on_txn_records(uint32_t client, uint32_t txn, kafka::TopicPartition tp, uint32_t first_seq, int32_t count) {
    auto it = txn_index_.find({client, txn});
    if (it == txn_index_.end()) return;
    txns_[it->second].records.push_back(RecordRange{client, tp, first_seq, count});
}

void History::on_txn_end(uint32_t client, sim::Time t, uint32_t txn, kafka::TxnOutcome outcome, kafka::Error error) {
    auto it = txn_index_.find({client, txn});
    if (it == txn_index_.end()) return;
    TxnOp& op = txns_[it->second];
    op.end = t;
    op.outcome = outcome;
    op.error = error;
}

const TxnOp* History::find_txn(uint32_t client, uint32_t txn) const {
    auto it = txn_index_.find({client, txn});
    return it == txn_index_.end() ? nullptr : &txns_[it->second];
}

}  // namespace scenarios
