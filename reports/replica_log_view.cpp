#include "reports/replica_log_view.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <utility>

namespace reports {

namespace {

std::string seq_range(uint32_t first, int32_t count) {
    return count == 1 ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(first + count - 1);
}

// A row is a batch start, or a mark: the offset some replica's HW or LEO stands at.
struct Row {
    int64_t offset;
    bool mark;
};

// One column's batches by base offset.
using Batches = std::map<int64_t, const kafka::RecordBatch*>;

// The last stable offset is a mark only where an open transaction holds it below the HW.
bool shows_lso(const scenarios::ReplicaSnapshot& r) {
    return r.last_stable_offset >= 0 && r.last_stable_offset != r.high_watermark;
}

std::string mark_cell(const scenarios::ReplicaSnapshot& r, int64_t offset) {
    std::string names;
    auto add = [&names](const char* name) { names += (names.empty() ? "" : ", ") + std::string(name); };
    if (shows_lso(r) && r.last_stable_offset == offset) add("LSO");
    if (r.high_watermark == offset) add("HW");
    if (r.log_end_offset == offset) add("LEO");
    return names.empty() ? "" : "-- " + names + " " + std::to_string(offset) + " --";
}

// A transaction marker, or a batch's records: "(group records)", "producer#seq", with "(txn)"
// for transactional records.
std::string batch_text(const kafka::RecordBatch& b, const std::function<std::string(uint32_t client)>& producer_name) {
    if (b.is_control)
        return std::string(kafka::to_string(b.control_type)) + " pid " + std::to_string(b.producer_id);
    std::string text = b.client == 0 ? std::string("(group records)")
                                     : producer_name(b.client) + "#" + seq_range(b.first_seq, b.record_count);
    if (b.is_transactional) text += " (txn)";
    return text;
}

bool carries_texts(const kafka::RecordBatch& b) { return b.contents != nullptr && !b.contents->texts.empty(); }

// One record's text: "value", or "key=value" when it has a key; long ones cut short.
std::string record_text(const kafka::TextRecord& t) {
    constexpr size_t longest = 24;
    auto cut = [](std::string s) {
        if (s.size() > longest) s = s.substr(0, longest - 3) + "...";
        return s;
    };
    std::string value = t.value ? cut(*t.value) : std::string("null");
    return t.key ? cut(*t.key) + "=" + value : value;
}

// The values of a batch's records: all of up to three, else the first two and the last.
std::string values_text(const kafka::RecordBatch& b) {
    if (!carries_texts(b)) return "";
    const auto& texts = b.contents->texts;
    std::string out;
    if (texts.size() <= 3) {
        for (size_t i = 0; i < texts.size(); ++i) out += (i == 0 ? "" : ", ") + record_text(texts[i]);
        return out;
    }
    return record_text(texts[0]) + ", " + record_text(texts[1]) + " ... " + record_text(texts.back());
}

}  // namespace

std::string format_replica_logs(const ReplicaLogView& view, LogWindow window,
                                const std::function<std::string(uint32_t client)>& producer_name,
                                const std::string& show_all_command) {
    std::vector<Batches> batches(view.columns.size());
    const Batches* leader = nullptr;
    for (size_t c = 0; c < view.columns.size(); ++c) {
        for (const auto& b : view.columns[c].replica.batches) batches[c][b.base_offset] = &b;
        if (view.columns[c].replica.broker == view.leader) leader = &batches[c];
    }

    // Every batch start of any replica and every replica's HW and LEO, in offset order; a mark
    // comes before the batch that starts at its offset (that batch is above the mark).
    std::set<std::pair<int64_t, bool>> offsets;  // (offset, is a batch)
    for (size_t c = 0; c < view.columns.size(); ++c) {
        for (const auto& [base, b] : batches[c]) offsets.insert({base, true});
        offsets.insert({view.columns[c].replica.high_watermark, false});
        offsets.insert({view.columns[c].replica.log_end_offset, false});
        if (shows_lso(view.columns[c].replica)) offsets.insert({view.columns[c].replica.last_stable_offset, false});
    }
    std::vector<Row> rows;
    for (const auto& [offset, is_batch] : offsets) rows.push_back({offset, !is_batch});
    // The window [first, last): whole batch rows, with the marks that sit among them.
    size_t first = rows.size(), last = rows.size(), shown = 0;
    if (window.from_offset) {
        first = static_cast<size_t>(
            std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.offset >= *window.from_offset; }) -
            rows.begin());
        for (last = first; last < rows.size() && (rows[last].mark || shown < window.rows); ++last)
            shown += rows[last].mark ? 0 : 1;
    } else {
        while (first > 0 && (rows[first - 1].mark || shown < window.rows)) shown += rows[--first].mark ? 0 : 1;
    }
    auto batch_rows = [&](size_t from, size_t to) {
        return static_cast<size_t>(std::count_if(rows.begin() + static_cast<std::ptrdiff_t>(from),
                                                 rows.begin() + static_cast<std::ptrdiff_t>(to),
                                                 [](const Row& r) { return !r.mark; }));
    };
    const size_t hidden_before = batch_rows(0, first), hidden_after = batch_rows(last, rows.size());

    bool differs = false, transactional = false;
    auto batch_cell = [&](size_t c, int64_t offset) -> std::string {
        const Batches& mine = batches[c];
        auto at = mine.find(offset);
        if (at == mine.end()) {
            auto next = mine.lower_bound(offset);
            const bool inside = next != mine.begin() && std::prev(next)->second->next_offset() > offset;
            return inside ? "  :" : "";  // ":" a longer batch of this replica goes on here
        }
        const kafka::RecordBatch& b = *at->second;
        transactional = transactional || b.is_transactional;
        std::string text = "e" + std::to_string(b.leader_epoch) + " " + batch_text(b, producer_name);
        if (leader != nullptr && leader != &mine) {
            auto theirs = leader->find(offset);
            if (theirs != leader->end() && !theirs->second->same_records(b)) {
                text += " *";
                differs = true;
            }
        }
        return text;
    };

    // Records that carry text values (a producer with "value", Kafka Connect) get a column of
    // them: the leader's batch at that offset, else the first replica's that has one.
    const bool with_values = std::any_of(batches.begin(), batches.end(), [](const Batches& mine) {
        return std::any_of(mine.begin(), mine.end(), [](const auto& e) { return carries_texts(*e.second); });
    });
    auto values_cell = [&](int64_t offset) -> std::string {
        if (leader != nullptr)
            if (auto at = leader->find(offset); at != leader->end()) return values_text(*at->second);
        for (const Batches& mine : batches)
            if (auto at = mine.find(offset); at != mine.end()) return values_text(*at->second);
        return "";
    };

    std::vector<std::vector<std::string>> table{{"offset"}};
    for (const auto& c : view.columns) table[0].push_back(c.title);
    if (with_values) table[0].push_back("values");
    for (size_t i = first; i < last; ++i) {
        std::vector<std::string> line{rows[i].mark ? "" : std::to_string(rows[i].offset)};
        for (size_t c = 0; c < view.columns.size(); ++c)
            line.push_back(rows[i].mark ? mark_cell(view.columns[c].replica, rows[i].offset)
                                        : batch_cell(c, rows[i].offset));
        if (with_values) line.push_back(rows[i].mark ? "" : values_cell(rows[i].offset));
        table.push_back(std::move(line));
    }
    std::vector<size_t> widths(table[0].size(), 0);
    for (const auto& line : table)
        for (size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());

    std::string out = view.partition + ": leader " + (view.leader < 0 ? "none" : std::to_string(view.leader)) +
                      " in leader epoch " + std::to_string(view.leader_epoch) + ", replicas " +
                      sim::format_id_list(view.replicas) + ", ISR " + sim::format_id_list(view.isr) +
                      " (the controller's view)\n";
    for (const auto& c : view.columns) {
        const scenarios::ReplicaSnapshot& r = c.replica;
        out += "  broker:" + std::to_string(r.broker) + "  log " + std::to_string(r.log_start_offset) + ".." +
               std::to_string(r.log_end_offset) + "  high watermark " + std::to_string(r.high_watermark) +
               (shows_lso(r) ? "  last stable offset " + std::to_string(r.last_stable_offset) : "") +
               (r.online ? "" : "  (read from its disk)") + "\n";
    }
    auto left_out = [](size_t n, const char* where) {
        return "  ... " + std::to_string(n) + (n == 1 ? " batch " : " batches ") + where;
    };
    if (hidden_before > 0)
        out += left_out(hidden_before, "before these") + " (`" + show_all_command + "` shows every one)\n";
    for (const auto& line : table) {
        std::string text;
        for (size_t i = 0; i < line.size(); ++i) {
            std::string cell = line[i];
            if (i == 0)
                cell.insert(0, widths[0] - cell.size(), ' ');  // offsets right-aligned
            else if (i + 1 < line.size())
                cell.resize(widths[i], ' ');
            text += (i == 0 ? "  " : "   ") + cell;
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    }
    if (hidden_after > 0) out += left_out(hidden_after, "after these") + "\n";
    out +=
        "  eN: the leader epoch that wrote the batch; producer#seq: whose records; HW: high watermark (consumers "
        "read below it); LEO: log end offset";
    if (differs) out += "; *: differs from the leader's batch at that offset";
    if (with_values)
        out += "; values: the batch's record values (key=value; the first two and the last of a longer batch)";
    if (transactional || std::any_of(view.columns.begin(), view.columns.end(),
                                     [](const auto& c) { return shows_lso(c.replica); }))
        out += "; (txn): transactional records; COMMIT/ABORT pid N: the marker that ended producer N's transaction; "
               "LSO: last stable offset (read_committed consumers read below it)";
    return out + "\n";
}

}  // namespace reports
