// The systems outside Kafka that connectors talk to, as the world keeps them: a source (a file
// that grows line by line, or a table that grows row by row) and a sink (a file that lines are
// appended to, or a table written by insert or by upsert on the record key). They belong to
// the world, not to a worker: a worker that crashes loses its tasks, not the database.
//
// A source's rows are a function of time: row i (from 0) exists from `from + i / rate` (plus
// `initial_rows` present from the start), up to `until`, so reading it needs no state. A row's
// text is "<source>-<i>" unless the source lists its lines. Either system can be unavailable for
// a window (the "external-down" fault): a source task's poll then returns nothing and a sink
// task's put() throws a RetriableException.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace kafka::connect {

struct ExternalSourceSpec {
    std::string name;        // the file name or table name connectors refer to
    bool table = false;      // a table (rows with an id column) or a file (lines)
    int64_t initial_rows = 0;
    double rate_per_s = 0;   // rows appended per second in [from, until)
    sim::Time from = sim::time_zero;
    sim::Time until = sim::time_never;
    std::vector<std::string> lines;  // a file's given lines (the first rows), instead of generated text
    // Rows a converter cannot read (a poison record: bytes that are not the JSON the sink's
    // converter expects). Their text is "<source>-<i> (malformed)".
    std::vector<int64_t> malformed_rows;
};

// One write of a sink connector into its external system.
struct SinkWrite {
    sim::Time at;
    std::string connector;
    int32_t task = 0;
    std::string worker;     // worker id, "connect-1:8083"
    std::string text;       // the record's value text (a row of a source)
    int32_t key = -1;       // the record key (upsert), -1 null
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
};

class ExternalSystems {
public:
    void add_source(ExternalSourceSpec spec);
    const ExternalSourceSpec* source(const std::string& name) const;
    const std::map<std::string, ExternalSourceSpec>& sources() const { return sources_; }
    // Rows of the source that exist at time t.
    int64_t rows_at(const ExternalSourceSpec& s, sim::Time t) const;
    // When row i comes into existence (time_never: never).
    sim::Time row_time(const ExternalSourceSpec& s, int64_t row) const;
    std::string row_text(const ExternalSourceSpec& s, int64_t row) const;
    bool row_malformed(const ExternalSourceSpec& s, int64_t row) const;
    // Whether a record value is one of the malformed rows (what a sink's converter chokes on).
    bool malformed(const std::string& text) const { return malformed_texts_.contains(text); }

    // Outages ("external-down" faults): name -> until when it is down.
    void set_down(const std::string& name, sim::Time until) { down_until_[name] = until; }
    bool available(const std::string& name, sim::Time t) const;

    // Sinks: every write in order. A file sink appends; a table sink's state is its writes with
    // upserts applied (table_state).
    void write(const std::string& sink, SinkWrite w) { writes_[sink].push_back(std::move(w)); }
    const std::map<std::string, std::vector<SinkWrite>>& writes() const { return writes_; }
    uint64_t total_writes() const;

private:
    std::map<std::string, ExternalSourceSpec> sources_;
    std::set<std::string> malformed_texts_;
    std::map<std::string, sim::Time> down_until_;
    std::map<std::string, std::vector<SinkWrite>> writes_;
};

}  // namespace kafka::connect
