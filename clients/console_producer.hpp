// kafka-console-producer.sh as a node (ConsoleProducer with LineMessageReader): one record per
// typed line, sent at the virtual time it was typed, through a KafkaProducer with the console
// producer's settings (client.id console-producer; acks from --request-required-acks, -1 since
// 3.2 and 1 before; linger.ms from --timeout, 1000). A keyed line goes to
// toPositive(murmur2(key)) % partitions (BuiltInPartitioner.partitionForKey); lines without a
// key stick to one partition (the sticky partitioner: here one partition for the whole session,
// as a handful of typed lines never fills a batch). Closing flushes everything sent.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clients/producer_client.hpp"

namespace kafka {

class ConsoleProducer final : public Node, private ProducerApplication {
public:
    struct Line {
        sim::Time at;
        std::optional<std::string> key;    // parse.key=true: before key.separator; nullopt: null key
        std::optional<std::string> value;  // null.marker: nullopt (a tombstone)
    };
    ConsoleProducer(uint32_t client_ordinal, std::string topic, ProducerConfig config, std::vector<Line> lines,
                    const ClusterDirectory& dir, ClientEvents* events);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // Every line handed to the producer (metadata known), and the producer has nothing left to send.
    bool done() const;
    size_t sent() const { return next_; }
    const ProducerClient& producer() const { return *producer_; }

private:
    void on_transaction_completed(bool, Error, Context&) override {}
    void on_transaction_abortable(Error, Context&) override {}
    void on_producer_fatal(Error, Context&) override {}
    void send_due(Context& ctx);

    static constexpr uint64_t own_timer_kind = 0xF0;  // above every kind a client uses
    std::unique_ptr<ProducerClient> producer_;
    std::vector<Line> lines_;
    size_t next_ = 0;
    int32_t sticky_partition_ = -1;
    bool flushed_ = false;
};

}  // namespace kafka
