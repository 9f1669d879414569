// Scenario file -> scenarios::Scenario. The format is a published contract
// (../shared/SCENARIOS.md): every field listed there is read here, every other field is an
// error, and every error says where (a JSON pointer) and what was expected.
#include "scenarios/scenario_loader.hpp"

#include "connect/connect_features.hpp"
#include "connect/connect_protocol.hpp"
#include "connect/connector_plugins.hpp"

#include "broker/api_names.hpp"
#include "clients/producer_client.hpp"
#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/faults/fault_kind.hpp"
#include "scenarios/limits.hpp"
#include "scenarios/printable.hpp"
#include "sim/world.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace scenarios {

using json = nlohmann::json;

namespace {

constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();
constexpr int first_controller_id = 3000;  // KRaft voters are 3000..3000+N-1

// ---- Name tables ----------------------------------------------------------------------------

const std::vector<std::string_view> top_level_fields = {"name",      "description", "seed",   "duration",
                                                        "kafka",     "network",     "topics", "producers",
                                                        "consumers", "apps",        "connect", "faults",
                                                        "expect"};
const std::vector<std::string_view> kafka_fields = {"version", "metadata", "brokers", "controllers", "zookeeper",
                                                    "config"};
const std::vector<std::string_view> network_fields = {"latency", "loss"};
const std::vector<std::string_view> latency_fields = {"min", "max"};
const std::vector<std::string_view> topic_fields = {"name", "partitions", "replication.factor", "assignment",
                                                    "config"};
const std::vector<std::string_view> producer_fields = {"id",    "topic",  "rate",  "keys",
                                                       "from",  "until",  "config", "transactions", "value"};
const std::vector<std::string_view> value_fields = {"size", "pattern"};
const std::vector<std::string> value_placeholders = {"seq", "key", "producer"};
// A record value larger than max.request.size (1048576) never leaves a Java producer.
constexpr int64_t max_value_size_bytes = 1048576;
// Record values are held in memory (each record's text): a producer's over the run, at most.
constexpr double max_value_bytes_per_producer = 512.0 * 1024 * 1024;
const std::vector<std::string_view> transactions_fields = {"records", "abort"};
const std::vector<std::string_view> consumer_fields = {"group", "members", "topics", "rate",
                                                       "from",  "until",   "config"};
const std::vector<std::string_view> app_fields = {"name", "instances", "processing.guarantee", "topology", "from", "until",
                                                  "config"};
const std::vector<std::string_view> topology_fields = {"source", "filter", "count", "sink"};
const std::vector<std::string_view> connect_fields = {"mode", "workers", "config", "connectors", "external"};
const std::vector<std::string_view> connector_fields = {"name", "config"};
const std::vector<std::string_view> external_fields = {"name", "kind", "rows", "lines", "rate", "from", "until",
                                                       "malformed_rows"};
const std::vector<std::string_view> rest_fields = {"at", "action", "target", "method", "path", "body"};
// Timeline admin actions and their fields (the Kafka tools' parameter names).
const std::vector<std::string_view> admin_action_names = {"create-topic", "delete-topic", "add-partitions", "alter-config",
                                                          "reassign",     "elect-leaders", "delete-records"};
const std::map<std::string_view, std::vector<std::string_view>> admin_action_fields = {
    {"create-topic", {"at", "action", "topic", "partitions", "replication.factor", "assignment", "config"}},
    {"delete-topic", {"at", "action", "topic"}},
    {"add-partitions", {"at", "action", "topic", "partitions", "assignment"}},
    {"alter-config", {"at", "action", "entity-type", "entity-name", "add-config", "delete-config"}},
    {"reassign", {"at", "action", "partitions", "cancel"}},
    {"elect-leaders", {"at", "action", "election-type", "topic", "partition", "partitions", "all-topic-partitions"}},
    {"delete-records", {"at", "action", "partitions"}},
};
const std::vector<std::string_view> target_prefixes = {"broker", "controller", "zookeeper", "leader",  "quorum",
                                                       "coordinator", "producer", "consumer", "app", "connect", "task"};
const std::vector<std::string_view> target_words = {"brokers", "controllers", "zookeepers", "connect-workers"};

// ---- Small helpers --------------------------------------------------------------------------

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The closest candidate, or "" when none is close (same rule as config names: distance at
// most max(2, length/3)). Ties go to the first candidate, so messages are stable.
// Nobody mistypes a name longer than this; past it the distance would cost length squared (two
// 70 000-character group names a letter apart took minutes), so there is no suggestion.
constexpr size_t longest_suggested = 256;

template <class Range>
std::string closest(std::string_view word, const Range& candidates) {
    if (word.size() > longest_suggested) return "";
    const size_t limit = std::max<size_t>(2, word.size() / 3);
    std::string best;
    size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        // The distance is at least the difference in length: a 70 000-character name costs nothing.
        const size_t c_size = std::string_view(c).size();
        if (std::max(word.size(), c_size) - std::min(word.size(), c_size) > limit) continue;
        size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best = std::string(c);
            best_distance = d;
        }
    }
    return best;
}

std::string pointer_escape(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}
std::string at(const std::string& path, std::string_view key) { return path + "/" + pointer_escape(key); }
std::string at(const std::string& path, size_t index) { return path + "/" + std::to_string(index); }

// A string as JSON writes it, with bytes that are not UTF-8 as \xNN (a shell line may hold
// them; nlohmann's dump would throw), at most about `limit` bytes of it.
void quote_into(std::string& out, std::string_view s, size_t limit) {
    out += '"';
    for (size_t i = 0; i < s.size() && out.size() <= limit; ++i) {
        const char c = s[i];
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (c == '\b') out += "\\b";
        else if (c == '\f') out += "\\f";
        else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else if (static_cast<unsigned char>(c) < 0x80) {
            out += c;
        } else {
            // Well-formed characters as they are, any other byte escaped.
            const size_t n = utf8_char_length(s, i);
            if (n == 0) {
                out += printable(s.substr(i, 1));
            } else {
                out.append(s.substr(i, n));
                i += n - 1;
            }
        }
    }
    out += '"';
}

// The JSON text of v (as dump() writes it) until it is longer than `limit`: a value that
// could be megabytes is never written out whole for a message.
void dump_into(std::string& out, const json& v, size_t limit) {
    if (out.size() > limit) return;
    switch (v.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, value] : v.items()) {
                if (out.size() > limit) return;
                if (!first) out += ',';
                first = false;
                quote_into(out, key, limit);
                out += ':';
                dump_into(out, value, limit);
            }
            out += '}';
            break;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (const json& e : v) {
                if (out.size() > limit) return;
                if (!first) out += ',';
                first = false;
                dump_into(out, e, limit);
            }
            out += ']';
            break;
        }
        case json::value_t::string: quote_into(out, v.get_ref<const std::string&>(), limit); break;
        default: out += v.dump(); break;
    }
}

// The value as written, shortened, for "got ..." in messages.
std::string shown(const json& v) {
    std::string text;
    dump_into(text, v, 40);
    if (text.size() > 40) {
        size_t cut = 37;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole characters
        text = text.substr(0, cut) + "...";
    }
    return text;
}

// A name as messages quote it: cut when long, bytes that are not text escaped.
std::string in_quotes(std::string_view s) { return "\"" + printable(s) + "\""; }

std::string range_text(int64_t min, int64_t max) {
    if (max == int64_max) return " >= " + std::to_string(min);
    return " from " + std::to_string(min) + " to " + std::to_string(max);
}

std::optional<int32_t> parse_id(std::string_view s) {
    if (s.empty() || s.size() > 9) return std::nullopt;
    int32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

const json* member(const json& obj, std::string_view key) {
    auto it = obj.find(std::string(key));
    return it == obj.end() ? nullptr : &*it;
}

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Finds repeated keys while parsing: nlohmann keeps only the last one silently, and a
// hand-written file with two "for" fields deserves an error, not a guess.
class DuplicateKeyFinder {
public:
    struct Duplicate {
        std::string path, key;
    };
    std::vector<Duplicate> duplicates;

    // Thrown from the parser's callback when a value opens deeper than limits::max_json_depth:
    // the parse stops there, before a hostile file ("[[[[..." for megabytes) costs memory.
    struct TooDeep {
        std::string path;
    };

    bool on_event(json::parse_event_t event, const json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
            case json::parse_event_t::array_start: {
                if (stack_.size() >= limits::max_json_depth) throw TooDeep{child_path()};
                Frame f;
                f.is_array = event == json::parse_event_t::array_start;
                f.path = child_path();
                stack_.push_back(std::move(f));
                break;
            }
            case json::parse_event_t::key: {
                Frame& top = stack_.back();
                top.key = parsed.get<std::string>();
                if (!top.keys.insert(top.key).second) duplicates.push_back({at(top.path, top.key), top.key});
                break;
            }
            case json::parse_event_t::object_end:
            case json::parse_event_t::array_end:
                stack_.pop_back();
                element_done();
                break;
            case json::parse_event_t::value:
                element_done();
                break;
        }
        return true;
    }

private:
    struct Frame {
        bool is_array = false;
        size_t index = 0;       // next element, in arrays
        std::string key;        // current member, in objects
        std::set<std::string> keys;
        std::string path;
    };
    std::vector<Frame> stack_;

    std::string child_path() const {
        if (stack_.empty()) return "";
        const Frame& top = stack_.back();
        return top.is_array ? at(top.path, top.index) : at(top.path, top.key);
    }
    void element_done() {
        if (!stack_.empty() && stack_.back().is_array) ++stack_.back().index;
    }
};

// nlohmann's text already says "parse error at line L, column C: ..."; drop its id.
std::string without_exception_id(std::string what) {
    if (auto close = what.find("] "); what.starts_with("[json.exception") && close != std::string::npos) {
        what = what.substr(close + 2);
    }
    return printable(what, 200);
}

// " at line L, column C" of the number a "number overflow parsing '1e400'" message names.
std::string number_position(const std::string& text, const std::string& what) {
    const size_t open = what.find('\''), close = what.rfind('\'');
    if (open == std::string::npos || close <= open + 1) return "";
    const std::string number = what.substr(open + 1, close - open - 1);
    // The first occurrence outside a // comment (a comment may well quote the number).
    size_t at_byte = text.find(number);
    while (at_byte != std::string::npos) {
        const size_t line_start = text.rfind('\n', at_byte) == std::string::npos ? 0 : text.rfind('\n', at_byte) + 1;
        if (text.substr(line_start, at_byte - line_start).find("//") == std::string::npos) break;
        at_byte = text.find(number, at_byte + 1);
    }
    if (at_byte == std::string::npos) return "";
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at_byte; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return " at line " + std::to_string(line) + ", column " + std::to_string(column);
}

// ---- The loader -----------------------------------------------------------------------------

class Loader {
public:
    explicit Loader(std::string file) : file_(std::move(file)) {}

    void error(const std::string& path, std::string message, std::string suggestion = {}) {
        // Every mistake at once, but not a million lines for a generated file of them.
        if (errors_.size() >= max_errors) {
            ++errors_not_kept_;
            return;
        }
        errors_.push_back({file_, path, std::move(message), std::move(suggestion)});
    }

    LoadResult load(const std::string& text) {
        json root;
        DuplicateKeyFinder keys;
        try {
            root = json::parse(
                text,
                [&keys](int, json::parse_event_t event, json& parsed) { return keys.on_event(event, parsed); },
                /*allow_exceptions=*/true, /*ignore_comments=*/true);
        } catch (const DuplicateKeyFinder::TooDeep& deep) {
            error(deep.path, "lists and objects nested deeper than " + std::to_string(limits::max_json_depth) +
                                 " levels (kafkasim's limit; a scenario needs 6)");
            return finish();
        } catch (const json::parse_error& e) {
            error("", "invalid JSON: " + without_exception_id(e.what()));
            return finish();
        } catch (const json::out_of_range& e) {
            // nlohmann's number overflow (406) says which number but not where it is.
            error("", "invalid JSON" + number_position(text, e.what()) + ": " + without_exception_id(e.what()) +
                          " (a number must fit a 64-bit float, at most about 1.8e308)");
            return finish();
        } catch (const json::exception& e) {
            error("", "invalid JSON: " + without_exception_id(e.what()));
            return finish();
        }
        for (const auto& d : keys.duplicates) {
            error(d.path, "the key " + in_quotes(d.key) + " appears twice in this object; JSON keeps only the last");
        }
        read_scenario(root);
        return finish();
    }

    // One fault object, checked as read_faults checks each entry of "faults", against what a
    // loaded scenario holds (its brokers, controllers, topics, producers and groups).
    FaultParseResult load_fault(const json& fault, const Scenario& scenario) {
        s_ = scenario;
        s_.faults.clear();
        broker_config_ = kafka::BrokerConfig::from(s_.kafka.profile, s_.kafka.config);
        for (const auto& t : s_.topics) {
            topic_partitions_[t.name] = t.partitions;
            topic_names_.push_back(t.name);
        }
        for (const auto& p : s_.producers) producer_ids_.push_back(p.id);
        for (const auto& c : s_.consumers) {
            if (!c.group || group_members_.contains(*c.group)) continue;
            group_members_[*c.group] = c.members;
            group_names_.push_back(*c.group);
        }
        for (const auto& a : s_.apps) {
            app_instances_[a.name] = a.instances;
            app_names_.push_back(a.name);
            app_group_ids_.insert(a.streams.application_id);
        }
        if (s_.connect.present) {
            connect_workers_ = s_.connect.workers;
            for (const auto& c : s_.connect.connectors) connector_names_.push_back(c.name);
        }
        read_faults(json::array({fault}), "");
        FaultParseResult r;
        for (LoadError& e : errors_) {
            if (e.path.starts_with("/0")) e.path.erase(0, 2);  // relative to the fault object
            r.errors.push_back(std::move(e));
        }
        if (r.errors.empty() && !s_.faults.empty()) r.fault = std::move(s_.faults.back());
        return r;
    }

private:
    static constexpr size_t max_errors = 200;
    std::string file_;
    std::vector<LoadError> errors_;
    size_t errors_not_kept_ = 0;
    Scenario s_;

    // What the rest of the file may refer to.
    bool duration_known_ = false;
    bool brokers_known_ = true;
    kafka::BrokerConfig broker_config_;
    std::map<std::string, int> topic_partitions_;  // -1: partition count not known (invalid entry)
    std::vector<std::string> topic_names_;         // in file order, for suggestions
    std::set<std::string> created_by_action_;      // topics a create-topic action makes
    std::map<std::string, int> partitions_after_add_;  // the largest count an add-partitions action gives
    std::vector<std::string> producer_ids_;
    std::map<std::string, int> group_members_;     // named consumer groups
    std::vector<std::string> group_names_;
    std::map<std::string, int> app_instances_;     // Streams apps by name
    std::set<std::string> app_group_ids_;          // their application.ids (consumer groups too)
    std::vector<std::string> app_names_;
    int connect_workers_ = 0;                      // 0: no "connect" section
    std::vector<std::string> connector_names_;     // declared connectors, and those a REST action creates
    std::vector<std::string> external_names_;

    LoadResult finish() {
        LoadResult r;
        if (errors_not_kept_ > 0) {
            errors_.push_back({file_, "", "and " + std::to_string(errors_not_kept_) + " more error(s): only the first " +
                                              std::to_string(max_errors) + " are shown",
                               ""});
        }
        r.errors = std::move(errors_);
        if (r.errors.empty()) r.scenario = std::move(s_);
        return r;
    }

    void warn(const std::string& path, const std::string& message) { s_.warnings.push_back(path + ": " + message); }

    // A size past one of kafkasim's limits (scenarios/limits.hpp): named, with the limit.
    bool within_limit(const std::string& path, double value, double limit, std::string_view what) {
        if (value <= limit) return true;
        auto number = [](double x) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.15g", x);
            return std::string(buf);
        };
        error(path, number(value) + " " + std::string(what) + " is above kafkasim's limit of " + number(limit) +
                        " (the limits keep every run within minutes and a few GB; see \"Limits\" in "
                        "docs/scenario-format.md)");
        return false;
    }

    // ---- Typed readers: each reports its own error and returns nullopt on a bad value ----

    bool expect_object(const json& v, const std::string& path, std::string_view what) {
        if (v.is_object()) return true;
        error(path, "expected " + std::string(what) + " (a JSON object), got " + shown(v));
        return false;
    }
    bool expect_array(const json& v, const std::string& path, std::string_view what) {
        if (v.is_array()) return true;
        error(path, "expected " + std::string(what) + " (a JSON list), got " + shown(v));
        return false;
    }

    // Unknown members are errors with the closest known name as the suggestion.
    void check_fields(const json& obj, const std::string& path, const std::vector<std::string_view>& known,
                      std::string_view where) {
        for (const auto& [key, value] : obj.items()) {
            if (contains(known, key)) continue;
            error(at(path, key), "unknown field " + in_quotes(key) + " in " + std::string(where), closest(key, known));
        }
    }

    const json* required(const json& obj, const std::string& path, std::string_view key, std::string_view why) {
        const json* v = member(obj, key);
        if (v == nullptr) error(at(path, key), "required field " + in_quotes(key) + " is missing (" + std::string(why) + ")");
        return v;
    }

    std::optional<std::string> read_string(const json& v, const std::string& path, bool allow_empty = false) {
        if (!v.is_string()) {
            error(path, "expected a string, got " + shown(v));
            return std::nullopt;
        }
        auto s = v.get<std::string>();
        if (s.empty() && !allow_empty) {
            error(path, "expected a non-empty string");
            return std::nullopt;
        }
        return s;
    }

    std::optional<int64_t> read_int(const json& v, const std::string& path, int64_t min, int64_t max = int64_max) {
        std::optional<int64_t> x;
        if (v.is_number_unsigned()) {
            if (v.get<uint64_t>() <= static_cast<uint64_t>(int64_max)) x = static_cast<int64_t>(v.get<uint64_t>());
        } else if (v.is_number_integer()) {
            x = v.get<int64_t>();
        }
        if (!x || *x < min || *x > max) {
            error(path, "expected an integer" + range_text(min, max) + ", got " + shown(v));
            return std::nullopt;
        }
        return x;
    }

    std::optional<bool> read_bool(const json& v, const std::string& path) {
        if (!v.is_boolean()) {
            error(path, "expected true or false, got " + shown(v));
            return std::nullopt;
        }
        return v.get<bool>();
    }

    // A number in [min, max] (or (min, max] when min_exclusive).
    std::optional<double> read_number(const json& v, const std::string& path, double min, double max,
                                      bool min_exclusive, std::string_view expected) {
        if (!v.is_number()) {
            error(path, "expected " + std::string(expected) + ", got " + shown(v));
            return std::nullopt;
        }
        double x = v.get<double>();
        if ((min_exclusive ? x <= min : x < min) || x > max) {
            error(path, "expected " + std::string(expected) + ", got " + shown(v));
            return std::nullopt;
        }
        return x;
    }

    std::optional<sim::Duration> read_duration(const json& v, const std::string& path, bool allow_zero = true) {
        auto d = parse_duration(v);
        if (!d) {
            std::string hint = v.is_number_float() ? " (integers are milliseconds; write fractions as \"1.5s\")"
                                                   : " (units: us, ms, s, m, h; an integer means milliseconds)";
            error(path, "expected a duration like \"10s\"" + hint + ", got " + shown(v));
            return std::nullopt;
        }
        if (!allow_zero && d->us == 0) {
            error(path, "expected a duration greater than zero, got " + shown(v));
            return std::nullopt;
        }
        return d;
    }

    // A duration that must fall inside the run.
    std::optional<sim::Duration> read_time_in_run(const json& v, const std::string& path) {
        auto d = read_duration(v, path);
        if (d && duration_known_ && *d > s_.duration) {
            error(path, sim::format_duration(*d) + " is after the end of the run (duration " +
                            sim::format_duration(s_.duration) + ")");
            return std::nullopt;
        }
        return d;
    }

    // ---- Config maps ----

    kafka::ConfigMap read_config(const json& v, const std::string& path, unsigned scope, std::string_view scope_name) {
        kafka::ConfigMap out;
        if (!expect_object(v, path, std::string("a map of ") + std::string(scope_name) + " settings")) return out;
        for (const auto& [name, raw] : v.items()) {
            const std::string p = at(path, name);
            const kafka::ConfigKey* key = kafka::find_config_key(name);
            if (key == nullptr) {
                error(p, "unknown " + std::string(scope_name) + " config " + in_quotes(name),
                      kafka::suggest_config_key(name, scope));
                continue;
            }
            if ((key->scopes & scope) == 0) {
                wrong_scope(p, *key, scope, scope_name);
                continue;
            }
            auto value = config_value(*key, raw, p);
            if (!value) continue;
            if (!kafka::config_value_modelled(*key, *value)) warn(p, name + " is accepted but not modelled");
            out[name] = std::move(*value);
        }
        return out;
    }

    void wrong_scope(const std::string& path, const kafka::ConfigKey& key, unsigned scope, std::string_view scope_name) {
        std::string message = in_quotes(key.name) + " is a " + kafka::scope_names(key.scopes) + " setting, not a " +
                              std::string(scope_name) + " setting";
        std::string suggestion;
        for (const auto& syn : kafka::topic_config_synonyms()) {
            if (scope == kafka::scope_topic && syn.broker == key.name) suggestion = syn.topic;
            if (scope == kafka::scope_broker && syn.topic == key.name) suggestion = syn.broker;
        }
        if (!suggestion.empty()) {
            // The suggestion is the same setting under its name at this level; what() shows it.
        } else if ((key.scopes & kafka::scope_producer) != 0) {
            message += ": set it in a producer's \"config\"";
        } else if ((key.scopes & kafka::scope_consumer) != 0) {
            message += ": set it in a consumer's \"config\"";
        } else if ((key.scopes & kafka::scope_topic) != 0) {
            message += ": set it in a topic's \"config\"";
        } else if ((key.scopes & kafka::scope_broker) != 0) {
            message += ": set it in \"kafka\": { \"config\" }";
        }
        error(path, message, suggestion);
    }

    std::optional<kafka::ConfigValue> config_value(const kafka::ConfigKey& key, const json& raw, const std::string& path) {
        std::optional<kafka::ConfigValue> value;
        if (raw.is_boolean()) value = raw.get<bool>();
        else if (raw.is_number_unsigned()) {
            if (raw.get<uint64_t>() <= static_cast<uint64_t>(int64_max)) value = static_cast<int64_t>(raw.get<uint64_t>());
        } else if (raw.is_number_integer()) value = raw.get<int64_t>();
        else if (raw.is_number_float()) value = raw.get<double>();
        else if (raw.is_string()) value = raw.get<std::string>();
        else if (raw.is_array() && key.type == kafka::ConfigType::string &&
                 std::all_of(raw.begin(), raw.end(), [](const json& e) { return e.is_string(); })) {
            // Kafka list settings (partition.assignment.strategy) written as a JSON list.
            std::string joined;
            for (const auto& e : raw) joined += (joined.empty() ? "" : ",") + e.get<std::string>();
            value = joined;
        }
        std::optional<std::string> problem;
        if (!value) {
            // Not a scalar: let the key's own normaliser say what it expects.
            kafka::ConfigValue probe = std::string();
            problem = key.type == kafka::ConfigType::string ? std::optional<std::string>("expected a string")
                                                            : kafka::normalise_config_value(key, probe);
            if (!problem) problem = "expected a string";
        } else {
            problem = kafka::normalise_config_value(key, *value);
        }
        if (problem) {
            error(path, *problem + ", got " + shown(raw));
            return std::nullopt;
        }
        return value;
    }

    // ---- Sections ----

    void read_scenario(const json& root) {
        if (!root.is_object()) {
            error("", "expected a scenario (a JSON object) at the top level, got " + shown(root));
            return;
        }
        check_fields(root, "", top_level_fields, "the scenario");
        s_.file = file_;

        if (const json* v = required(root, "", "name", "a short identifier, used for output folders")) {
            if (auto name = read_string(*v, "/name")) {
                if (name->find_first_of("/\\") != std::string::npos || *name == "." || *name == "..") {
                    error("/name", "expected a name usable as a folder name (no '/' or '\\'), got " + shown(*v));
                } else {
                    s_.name = *name;
                }
            }
        }
        if (const json* v = member(root, "description")) {
            if (auto d = read_string(*v, "/description", true)) s_.description = *d;
        }
        if (const json* v = member(root, "seed")) {
            if (v->is_number_unsigned()) s_.seed = v->get<uint64_t>();
            else if (auto seed = read_int(*v, "/seed", 0)) s_.seed = static_cast<uint64_t>(*seed);
        }
        if (const json* v = required(root, "", "duration", "how much simulated time to run, like \"60s\"")) {
            auto d = read_duration(*v, "/duration", false);
            if (d && d->us > limits::max_duration_us) {
                error("/duration", sim::format_duration(*d) + " of simulated time is above kafkasim's limit of " +
                                       sim::format_duration(sim::Duration{limits::max_duration_us}) +
                                       " (the limits keep every run within minutes and a few GB; see \"Limits\" in "
                                       "docs/scenario-format.md)");
            } else if (d) {
                s_.duration = *d;
                duration_known_ = true;
            }
        }
        if (const json* v = required(root, "", "kafka", "the cluster: version, metadata mode, brokers")) {
            read_kafka(*v, "/kafka");
        } else {
            read_kafka(json::object(), "/kafka");  // defaults, so the rest can still be checked
        }
        if (const json* v = member(root, "network")) read_network(*v, "/network");
        if (const json* v = member(root, "topics")) read_topics(*v, "/topics");
        if (const json* v = member(root, "faults")) note_created_topics(*v);
        if (const json* v = member(root, "producers")) read_producers(*v, "/producers");
        if (const json* v = member(root, "consumers")) read_consumers(*v, "/consumers");
        if (const json* v = member(root, "apps")) read_apps(*v, "/apps");
        if (const json* v = member(root, "connect")) read_connect(*v, "/connect");
        if (const json* v = member(root, "faults")) read_faults(*v, "/faults");
        if (const json* v = member(root, "expect")) read_expect(*v, "/expect");
        warn_latest_offset_reset();
    }

    // Kafka's default auto.offset.reset=latest starts a group without committed offsets at the
    // log end: what was produced before its first fetch is never read, and at-least-once counts
    // it unread. Said at load time, where the cause is one config away.
    void warn_latest_offset_reset() {
        for (const ExpectSpec& e : s_.expect) {
            if (e.check != CheckKind::at_least_once) continue;
            for (size_t i = 0; i < s_.consumers.size(); ++i) {
                const ConsumerSpec& c = s_.consumers[i];
                if (!c.group || (!e.group.empty() && e.group != *c.group)) continue;
                if (kafka::ConsumerConfig::from(s_.kafka.profile, c.config).auto_offset_reset != "latest") continue;
                const bool set = c.config.contains("auto.offset.reset");
                warn(at("/consumers", i),
                     "group " + in_quotes(*c.group) + " uses auto.offset.reset=latest" +
                         (set ? std::string() : std::string(" (Kafka's default)")) +
                         ": it starts at the log end, so records produced before it first fetched are never read "
                         "and at-least-once (/expect/" + std::to_string(e.index) +
                         ") counts them unread; set \"auto.offset.reset\": \"earliest\" in its config to read them");
            }
        }
    }

    void read_kafka(const json& k, const std::string& path) {
        ClusterSpec& c = s_.kafka;
        c.profile = *kafka::profile_for(c.version);
        if (!expect_object(k, path, "the cluster")) {
            broker_config_ = kafka::BrokerConfig::from(c.profile, {});
            return;
        }
        check_fields(k, path, kafka_fields, "\"kafka\"");

        if (const json* v = member(k, "version")) {
            if (!v->is_string()) {
                // 2.10 as a JSON number would read as 2.1: releases must be strings.
                error(at(path, "version"), "expected a Kafka release as a string, like \"3.7\", got " + shown(*v));
            } else if (auto profile = kafka::profile_for(v->get<std::string>())) {
                c.version = v->get<std::string>();
                c.profile = std::move(*profile);
            } else {
                error(at(path, "version"), "expected a Kafka release from \"0.8\" to \"4.x\", got " + shown(*v));
            }
        }
        if (const json* v = member(k, "metadata")) {
            if (auto m = read_string(*v, at(path, "metadata"))) {
                if (*m == "kraft") c.metadata = MetadataMode::kraft;
                else if (*m == "zookeeper") c.metadata = MetadataMode::zookeeper;
                else {
                    error(at(path, "metadata"), "expected \"kraft\" or \"zookeeper\", got " + shown(*v),
                          closest(*m, std::vector<std::string_view>{"kraft", "zookeeper"}));
                }
            }
        }
        const bool kraft = c.metadata == MetadataMode::kraft;
        if (const json* v = member(k, "brokers")) {
            // Node ids must be distinct: KRaft controllers start at 3000.
            auto n = read_int(*v, at(path, "brokers"), 1);
            if (n && within_limit(at(path, "brokers"), static_cast<double>(*n), limits::max_brokers, "brokers"))
                c.brokers = static_cast<int>(*n);
            else brokers_known_ = false;
        }
        if (const json* v = member(k, "controllers")) {
            if (auto n = read_int(*v, at(path, "controllers"), 1);
                n && within_limit(at(path, "controllers"), static_cast<double>(*n), limits::max_controllers, "controllers"))
                c.controllers = static_cast<int>(*n);
            if (!kraft) warn(at(path, "controllers"), "controllers is ignored in ZooKeeper mode (the controller is a broker)");
        }
        if (const json* v = member(k, "zookeeper")) {
            if (auto n = read_int(*v, at(path, "zookeeper"), 1);
                n && within_limit(at(path, "zookeeper"), static_cast<double>(*n), limits::max_zookeeper,
                                  "ZooKeeper servers"))
                c.zookeeper = static_cast<int>(*n);
            if (kraft) warn(at(path, "zookeeper"), "zookeeper is ignored in KRaft mode (there is no ensemble)");
        }
        if (const json* v = member(k, "config")) c.config = read_config(*v, at(path, "config"), kafka::scope_broker, "broker");

        // Which metadata modes the release really had.
        if (auto release = kafka::release_major_minor(c.version)) {
            if (!kraft && release->first >= 4) {
                error(at(path, "metadata"), "Kafka " + c.version +
                                                " has no ZooKeeper mode (removed in 4.0, KIP-833): use \"kraft\" or a "
                                                "version before 4.0");
            }
            if (kraft && *release < std::pair{2, 8}) {
                warn(at(path, "metadata"), "KRaft did not exist before Kafka 2.8 (KIP-500): the metadata quorum runs as "
                                           "KRaft while replication follows the " +
                                               c.profile.name +
                                               " profile; set \"metadata\": \"zookeeper\" to replay that release");
            }
        }
        broker_config_ = kafka::BrokerConfig::from(c.profile, c.config);
        if (c.config.count("eligible.leader.replicas.version") != 0 && broker_config_.eligible_leader_replicas_version >= 1) {
            const std::string p = at(at(path, "config"), "eligible.leader.replicas.version");
            auto release = kafka::release_major_minor(c.version);
            if (!kraft) {
                error(p, "Eligible Leader Replicas (KIP-966) are a KRaft feature: set \"metadata\": \"kraft\"");
            } else if (release && *release < std::pair{4, 0}) {
                error(p, "Eligible Leader Replicas (KIP-966) are available from Kafka 4.0 (a preview before): set "
                         "\"version\": \"4.0\" or later");
            }
        }
    }

    void read_network(const json& n, const std::string& path) {
        if (!expect_object(n, path, "the network settings")) return;
        check_fields(n, path, network_fields, "\"network\"");
        NetworkSpec& net = s_.network;
        if (const json* v = member(n, "latency")) {
            const std::string p = at(path, "latency");
            if (v->is_object()) {
                check_fields(*v, p, latency_fields, "\"latency\"");
                auto min = member(*v, "min") ? read_duration(*member(*v, "min"), at(p, "min")) : std::nullopt;
                auto max = member(*v, "max") ? read_duration(*member(*v, "max"), at(p, "max")) : std::nullopt;
                if (!member(*v, "min")) required(*v, p, "min", "the smallest one-way latency");
                if (!member(*v, "max")) required(*v, p, "max", "the largest one-way latency");
                if (min && max) {
                    if (*min > *max) {
                        error(p, "min (" + sim::format_duration(*min) + ") is greater than max (" +
                                     sim::format_duration(*max) + ")");
                    } else {
                        net.latency_min = *min;
                        net.latency_max = *max;
                    }
                }
            } else if (auto d = parse_duration(*v)) {
                net.latency_min = net.latency_max = *d;  // a single duration means fixed latency
            } else {
                error(p, "expected a duration like \"2ms\" or { \"min\": \"1ms\", \"max\": \"5ms\" }, got " + shown(*v));
            }
        }
        if (const json* v = member(n, "loss")) {
            if (auto loss = read_number(*v, at(path, "loss"), 0, 1, false, "a probability from 0 to 1")) net.loss = *loss;
        }
    }

    static bool legal_topic_name(const std::string& name) {
        // Kafka's Topic.validate: [a-zA-Z0-9._-], at most 249 characters, not "." or "..".
        if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
        return std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                   c == '_' || c == '-';
        });
    }

    void read_topics(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of topics")) return;
        if (!within_limit(path, static_cast<double>(list.size()), limits::max_partition_replicas,
                          "topics (each is one partition replica at least)"))
            return;
        int64_t replicas = 0;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& t = list[i];
            if (!expect_object(t, p, "a topic")) continue;
            check_fields(t, p, topic_fields, "a topic");
            TopicSpec spec;
            bool known_shape = true;

            if (const json* v = required(t, p, "name", "the topic name")) {
                if (auto name = read_string(*v, at(p, "name"))) {
                    if (!legal_topic_name(*name)) {
                        error(at(p, "name"), "expected a topic name of letters, digits, '.', '_' and '-' (at most 249), got " +
                                                 shown(*v));
                    } else if (topic_partitions_.contains(*name)) {
                        error(at(p, "name"), "topic " + in_quotes(*name) + " is defined twice");
                    } else {
                        spec.name = *name;
                    }
                }
            }
            const json* assignment = member(t, "assignment");
            // Like kafka-topics --replica-assignment: a pinned assignment implies the counts.
            spec.partitions = broker_config_.num_partitions;
            spec.replication_factor = broker_config_.default_replication_factor;
            if (assignment != nullptr && assignment->is_array() && !assignment->empty()) {
                spec.partitions = static_cast<int>(assignment->size());
                if ((*assignment)[0].is_array()) spec.replication_factor = static_cast<int>((*assignment)[0].size());
            }
            if (const json* v = member(t, "partitions")) {
                if (auto n = read_int(*v, at(p, "partitions"), 1);
                    n && within_limit(at(p, "partitions"), static_cast<double>(*n), limits::max_partitions_per_topic,
                                      "partitions"))
                    spec.partitions = static_cast<int>(*n);
                else known_shape = false;
            }
            if (const json* v = member(t, "replication.factor")) {
                if (auto n = read_int(*v, at(p, "replication.factor"), 1, INT32_MAX)) {
                    spec.replication_factor = static_cast<int>(*n);
                    if (brokers_known_ && spec.replication_factor > s_.kafka.brokers) {
                        error(at(p, "replication.factor"),
                              "replication factor " + std::to_string(*n) + " is larger than the number of brokers (" +
                                  std::to_string(s_.kafka.brokers) + ")");
                    }
                } else {
                    known_shape = false;
                }
            } else if (brokers_known_ && spec.replication_factor > s_.kafka.brokers) {
                error(at(p, "replication.factor"),
                      "no replication.factor given, and default.replication.factor (" +
                          std::to_string(spec.replication_factor) + ") is larger than the number of brokers (" +
                          std::to_string(s_.kafka.brokers) + ")");
            }
            if (assignment != nullptr && known_shape) read_assignment(*assignment, at(p, "assignment"), spec);
            if (const json* v = member(t, "config")) {
                spec.config = read_config(*v, at(p, "config"), kafka::scope_topic, "topic");
            }
            auto resolved = kafka::TopicConfig::from(broker_config_, spec.config);
            if (resolved.min_insync_replicas > spec.replication_factor) {
                warn(p, "min.insync.replicas (" + std::to_string(resolved.min_insync_replicas) +
                            ") is larger than replication.factor (" + std::to_string(spec.replication_factor) +
                            "): every acks=all produce will fail with NOT_ENOUGH_REPLICAS");
            }
            if (!spec.name.empty()) {
                topic_partitions_[spec.name] = known_shape ? spec.partitions : -1;
                topic_names_.push_back(spec.name);
            }
            if (known_shape) replicas += static_cast<int64_t>(spec.partitions) * spec.replication_factor;
            s_.topics.push_back(std::move(spec));
        }
        if (within_limit(path, static_cast<double>(replicas), limits::max_partition_replicas,
                         "partition replicas (partitions times replication factor, every topic together)") &&
            duration_known_) {
            const double seconds = static_cast<double>(s_.duration.us) / 1e6;
            within_limit(path, static_cast<double>(replicas) * seconds, limits::max_replica_seconds,
                         "replica-seconds (partition replicas, " + std::to_string(replicas) + ", times the duration in seconds)");
        }
    }

    void read_assignment(const json& a, const std::string& path, TopicSpec& spec) {
        if (!expect_array(a, path, "a replica list per partition, like [[1,2,3],[2,3,1]]")) return;
        if (static_cast<int>(a.size()) != spec.partitions) {
            error(path, "expected one replica list per partition (" + std::to_string(spec.partitions) + "), got " +
                            std::to_string(a.size()));
            return;
        }
        for (size_t i = 0; i < a.size(); ++i) {
            const std::string p = at(path, i);
            if (!expect_array(a[i], p, "the replica broker ids of partition " + std::to_string(i))) continue;
            if (static_cast<int>(a[i].size()) != spec.replication_factor) {
                error(p, "expected " + std::to_string(spec.replication_factor) +
                             " replicas (the replication factor), got " + std::to_string(a[i].size()));
                continue;
            }
            std::vector<int32_t> replicas;
            for (size_t j = 0; j < a[i].size(); ++j) {
                auto id = read_int(a[i][j], at(p, j), 1, INT32_MAX);
                if (!id) continue;
                if (brokers_known_ && *id > s_.kafka.brokers) {
                    error(at(p, j), no_broker(static_cast<int>(*id)));
                    continue;
                }
                if (std::find(replicas.begin(), replicas.end(), *id) != replicas.end()) {
                    error(at(p, j), "broker " + std::to_string(*id) + " is listed twice for partition " + std::to_string(i));
                    continue;
                }
                replicas.push_back(static_cast<int32_t>(*id));
            }
            spec.assignment.push_back(std::move(replicas));
        }
    }

    // "from" and "until" of a workload; until must come after from.
    void read_window(const json& obj, const std::string& path, sim::Duration& from, std::optional<sim::Duration>& until) {
        if (const json* v = member(obj, "from")) {
            if (auto d = read_duration(*v, at(path, "from"))) {
                if (duration_known_ && *d >= s_.duration) {
                    error(at(path, "from"), "starts at " + sim::format_duration(*d) + ", but the run ends at " +
                                                sim::format_duration(s_.duration));
                } else {
                    from = *d;
                }
            }
        }
        if (const json* v = member(obj, "until")) {
            if (auto d = read_duration(*v, at(path, "until"))) {
                if (*d <= from) {
                    error(at(path, "until"), "until (" + sim::format_duration(*d) + ") must be after from (" +
                                                 sim::format_duration(from) + ")");
                } else {
                    until = *d;
                }
            }
        }
    }

    std::optional<std::string> read_topic_ref(const json& v, const std::string& path) {
        auto name = read_string(v, path);
        if (!name) return std::nullopt;
        if (!topic_partitions_.contains(*name)) {
            error(path, "no topic " + in_quotes(*name) + " in \"topics\"", closest(*name, topic_names_));
            return std::nullopt;
        }
        return name;
    }

    void read_producers(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of producers")) return;
        if (!within_limit(path, static_cast<double>(list.size()), limits::max_producers, "producers")) return;
        double records = 0;  // what every producer sends over the run
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& e = list[i];
            if (!expect_object(e, p, "a producer")) continue;
            check_fields(e, p, producer_fields, "a producer");
            ProducerSpec spec;
            // Kafka names unnamed clients producer-1, producer-2, ...
            spec.id = "producer-" + std::to_string(i + 1);
            if (const json* v = member(e, "id")) {
                if (auto id = read_string(*v, at(p, "id"))) spec.id = *id;
            }
            if (std::find(producer_ids_.begin(), producer_ids_.end(), spec.id) != producer_ids_.end()) {
                error(at(p, "id"), "producer id " + in_quotes(spec.id) + " is used twice");
            } else {
                producer_ids_.push_back(spec.id);
            }
            if (const json* v = required(e, p, "topic", "the topic it writes to")) {
                if (auto t = read_topic_ref(*v, at(p, "topic"))) spec.topic = *t;
            }
            if (const json* v = required(e, p, "rate", "records per second")) {
                if (auto r = read_number(*v, at(p, "rate"), 0, std::numeric_limits<double>::max(), true,
                                         "a rate in records per second (> 0)");
                    r && within_limit(at(p, "rate"), *r, limits::max_producer_rate, "records per second")) {
                    spec.rate_per_s = *r;
                }
            }
            if (const json* v = member(e, "keys")) {
                if (auto k = read_int(*v, at(p, "keys"), 0, INT32_MAX)) spec.keys = static_cast<int>(*k);
            }
            read_window(e, p, spec.from, spec.until);
            if (const json* v = member(e, "config")) {
                spec.config = read_config(*v, at(p, "config"), kafka::scope_producer, "producer");
            }
            auto resolved = kafka::ProducerConfig::from(s_.kafka.profile, spec.config);
            if (auto conflict = kafka::producer_config_conflict(resolved, spec.config)) error(at(p, "config"), *conflict);
            read_transactions(e, p, resolved, spec);
            if (const json* v = member(e, "value")) read_value(*v, at(p, "value"), spec);
            if (duration_known_) {
                const sim::Duration until = spec.until ? std::min(*spec.until, s_.duration) : s_.duration;
                double own = 0;
                if (until > spec.from) own = spec.rate_per_s * static_cast<double>((until - spec.from).us) / 1e6;
                records += own;
                if (spec.value) {
                    // The pattern's own length stands in for the value's size when "size" is not given.
                    const double bytes = spec.value->size_bytes > 0
                                             ? spec.value->size_bytes
                                             : static_cast<double>(spec.value->pattern.size() + 20);
                    const auto mib = static_cast<int64_t>(std::round(own) * bytes / 1048576);
                    if (std::round(own) * bytes > max_value_bytes_per_producer)
                        error(at(p, "value"), "its records' values would hold " + std::to_string(mib) +
                                                  " MiB over the run; kafkasim keeps each value in memory, at most "
                                                  "512 MiB a producer: lower \"size\", the rate or the time it runs");
                }
            }
            s_.producers.push_back(std::move(spec));
        }
        within_limit(path, std::round(records), limits::max_produced_records,
                     "records produced over the run (each producer's rate times the time it runs, all together)");
    }

    // A producer's "value": {"size": N, "pattern": "..."} (kafka::RecordValueSpec).
    void read_value(const json& v, const std::string& p, ProducerSpec& spec) {
        if (!expect_object(v, p, "a record value: {\"size\": bytes, \"pattern\": \"order-{seq}\"}")) return;
        check_fields(v, p, value_fields, "a record value");
        const json* size = member(v, "size");
        const json* pattern = member(v, "pattern");
        if (size == nullptr && pattern == nullptr) {
            error(p, "expected \"size\" or \"pattern\" (or both) in a record value, got {}; "
                     "for example {\"size\": 100, \"pattern\": \"order-{seq}\"}");
            return;
        }
        ProducerSpec::Value value;
        bool good = true;
        if (size != nullptr) {
            const std::string sp = at(p, "size");
            // Unsigned first: nlohmann reads 18446744073709551615 as unsigned, beyond int64_t.
            bool in_range = false;
            if (size->is_number_unsigned())
                in_range = size->get<uint64_t>() >= 1 && size->get<uint64_t>() <= max_value_size_bytes;
            else if (size->is_number_integer())
                in_range = size->get<int64_t>() >= 1 && size->get<int64_t>() <= max_value_size_bytes;
            if (!in_range) {
                error(sp, "expected the value's size in bytes, an integer from 1 to " +
                              std::to_string(max_value_size_bytes) + " (max.request.size), got " + shown(*size) +
                              "; for example \"size\": 100, or leave \"size\" out to keep the pattern's text as it is");
                good = false;
            } else {
                value.size_bytes = static_cast<int32_t>(size->get<int64_t>());
            }
        }
        if (pattern != nullptr) {
            const std::string pp = at(p, "pattern");
            if (!pattern->is_string()) {
                error(pp, "expected a pattern string such as \"order-{seq}\" (placeholders {seq}, {key}, "
                          "{producer}), got " + shown(*pattern));
                good = false;
            } else if (auto bad = kafka::check_value_pattern(pattern->get<std::string>())) {
                const std::string braced = "{" + bad->placeholder + "}";
                error(pp, bad->message, bad->placeholder.empty() ? "" : closest(braced, braced_placeholders()));
                good = false;
            } else {
                value.pattern = pattern->get<std::string>();
                if (spec.keys == 0 && kafka::value_pattern_uses(value.pattern, "key")) {
                    error(pp, "{key} needs keyed records, and this producer sends none: give it \"keys\": N, "
                              "or take {key} out of the pattern");
                    good = false;
                }
            }
        }
        if (good) spec.value = value;
    }

    static const std::vector<std::string>& braced_placeholders() {
        static const std::vector<std::string> names = [] {
            std::vector<std::string> out;
            for (const auto& n : value_placeholders) out.push_back("{" + n + "}");
            return out;
        }();
        return names;
    }

    // A producer's transactions: its transactional.id against the profile and the brokers'
    // limits, and the "transactions" block that shapes its application.
    void read_transactions(const json& e, const std::string& p, const kafka::ProducerConfig& resolved,
                           ProducerSpec& spec) {
        const json* block = member(e, "transactions");
        if (!resolved.transactional()) {
            if (block != nullptr)
                error(at(p, "transactions"), "\"transactions\" needs a transactional producer",
                      "set \"transactional.id\" in its \"config\"");
            return;
        }
        const std::string cfg = at(p, "config");
        if (!resolved.transactions.transactions_supported) {
            error(at(cfg, "transactional.id"),
                  "transactions arrived in Kafka 0.11 (KIP-98); this scenario's version is " + s_.kafka.profile.name,
                  "use \"version\": \"0.11\" or later");
        }
        if (resolved.transaction_timeout_ms > broker_config_.transaction_max_timeout_ms) {
            error(at(cfg, "transaction.timeout.ms"),
                  "transaction.timeout.ms (" + std::to_string(resolved.transaction_timeout_ms) +
                      ") is above the brokers' transaction.max.timeout.ms (" +
                      std::to_string(broker_config_.transaction_max_timeout_ms) +
                      "): Kafka's coordinator refuses initTransactions() with INVALID_TRANSACTION_TIMEOUT",
                  "lower transaction.timeout.ms, or raise transaction.max.timeout.ms in kafka.config");
        }
        if (brokers_known_ && broker_config_.transaction_state_log_replication_factor > s_.kafka.brokers) {
            warn(cfg, "transaction.state.log.replication.factor is " +
                          std::to_string(broker_config_.transaction_state_log_replication_factor) +
                          " but the cluster has " + std::to_string(s_.kafka.brokers) +
                          " broker(s): Kafka cannot create __transaction_state, so initTransactions() finds no "
                          "coordinator (set transaction.state.log.replication.factor in kafka.config)");
        }
        if (block == nullptr) return;
        const std::string bp = at(p, "transactions");
        if (!expect_object(*block, bp, "an object with \"records\" and \"abort\"")) return;
        check_fields(*block, bp, transactions_fields, "\"transactions\"");
        if (const json* v = member(*block, "records")) {
            if (auto n = read_int(*v, at(bp, "records"), 1, 1000000)) spec.records_per_txn = static_cast<int>(*n);
        }
        if (const json* v = member(*block, "abort")) {
            if (auto f = read_number(*v, at(bp, "abort"), 0, 1, false, "a fraction from 0 to 1")) spec.abort_fraction = *f;
        }
    }

    void read_consumers(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of consumer groups")) return;
        if (!within_limit(path, static_cast<double>(list.size()), limits::max_consumers, "consumer entries")) return;
        bool any_group = false;
        int64_t consumers = 0;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& e = list[i];
            if (!expect_object(e, p, "a consumer group")) continue;
            check_fields(e, p, consumer_fields, "a consumer group");
            ConsumerSpec spec;
            bool group_ok = false;
            if (const json* v = required(e, p, "group", "a group id, or null to read every partition without a group")) {
                if (v->is_null()) {
                    group_ok = true;
                } else if (auto g = read_string(*v, at(p, "group"))) {
                    if (group_members_.contains(*g)) {
                        error(at(p, "group"), "group " + in_quotes(*g) + " is defined twice (one entry is one group)");
                    } else {
                        spec.group = *g;
                        group_ok = true;
                    }
                }
            }
            if (const json* v = member(e, "members")) {
                if (auto m = read_int(*v, at(p, "members"), 1);
                    m && within_limit(at(p, "members"), static_cast<double>(*m), limits::max_members, "members"))
                    spec.members = static_cast<int>(*m);
            }
            if (const json* v = required(e, p, "topics", "the topics it reads")) {
                if (expect_array(*v, at(p, "topics"), "a list of topic names")) {
                    if (v->empty()) error(at(p, "topics"), "expected at least one topic");
                    for (size_t j = 0; j < v->size(); ++j) {
                        auto t = read_topic_ref((*v)[j], at(at(p, "topics"), j));
                        if (!t) continue;
                        if (std::find(spec.topics.begin(), spec.topics.end(), *t) != spec.topics.end()) {
                            error(at(at(p, "topics"), j), "topic " + in_quotes(*t) + " is listed twice");
                        } else {
                            spec.topics.push_back(*t);
                        }
                    }
                }
            }
            if (const json* v = member(e, "rate")) {
                if (auto r = read_number(*v, at(p, "rate"), 0, 1e9, true, "a rate in records per second (> 0)")) {
                    spec.rate_per_s = *r;
                }
            }
            read_window(e, p, spec.from, spec.until);
            if (const json* v = member(e, "config")) {
                spec.config = read_config(*v, at(p, "config"), kafka::scope_consumer, "consumer");
            }
            auto resolved = kafka::ConsumerConfig::from(s_.kafka.profile, spec.config);
            if (auto conflict = kafka::consumer_config_conflict(resolved)) error(at(p, "config"), *conflict);
            if (group_ok && !spec.group) {
                // KIP-289: without a group there is nowhere to commit to.
                auto it = spec.config.find("enable.auto.commit");
                if (it != spec.config.end() && kafka::config_bool(it->second)) {
                    error(at(at(p, "config"), "enable.auto.commit"),
                          "enable.auto.commit cannot be true for a consumer without a group (\"group\": null)");
                }
            }
            if (spec.group) {
                group_members_[*spec.group] = spec.members;
                group_names_.push_back(*spec.group);
                any_group = true;
            }
            consumers += spec.members;
            s_.consumers.push_back(std::move(spec));
        }
        within_limit(path, static_cast<double>(consumers), limits::max_consumers,
                     "consumers (the members of every entry together)");
        if (any_group && brokers_known_ && broker_config_.offsets_topic_replication_factor > s_.kafka.brokers) {
            warn(path, "offsets.topic.replication.factor is " +
                           std::to_string(broker_config_.offsets_topic_replication_factor) + " but the cluster has " +
                           std::to_string(s_.kafka.brokers) +
                           " broker(s): Kafka cannot create __consumer_offsets, so groups find no coordinator (set "
                           "offsets.topic.replication.factor in kafka.config)");
        }
    }

    // ---- Streams applications ----

    // processing.guarantee as the profile's release knows it (StreamsConfig, KIP-129, KIP-447, KIP-732).
    void check_processing_guarantee(const kafka::StreamsConfig& c, const std::string& path) {
        const auto release = kafka::release_major_minor(s_.kafka.version).value_or(std::pair{3, 7});
        const std::string& g = c.processing_guarantee;
        const std::string on = " (this scenario runs Kafka " + s_.kafka.version + ")";
        if (g == "at_least_once") return;
        if (g != "exactly_once" && g != "exactly_once_beta" && g != "exactly_once_v2") {
            error(path, "processing.guarantee must be at_least_once, exactly_once_v2, exactly_once_beta or exactly_once, got " +
                            in_quotes(g),
                  closest(g, std::vector<std::string_view>{"at_least_once", "exactly_once_v2", "exactly_once_beta",
                                                           "exactly_once"}));
            return;
        }
        if (release < std::pair{0, 11}) {
            error(path, g + " needs transactions, which Kafka has from 0.11 (KIP-98, KIP-129)" + on, "at_least_once");
        } else if (g == "exactly_once_v2" && release < std::pair{3, 0}) {
            error(path, "exactly_once_v2 is the 3.0 name of the guarantee (KIP-732); before 3.0 there is " +
                            std::string(release >= std::pair{2, 6} ? "exactly_once_beta (2.6+)" : "only exactly_once (EOS v1)") + on,
                  release >= std::pair{2, 6} ? "exactly_once_beta" : "exactly_once");
        } else if (g == "exactly_once_beta" && release < std::pair{2, 6}) {
            error(path, "exactly_once_beta arrived in 2.6 (KIP-447)" + on, "exactly_once");
        } else if ((g == "exactly_once_beta" || g == "exactly_once") && release >= std::pair{4, 0}) {
            error(path, g + " was removed in 4.0 (deprecated by KIP-732 in 3.0)" + on, "exactly_once_v2");
        }
    }

    void read_apps(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of Streams applications")) return;
        if (!within_limit(path, static_cast<double>(list.size()), limits::max_consumers, "apps")) return;
        const auto release = kafka::release_major_minor(s_.kafka.version).value_or(std::pair{3, 7});
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& e = list[i];
            if (!expect_object(e, p, "a Streams application")) continue;
            check_fields(e, p, app_fields, "a Streams application");
            if (release < std::pair{0, 10}) {
                error(p, "Kafka Streams arrived in 0.10 (KIP-28); this scenario runs Kafka " + s_.kafka.version);
                continue;
            }
            AppSpec spec;
            if (const json* v = required(e, p, "name", "the application's name (its application.id unless config sets one)")) {
                if (auto n = read_string(*v, at(p, "name"))) {
                    if (app_instances_.contains(*n)) error(at(p, "name"), "app " + in_quotes(*n) + " is defined twice");
                    else if (!legal_topic_name(*n)) error(at(p, "name"), "expected a name of letters, digits, '.', '_' and '-' (it prefixes topic names), got " + shown(*v));
                    else spec.name = *n;
                }
            }
            if (const json* v = member(e, "instances")) {
                if (auto m = read_int(*v, at(p, "instances"), 1);
                    m && within_limit(at(p, "instances"), static_cast<double>(*m), limits::max_members, "instances"))
                    spec.instances = static_cast<int>(*m);
            }
            read_window(e, p, spec.from, spec.until);
            if (const json* v = member(e, "config")) spec.config = read_config(*v, at(p, "config"), kafka::scope_streams, "streams");
            const std::string cp = at(p, "config");
            // SCENARIOS.md names processing.guarantee beside name and instances; config may hold it too.
            std::string guarantee_path = at(cp, "processing.guarantee");
            if (const json* v = member(e, "processing.guarantee")) {
                guarantee_path = at(p, "processing.guarantee");
                if (auto g = read_string(*v, guarantee_path)) {
                    auto in_config = spec.config.find("processing.guarantee");
                    if (in_config != spec.config.end() && kafka::format_config_value(in_config->second) != *g)
                        error(guarantee_path, "processing.guarantee is " + in_quotes(*g) + " here but " +
                                                  in_quotes(kafka::format_config_value(in_config->second)) +
                                                  " in \"config\": give it once");
                    spec.config["processing.guarantee"] = *g;
                }
            }
            spec.streams = kafka::StreamsConfig::from(s_.kafka.profile, spec.config);
            if (spec.streams.application_id.empty()) spec.streams.application_id = spec.name;
            check_processing_guarantee(spec.streams, guarantee_path);
            if (spec.streams.num_stream_threads != 1)
                error(at(cp, "num.stream.threads"), "the model runs one stream thread per instance; use more \"instances\" instead", "1");
            if (group_members_.contains(spec.streams.application_id))
                error(at(cp, "application.id"), "application.id " + in_quotes(spec.streams.application_id) +
                                                   " is also a consumer group in \"consumers\": the app's instances would join it");
            if (const json* v = required(e, p, "topology", "what it computes: {\"source\", \"count\", \"sink\"}"))
                read_topology(*v, at(p, "topology"), spec);
            if (!spec.name.empty()) {
                app_instances_[spec.name] = spec.instances;
                app_names_.push_back(spec.name);
                app_group_ids_.insert(spec.streams.application_id);
            }
            add_changelog_topic(spec, p);
            s_.apps.push_back(std::move(spec));
        }
    }

    void read_topology(const json& t, const std::string& p, AppSpec& spec) {
        if (!expect_object(t, p, "a topology: {\"source\": topic, \"filter\": {\"keys_below\": N}, \"count\": {\"store\": name}, \"sink\": topic}")) return;
        check_fields(t, p, topology_fields, "a topology");
        if (const json* v = required(t, p, "source", "the topic it reads (stream(topic))")) {
            if (auto name = read_topic_ref(*v, at(p, "source"))) {
                spec.topology.source = *name;
                const bool keyed = std::any_of(s_.producers.begin(), s_.producers.end(),
                                               [&](const ProducerSpec& ps) { return ps.topic == *name && ps.keys > 0; });
                if (!keyed)
                    warn(at(p, "source"), "no producer writes keyed records to " + in_quotes(*name) +
                                              ": counting by key drops records with a null key (give the producer \"keys\")");
            }
        }
        if (const json* v = member(t, "filter")) {
            const std::string fp = at(p, "filter");
            if (expect_object(*v, fp, "a filter: {\"keys_below\": N}")) {
                check_fields(*v, fp, {"keys_below"}, "a filter");
                if (const json* k = required(*v, fp, "keys_below", "the records kept: key-0 .. key-(N-1)"))
                    if (auto n = read_int(*k, at(fp, "keys_below"), 1, INT32_MAX)) spec.topology.keys_below = static_cast<int32_t>(*n);
            }
        }
        if (const json* v = required(t, p, "count", "the aggregation: {\"store\": name} (count by key into a state store)")) {
            const std::string cp = at(p, "count");
            if (expect_object(*v, cp, "{\"store\": name}")) {
                check_fields(*v, cp, {"store"}, "a count");
                if (const json* s = member(*v, "store")) {
                    if (auto n = read_string(*s, at(cp, "store"))) {
                        if (legal_topic_name(*n)) spec.topology.store = *n;
                        else error(at(cp, "store"), "expected a store name of letters, digits, '.', '_' and '-' (it names the changelog topic)");
                    }
                }
            }
        }
        if (const json* v = required(t, p, "sink", "the topic it writes each new count to (to(topic))")) {
            if (auto name = read_topic_ref(*v, at(p, "sink"))) {
                if (*name == spec.topology.source) error(at(p, "sink"), "the sink is the source topic: each count would be counted again");
                else spec.topology.sink = *name;
            }
        }
    }

    // Streams' InternalTopicManager creates the store's changelog before the app starts: one
    // partition per task (the source's partition count), compacted, replication.factor of the
    // app (-1: the brokers' default.replication.factor).
    void add_changelog_topic(const AppSpec& spec, const std::string& p) {
        if (spec.name.empty() || spec.topology.source.empty()) return;
        auto src = topic_partitions_.find(spec.topology.source);
        if (src == topic_partitions_.end() || src->second < 1) return;
        if (spec.streams.processing_guarantee == "exactly_once" && src->second > 95) {
            // clients/streams: an instance tells its task producers apart by 95 slots.
            error(at(at(p, "topology"), "source"),
                  "exactly_once runs a producer per task, and the model holds at most 95 per instance; topic " +
                      in_quotes(spec.topology.source) + " has " + std::to_string(src->second) + " partitions",
                  "exactly_once_beta or exactly_once_v2 (2.6+), or fewer partitions");
            return;
        }
        TopicSpec t;
        t.name = spec.changelog_topic();
        if (!legal_topic_name(t.name)) {
            error(at(p, "name"), "the changelog topic name " + in_quotes(t.name) + " is not a legal topic name");
            return;
        }
        if (topic_partitions_.contains(t.name)) {
            error(at(at(p, "topology"), "count"), "topic " + in_quotes(t.name) + " is the changelog of this app's store; \"topics\" must not define it");
            return;
        }
        t.partitions = src->second;
        t.replication_factor = spec.streams.replication_factor < 0 ? broker_config_.default_replication_factor
                                                                   : spec.streams.replication_factor;
        if (brokers_known_ && t.replication_factor > s_.kafka.brokers) {
            error(at(at(p, "config"), "replication.factor"),
                  "the changelog " + in_quotes(t.name) + " would get " + std::to_string(t.replication_factor) +
                      " replicas but the cluster has " + std::to_string(s_.kafka.brokers) + " broker(s)");
            return;
        }
        t.config["cleanup.policy"] = std::string("compact");
        topic_partitions_[t.name] = t.partitions;
        topic_names_.push_back(t.name);
        s_.topics.push_back(std::move(t));
    }


    // ---- Kafka Connect ----

    void read_connect(const json& c, const std::string& path) {
        if (!expect_object(c, path, "a Connect cluster: {\"mode\", \"workers\", \"config\", \"connectors\", \"external\"}"))
            return;
        check_fields(c, path, connect_fields, "the \"connect\" section");
        const auto release = kafka::release_major_minor(s_.kafka.version).value_or(std::pair{3, 7});
        if (release < std::pair{0, 9}) {
            error(path, "Kafka Connect arrived in 0.9 (KIP-26); this scenario runs Kafka " + s_.kafka.version);
            return;
        }
        ConnectSpec& spec = s_.connect;
        spec.present = true;
        if (const json* v = member(c, "mode")) {
            if (auto m = read_string(*v, at(path, "mode"))) {
                if (*m == "standalone") spec.distributed = false;
                else if (*m != "distributed")
                    error(at(path, "mode"), "expected \"standalone\" or \"distributed\", got " + shown(*v),
                          closest(*m, std::vector<std::string_view>{"standalone", "distributed"}));
            }
        }
        if (const json* v = member(c, "workers")) {
            if (auto n = read_int(*v, at(path, "workers"), 1, limits::max_members)) {
                if (!spec.distributed && *n != 1)
                    error(at(path, "workers"), "a standalone worker runs alone (connect-standalone.sh has no group): "
                                               "use \"mode\": \"distributed\" for several workers", "1");
                else spec.workers = static_cast<int>(*n);
            }
        }
        if (const json* v = member(c, "config"))
            spec.config = read_config(*v, at(path, "config"), kafka::scope_connect, "Connect worker");
        const std::string cp = at(path, "config");
        const auto features = kafka::connect::connect_features(s_.kafka.version);
        // connect.protocol's default follows the exact release (2.3: compatible, 2.4: sessioned).
        kafka::ConfigMap worker_config = spec.config;
        if (features && !worker_config.contains("connect.protocol"))
            worker_config["connect.protocol"] =
                std::string(features->default_protocol == kafka::connect::ConnectProtocol::eager        ? "eager"
                            : features->default_protocol == kafka::connect::ConnectProtocol::compatible ? "compatible"
                                                                                                          : "sessioned");
        spec.worker = kafka::ConnectWorkerConfig::from(s_.kafka.profile, worker_config);
        if (features) {
            const std::string& protocol = spec.worker.connect_protocol;
            if (!kafka::connect::protocol_from_config(protocol)) {
                error(at(cp, "connect.protocol"), "expected eager, compatible or sessioned, got " + in_quotes(protocol));
            } else if (protocol != "eager" && !features->incremental_cooperative) {
                error(at(cp, "connect.protocol"),
                      "connect.protocol " + in_quotes(protocol) + " arrived in 2.3 (KIP-415); Kafka " +
                          s_.kafka.version + " rebalances eagerly", "eager");
            } else if (protocol == "sessioned" && !features->sessioned) {
                error(at(cp, "connect.protocol"), "connect.protocol \"sessioned\" arrived in 2.4 (KIP-507)", "compatible");
            }
            auto eos_it = spec.config.find("exactly.once.source.support");
            const std::string eos =
                eos_it == spec.config.end() ? std::string("disabled") : kafka::format_config_value(eos_it->second);
            if (eos != "disabled") {
                if (eos != "preparing" && eos != "enabled")
                    error(at(cp, "exactly.once.source.support"), "expected disabled, preparing or enabled, got " + in_quotes(eos));
                else if (!features->exactly_once_source)
                    error(at(cp, "exactly.once.source.support"),
                          "exactly-once source connectors arrived in 3.3 (KIP-618); Kafka " + s_.kafka.version + " has none",
                          "disabled");
                else if (!spec.distributed)
                    error(at(cp, "exactly.once.source.support"), "exactly-once source is for distributed workers only");
                else
                    spec.exactly_once_source = eos == "enabled";  // "preparing": the leader only (not modelled)
            }
        }
        if (spec.distributed) {
            if (spec.worker.group_id.empty()) error(at(cp, "group.id"), "a distributed worker needs group.id");
            if (group_members_.contains(spec.worker.group_id) || app_group_ids_.contains(spec.worker.group_id))
                error(at(cp, "group.id"), "group.id " + in_quotes(spec.worker.group_id) +
                                              " is also a consumer group or an app's application.id");
            add_internal_topic(spec.worker.config_storage_topic, 1, spec.worker.config_storage_replication_factor,
                               at(cp, "config.storage.topic"));
            add_internal_topic(spec.worker.offset_storage_topic, spec.worker.offset_storage_partitions,
                               spec.worker.offset_storage_replication_factor, at(cp, "offset.storage.topic"));
            add_internal_topic(spec.worker.status_storage_topic, spec.worker.status_storage_partitions,
                               spec.worker.status_storage_replication_factor, at(cp, "status.storage.topic"));
        }
        if (const json* v = member(c, "external")) read_external(*v, at(path, "external"));
        if (const json* v = member(c, "connectors")) {
            const std::string lp = at(path, "connectors");
            if (expect_array(*v, lp, "a list of connectors: {\"name\", \"config\"}")) {
                for (size_t i = 0; i < v->size(); ++i) {
                    ConnectorDecl d;
                    if (read_connector((*v)[i], at(lp, i), d)) spec.connectors.push_back(std::move(d));
                }
            }
        }
        connect_workers_ = spec.workers;
    }

    // The worker creates its internal topics (KIP-154, 0.11): compacted, with the worker's
    // partition counts and replication factors (-1: the brokers' default).
    void add_internal_topic(const std::string& name, int32_t partitions, int32_t rf, const std::string& p) {
        if (name.empty()) {
            error(p, "a distributed worker needs this topic's name");
            return;
        }
        if (!legal_topic_name(name)) {
            error(p, in_quotes(name) + " is not a legal topic name");
            return;
        }
        if (topic_partitions_.contains(name)) {
            error(p, "topic " + in_quotes(name) + " is a Connect internal topic; \"topics\" must not define it "
                     "(the workers create it)");
            return;
        }
        TopicSpec t;
        t.name = name;
        t.partitions = partitions;
        t.replication_factor = rf < 0 ? broker_config_.default_replication_factor : rf;
        if (brokers_known_ && t.replication_factor > s_.kafka.brokers) {
            error(p, "the worker would create " + in_quotes(name) + " with replication factor " +
                         std::to_string(t.replication_factor) + " but the cluster has " + std::to_string(s_.kafka.brokers) +
                         " broker(s): set its *.replication.factor");
            return;
        }
        t.config["cleanup.policy"] = std::string("compact");
        topic_partitions_[t.name] = t.partitions;
        topic_names_.push_back(t.name);
        s_.topics.push_back(std::move(t));
    }

    void read_external(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of external systems: {\"name\", \"kind\": \"file\" | \"table\", \"rows\", \"rate\"}"))
            return;
        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& e = list[i];
            if (!expect_object(e, p, "an external system")) continue;
            check_fields(e, p, external_fields, "an external system");
            ExternalSystemSpec x;
            if (const json* v = required(e, p, "name", "the file or table name connectors use")) {
                if (auto n = read_string(*v, at(p, "name"))) {
                    if (std::find(external_names_.begin(), external_names_.end(), *n) != external_names_.end())
                        error(at(p, "name"), in_quotes(*n) + " is defined twice");
                    else x.name = *n;
                }
            }
            if (const json* v = member(e, "kind")) {
                if (auto k = read_string(*v, at(p, "kind"))) {
                    if (*k == "table") x.table = true;
                    else if (*k != "file")
                        error(at(p, "kind"), "expected \"file\" or \"table\", got " + shown(*v),
                              closest(*k, std::vector<std::string_view>{"file", "table"}));
                }
            }
            if (const json* v = member(e, "rows"))
                if (auto n = read_int(*v, at(p, "rows"), 0, 10'000'000)) x.rows = *n;
            if (const json* v = member(e, "lines")) {
                if (x.table) error(at(p, "lines"), "a table has rows, not lines: use \"rows\"");
                else if (v->is_array()) {
                    for (size_t j = 0; j < v->size(); ++j)
                        if (auto l = read_string((*v)[j], at(at(p, "lines"), j), true)) x.lines.push_back(*l);
                } else {
                    error(at(p, "lines"), "expected a list of lines, like [\"foo\", \"bar\"], got " + shown(*v));
                }
            }
            if (const json* v = member(e, "rate"))
                if (auto r = read_number(*v, at(p, "rate"), 0, limits::max_producer_rate, true, "rows per second"))
                    x.rate_per_s = *r;
            if (const json* v = member(e, "malformed_rows")) {
                if (!v->is_array()) {
                    error(at(p, "malformed_rows"), "expected a list of row numbers (from 0), like [17, 250], got " + shown(*v));
                } else {
                    for (size_t j = 0; j < v->size(); ++j)
                        if (auto r = read_int((*v)[j], at(at(p, "malformed_rows"), j), 0, 10'000'000)) x.malformed_rows.push_back(*r);
                }
            }
            read_window(e, p, x.from, x.until);
            if (!x.name.empty()) external_names_.push_back(x.name);
            s_.connect.external.push_back(std::move(x));
        }
    }

    const ExternalSystemSpec* external(const std::string& name) const {
        for (const auto& x : s_.connect.external)
            if (x.name == name) return &x;
        return nullptr;
    }

    // A connector's config, checked as the worker's validation would (Kafka's messages), and
    // against the scenario: its topics and external systems must exist.
    bool read_connector(const json& e, const std::string& p, ConnectorDecl& d) {
        if (!expect_object(e, p, "a connector: {\"name\", \"config\": {\"connector.class\", ...}}")) return false;
        check_fields(e, p, connector_fields, "a connector");
        const size_t before = errors_.size();
        if (const json* v = required(e, p, "name", "the connector's name")) {
            if (auto n = read_string(*v, at(p, "name"))) {
                if (std::find(connector_names_.begin(), connector_names_.end(), *n) != connector_names_.end())
                    error(at(p, "name"), "connector " + in_quotes(*n) + " is defined twice");
                else d.name = *n;
            }
        }
        const json* cfg = required(e, p, "config", "the connector's config: {\"connector.class\", \"tasks.max\", ...}");
        if (cfg == nullptr || !expect_object(*cfg, at(p, "config"), "a map of connector settings")) return false;
        read_connector_config(*cfg, at(p, "config"), d);
        if (errors_.size() != before) return false;
        connector_names_.push_back(d.name);
        return true;
    }

    void read_connector_config(const json& cfg, const std::string& cp, ConnectorDecl& d) {
        for (const auto& [k, v] : cfg.items()) {
            if (v.is_string()) d.config[k] = v.get<std::string>();
            else if (v.is_number_integer()) d.config[k] = std::to_string(v.get<int64_t>());
            else if (v.is_boolean()) d.config[k] = v.get<bool>() ? "true" : "false";
            else error(at(cp, k), "expected a string, a number or true/false (connector configs are strings), got " + shown(v));
        }
        if (!d.name.empty()) d.config["name"] = d.name;
        namespace kc = kafka::connect;
        if (auto err = kc::validate_connector_config(d.config)) {
            std::string key = err->find("tasks.max") != std::string::npos ? "tasks.max"
                              : err->find("connector.class") != std::string::npos || err->rfind("Failed to find", 0) == 0
                                  ? "connector.class"
                                  : "";
            std::string suggestion;
            if (key == "connector.class") {
                std::vector<std::string_view> names;
                for (const auto& plugin : kc::all_plugins()) names.push_back(plugin.alias);
                suggestion = closest(kc::config_value(d.config, "connector.class"), names);
            }
            error(key.empty() ? cp : at(cp, key), *err, suggestion);
            return;
        }
        const kc::ConnectorPlugin* plugin = kc::find_plugin(kc::config_value(d.config, "connector.class"));
        const bool file = plugin->alias.starts_with("FileStream");
        const auto features = kc::connect_features(s_.kafka.version);
        for (const auto& [key, value] : d.config)
            if (key.starts_with("errors.") && features && !features->dead_letter_queue)
                error(at(cp, key), key + " arrived in 2.0 (KIP-298); Kafka " + s_.kafka.version +
                                       " fails a task at its first bad record");
        if (plugin->type == kc::ConnectorType::source) {
            std::vector<std::pair<std::string, std::string>> reads;  // system, topic
            if (file) {
                reads.emplace_back(kc::config_value(d.config, "file"), kc::config_value(d.config, "topic"));
            } else {
                for (const auto& t : kc::split_list(kc::config_value(d.config, "tables")))
                    reads.emplace_back(t, kc::config_value(d.config, "topic.prefix") + t);
            }
            for (const auto& [system, topic] : reads) {
                const ExternalSystemSpec* x = external(system);
                const std::string key = file ? "file" : "tables";
                if (x == nullptr) {
                    error(at(cp, key), "no external " + std::string(file ? "file " : "table ") + in_quotes(system) +
                                           " in /connect/external for the source to read", closest(system, external_names_));
                } else if (x->table == file) {
                    error(at(cp, key), in_quotes(system) + " is a " + (x->table ? "table" : "file") + "; " +
                                           std::string(plugin->alias) + " reads " + (file ? "files" : "tables"));
                }
                if (!topic_partitions_.contains(topic))
                    error(at(cp, file ? "topic" : "topic.prefix"),
                          "the source writes to topic " + in_quotes(topic) + ", which \"topics\" does not define "
                          "(the model does not create topics automatically)", closest(topic, topic_names_));
            }
        } else {
            for (const auto& t : kc::split_list(kc::config_value(d.config, "topics")))
                if (!topic_partitions_.contains(t))
                    error(at(cp, "topics"), "no topic " + in_quotes(t) + " in \"topics\"", closest(t, topic_names_));
            // The dead letter queue (KIP-298): DeadLetterQueueReporter creates its topic (one
            // partition, errors.deadletterqueue.topic.replication.factor replicas) when missing.
            const std::string dlq = kc::config_value(d.config, "errors.deadletterqueue.topic.name");
            if (!dlq.empty() && !topic_partitions_.contains(dlq)) {
                TopicSpec t;
                t.name = dlq;
                t.partitions = 1;
                const std::string rf_text = kc::config_value(d.config, "errors.deadletterqueue.topic.replication.factor", "3");
                int32_t rf = 0;
                const auto [ptr, ec] = std::from_chars(rf_text.data(), rf_text.data() + rf_text.size(), rf);
                t.replication_factor = rf;
                if (ec != std::errc{} || ptr != rf_text.data() + rf_text.size() || (rf < 1 && rf != -1)) {
                    error(at(cp, "errors.deadletterqueue.topic.replication.factor"),
                          "Invalid value " + rf_text + " for configuration errors.deadletterqueue.topic.replication.factor: "
                          "expected a replication factor of 1 or more (or -1 for the brokers' default)");
                } else if (rf == -1) {
                    t.replication_factor = broker_config_.default_replication_factor;
                }
                if (ec != std::errc{} || ptr != rf_text.data() + rf_text.size() || (rf < 1 && rf != -1)) {
                } else if (brokers_known_ && t.replication_factor > s_.kafka.brokers) {
                    error(at(cp, "errors.deadletterqueue.topic.replication.factor"),
                          "the dead letter queue " + in_quotes(dlq) + " would get " + std::to_string(t.replication_factor) +
                              " replicas (Kafka's default is 3) but the cluster has " + std::to_string(s_.kafka.brokers) +
                              " broker(s)",
                          std::to_string(s_.kafka.brokers));
                } else if (legal_topic_name(dlq)) {
                    topic_partitions_[dlq] = 1;
                    topic_names_.push_back(dlq);
                    s_.topics.push_back(std::move(t));
                }
            }
            if (!d.name.empty() && group_members_.contains("connect-" + d.name))
                error(at(cp, "name"), "the sink's consumer group \"connect-" + d.name + "\" is also a group in \"consumers\"");
        }
    }

    // Topics that a create-topic action makes exist for producers, consumers and checks (they
    // see UNKNOWN_TOPIC_OR_PARTITION until it runs).
    void note_created_topics(const json& faults) {
        if (!faults.is_array()) return;
        for (const json& e : faults) {
            if (!e.is_object() || !e.contains("action") || e["action"] != "create-topic") continue;
            if (!e.contains("topic") || !e["topic"].is_string()) continue;
            const std::string name = e["topic"].get<std::string>();
            if (!legal_topic_name(name) || topic_partitions_.contains(name)) continue;
            int partitions = broker_config_.num_partitions;
            if (e.contains("partitions") && e["partitions"].is_number_integer()) partitions = e["partitions"].get<int>();
            topic_partitions_[name] = partitions >= 1 ? partitions : -1;
            topic_names_.push_back(name);
            created_by_action_.insert(name);
        }
    }

    // A topic an admin action names: one of the file's topics or one a create-topic makes.
    std::optional<std::string> read_admin_topic(const json& obj, const std::string& p, const char* key = "topic") {
        const json* v = required(obj, p, key, "the topic's name");
        if (v == nullptr) return std::nullopt;
        return read_topic_ref(*v, at(p, key));
    }

    std::optional<kafka::TopicPartitionName> read_partition_ref(const json& obj, const std::string& p) {
        auto topic = read_admin_topic(obj, p);
        const json* v = required(obj, p, "partition", "the partition number");
        if (!topic || v == nullptr) return std::nullopt;
        const int known = topic_partitions_.at(*topic);
        auto n = read_int(*v, at(p, "partition"), 0, INT32_MAX);
        if (!n) return std::nullopt;
        // add-partitions may raise the count during the run: only a partition beyond every count
        // the file gives the topic is refused.
        int most = known;
        if (auto it = partitions_after_add_.find(*topic); it != partitions_after_add_.end()) most = std::max(most, it->second);
        if (most >= 0 && *n >= most) {
            error(at(p, "partition"), "topic " + in_quotes(*topic) + " has partitions 0.." + std::to_string(most - 1) +
                                          ", got " + std::to_string(*n));
            return std::nullopt;
        }
        return kafka::TopicPartitionName{*topic, static_cast<int32_t>(*n)};
    }

    std::vector<kafka::BrokerId> read_broker_list(const json& v, const std::string& p) {
        std::vector<kafka::BrokerId> out;
        if (!expect_array(v, p, "a list of broker ids, like [1, 2, 3]")) return out;
        if (v.empty()) error(p, "expected at least one broker id");
        for (size_t j = 0; j < v.size(); ++j) {
            auto id = read_int(v[j], at(p, j), 1, INT32_MAX);
            if (!id) continue;
            if (brokers_known_ && *id > s_.kafka.brokers) {
                error(at(p, j), no_broker(static_cast<int>(*id)));
                continue;
            }
            if (std::find(out.begin(), out.end(), *id) != out.end()) {
                error(at(p, j), "broker " + std::to_string(*id) + " is listed twice");
                continue;
            }
            out.push_back(static_cast<kafka::BrokerId>(*id));
        }
        return out;
    }

    void read_admin_action(const json& e, const std::string& p, const std::string& name, sim::Duration at_time,
                           size_t index) {
        check_fields(e, p, admin_action_fields.at(name), "a " + name + " action");
        AdminActionSpec a;
        a.index = index;
        a.at = at_time;
        kafka::AdminOperation& op = a.op;
        const size_t errors_before = errors_.size();
        using Kind = kafka::AdminOperation::Kind;
        if (name == "create-topic") {
            op.kind = Kind::create_topic;
            TopicSpec spec;
            spec.partitions = broker_config_.num_partitions;
            spec.replication_factor = broker_config_.default_replication_factor;
            if (auto t = read_string_field(e, p, "topic", "the new topic's name")) {
                if (!legal_topic_name(*t))
                    error(at(p, "topic"), "expected a topic name of letters, digits, '.', '_' and '-' (at most 249), got " +
                                              in_quotes(*t));
                spec.name = *t;
            }
            const json* assignment = member(e, "assignment");
            if (assignment != nullptr && assignment->is_array() && !assignment->empty()) {
                spec.partitions = static_cast<int>(assignment->size());
                if ((*assignment)[0].is_array()) spec.replication_factor = static_cast<int>((*assignment)[0].size());
            }
            if (const json* v = member(e, "partitions"))
                if (auto n = read_int(*v, at(p, "partitions"), 1, limits::max_partitions_per_topic))
                    spec.partitions = static_cast<int>(*n);
            if (const json* v = member(e, "replication.factor"))
                if (auto n = read_int(*v, at(p, "replication.factor"), 1, INT16_MAX))
                    spec.replication_factor = static_cast<int>(*n);
            if (assignment != nullptr) read_assignment(*assignment, at(p, "assignment"), spec);
            if (const json* v = member(e, "config")) spec.config = read_config(*v, at(p, "config"), kafka::scope_topic, "topic");
            op.create.name = spec.name;
            op.create.num_partitions = spec.partitions;
            op.create.replication_factor = static_cast<int16_t>(spec.replication_factor);
            op.create.assignment = spec.assignment;
            op.create.configs = spec.config;
        } else if (name == "delete-topic") {
            op.kind = Kind::delete_topic;
            if (auto t = read_admin_topic(e, p)) op.topic = *t;
        } else if (name == "add-partitions") {
            op.kind = Kind::add_partitions;
            if (auto t = read_admin_topic(e, p)) op.topic = *t;
            if (const json* v = required(e, p, "partitions", "the new partition count (kafka-topics --alter --partitions)"))
                if (auto n = read_int(*v, at(p, "partitions"), 1, limits::max_partitions_per_topic)) {
                    op.partitions = static_cast<int32_t>(*n);
                    if (!op.topic.empty()) {
                        int& most = partitions_after_add_[op.topic];
                        most = std::max(most, op.partitions);
                    }
                }
            if (const json* v = member(e, "assignment")) {
                if (expect_array(*v, at(p, "assignment"), "a replica list per new partition, like [[1,2],[2,3]]"))
                    for (size_t i = 0; i < v->size(); ++i) op.assignment.push_back(read_broker_list((*v)[i], at(at(p, "assignment"), i)));
            }
        } else if (name == "alter-config") {
            op.kind = Kind::alter_config;
            auto type = read_string_field(e, p, "entity-type", "\"topics\" or \"brokers\"");
            if (type && *type != "topics" && *type != "brokers")
                error(at(p, "entity-type"), "expected \"topics\" or \"brokers\", got " + in_quotes(*type),
                      closest(*type, std::vector<std::string_view>{"topics", "brokers"}));
            const bool topic = !type || *type == "topics";
            op.config.type = topic ? kafka::ConfigResourceType::topic : kafka::ConfigResourceType::broker;
            if (topic) {
                if (auto t = read_admin_topic(e, p, "entity-name")) op.config.name = *t;
            } else if (const json* v = member(e, "entity-name")) {
                if (auto id = read_int(*v, at(p, "entity-name"), 1, INT32_MAX)) {
                    if (brokers_known_ && *id > s_.kafka.brokers) error(at(p, "entity-name"), no_broker(static_cast<int>(*id)));
                    op.config.name = std::to_string(*id);
                }
            }  // no entity-name for brokers: the cluster-wide default (--entity-default)
            if (const json* v = member(e, "add-config")) {
                kafka::ConfigMap set = read_config(*v, at(p, "add-config"), topic ? kafka::scope_topic : kafka::scope_broker,
                                                   topic ? "topic" : "broker");
                for (const auto& [key, raw] : v->items())
                    if (set.contains(key))
                        op.config.ops.push_back({key, kafka::AlterConfigOpType::set,
                                                 raw.is_string() ? raw.get<std::string>() : raw.dump()});
            }
            if (const json* v = member(e, "delete-config")) {
                if (expect_array(*v, at(p, "delete-config"), "a list of config names"))
                    for (size_t i = 0; i < v->size(); ++i)
                        if (auto key = read_string((*v)[i], at(at(p, "delete-config"), i))) {
                            if (kafka::find_config_key(*key) == nullptr)
                                error(at(at(p, "delete-config"), i), "unknown config " + in_quotes(*key),
                                      kafka::suggest_config_key(*key, topic ? kafka::scope_topic : kafka::scope_broker));
                            else
                                op.config.ops.push_back({*key, kafka::AlterConfigOpType::remove, ""});
                        }
            }
            if (errors_.size() == errors_before && op.config.ops.empty())
                error(p, "an alter-config action needs \"add-config\" or \"delete-config\"");
        } else if (name == "reassign") {
            op.kind = Kind::reassign;
            bool cancel = false;
            if (const json* v = member(e, "cancel"))
                if (auto b = read_bool(*v, at(p, "cancel"))) cancel = *b;
            if (const json* v = required(e, p, "partitions",
                                         "the plan, like [{\"topic\": \"orders\", \"partition\": 0, \"replicas\": [2, 3]}]")) {
                if (expect_array(*v, at(p, "partitions"), "a list of partitions")) {
                    for (size_t i = 0; i < v->size(); ++i) {
                        const std::string pp = at(at(p, "partitions"), i);
                        if (!expect_object((*v)[i], pp, "a partition")) continue;
                        check_fields((*v)[i], pp, {"topic", "partition", "replicas", "log_dirs"}, "a reassigned partition");
                        auto tp = read_partition_ref((*v)[i], pp);
                        kafka::AlterPartitionReassignmentsRequest::Partition part;
                        if (tp) part.tp = *tp;
                        if (!cancel) {
                            if (const json* r = required((*v)[i], pp, "replicas", "the target replica list"))
                                part.replicas = read_broker_list(*r, at(pp, "replicas"));
                        }
                        op.reassignments.push_back(std::move(part));
                    }
                }
            }
        } else if (name == "elect-leaders") {
            op.kind = Kind::elect_leaders;
            if (auto type = read_string_field(e, p, "election-type", "PREFERRED or UNCLEAN")) {
                std::string upper = *type;
                for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                if (upper == "PREFERRED") op.election = kafka::ElectionType::preferred;
                else if (upper == "UNCLEAN") op.election = kafka::ElectionType::unclean;
                else error(at(p, "election-type"), "expected PREFERRED or UNCLEAN, got " + in_quotes(*type),
                           closest(upper, std::vector<std::string_view>{"PREFERRED", "UNCLEAN"}));
            }
            const bool all = member(e, "all-topic-partitions") != nullptr;
            const bool one = member(e, "topic") != nullptr || member(e, "partition") != nullptr;
            const bool list = member(e, "partitions") != nullptr;
            if (static_cast<int>(all) + static_cast<int>(one) + static_cast<int>(list) != 1) {
                error(p, "an elect-leaders action names its partitions one way: \"topic\" and \"partition\", "
                         "\"partitions\" (a list), or \"all-topic-partitions\": true");
            } else if (all) {
                if (auto b = read_bool(e["all-topic-partitions"], at(p, "all-topic-partitions")); b && !*b)
                    error(at(p, "all-topic-partitions"), "expected true (or leave it out and name the partitions)");
            } else if (one) {
                if (auto tp = read_partition_ref(e, p)) op.named.push_back(*tp);
            } else if (expect_array(e["partitions"], at(p, "partitions"), "a list of {\"topic\", \"partition\"}")) {
                for (size_t i = 0; i < e["partitions"].size(); ++i) {
                    const std::string pp = at(at(p, "partitions"), i);
                    if (!expect_object(e["partitions"][i], pp, "a partition")) continue;
                    check_fields(e["partitions"][i], pp, {"topic", "partition"}, "a partition");
                    if (auto tp = read_partition_ref(e["partitions"][i], pp)) op.named.push_back(*tp);
                }
            }
        } else if (name == "delete-records") {
            op.kind = Kind::delete_records;
            if (const json* v = required(e, p, "partitions",
                                         "like kafka-delete-records' offset file: [{\"topic\": \"orders\", \"partition\": 0, \"offset\": 100}]")) {
                if (expect_array(*v, at(p, "partitions"), "a list of partitions")) {
                    for (size_t i = 0; i < v->size(); ++i) {
                        const std::string pp = at(at(p, "partitions"), i);
                        if (!expect_object((*v)[i], pp, "a partition")) continue;
                        check_fields((*v)[i], pp, {"topic", "partition", "offset"}, "a partition");
                        kafka::AdminOperation::Cut cut;
                        if (auto tp = read_partition_ref((*v)[i], pp)) cut.tp = *tp;
                        if (const json* o = required((*v)[i], pp, "offset", "delete records below this offset (-1: up to the high watermark)"))
                            if (auto n = read_int(*o, at(pp, "offset"), -1)) cut.offset = *n;
                        op.delete_records.push_back(std::move(cut));
                    }
                    if (v->empty()) error(at(p, "partitions"), "expected at least one partition");
                }
            }
        }
        if (errors_.size() == errors_before) s_.admin_actions.push_back(std::move(a));
    }

    std::optional<std::string> read_string_field(const json& obj, const std::string& p, const char* key, std::string_view why) {
        const json* v = required(obj, p, key, why);
        if (v == nullptr) return std::nullopt;
        return read_string(*v, at(p, key));
    }

    void read_rest_action(const json& e, const std::string& p, sim::Duration at_time, size_t index) {
        check_fields(e, p, rest_fields, "a REST call");
        if (connect_workers_ == 0) {
            error(at(p, "action"), "a \"rest\" call needs Connect workers: add a \"connect\" section");
            return;
        }
        RestActionSpec r;
        r.index = index;
        r.at = at_time;
        if (const json* v = required(e, p, "target", "the worker to call, like \"connect:1\"")) {
            if (auto t = read_string(*v, at(p, "target"))) {
                auto n = t->starts_with("connect:") ? parse_id(std::string_view(*t).substr(8)) : std::nullopt;
                if (!n || *n < 1 || *n > connect_workers_)
                    error(at(p, "target"), "expected a worker connect:1..connect:" + std::to_string(connect_workers_) +
                                               ", got " + shown(*v), "connect:1");
                else r.worker = *n;
            }
        }
        if (const json* v = required(e, p, "method", "GET, POST, PUT, PATCH or DELETE")) {
            if (auto m = read_string(*v, at(p, "method"))) {
                static const std::vector<std::string_view> methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
                if (std::find(methods.begin(), methods.end(), *m) == methods.end())
                    error(at(p, "method"), "expected GET, POST, PUT, PATCH or DELETE, got " + shown(*v), closest(*m, methods));
                else r.method = *m;
            }
        }
        if (const json* v = required(e, p, "path", "the endpoint, like \"/connectors/orders-sink/status\"")) {
            if (auto path = read_string(*v, at(p, "path"))) {
                if (!path->starts_with("/")) error(at(p, "path"), "expected a path starting with '/', got " + shown(*v));
                else r.path = *path;
            }
        }
        if (const json* v = member(e, "body")) {
            if (!v->is_object() && !v->is_array()) error(at(p, "body"), "expected a JSON object, got " + shown(*v));
            else r.body = v->dump();
            // A connector created here may be named by targets and checks.
            if (v->is_object() && r.method == "POST" && r.path == "/connectors" && v->contains("name") &&
                (*v)["name"].is_string())
                connector_names_.push_back((*v)["name"].get<std::string>());
        }
        if (!r.method.empty() && !r.path.empty()) s_.rest_actions.push_back(std::move(r));
    }

    // ---- Targets ----

    std::string no_broker(int id) const {
        return "no broker " + std::to_string(id) + ": this cluster has brokers 1.." + std::to_string(s_.kafka.brokers);
    }

    std::optional<Target> read_target(const json& v, const std::string& path, bool allow_everyone_else) {
        if (!v.is_string()) {
            error(path, "expected a target like \"broker:1\" or \"leader:orders/0\", got " + shown(v));
            return std::nullopt;
        }
        const std::string text = v.get<std::string>();
        auto target = parse_target(text);
        if (!target) {
            error(path, "expected a target like \"broker:1\", \"leader:orders/0\", \"controller:active\" or \"brokers\", got " +
                            shown(v),
                  suggest_target(text));
            return std::nullopt;
        }
        if (!check_target(*target, path, allow_everyone_else)) return std::nullopt;
        return target;
    }

    std::string suggest_target(const std::string& text) const {
        auto colon = text.find(':');
        if (colon == std::string::npos) return closest(text, target_words);
        std::string prefix = closest(text.substr(0, colon), target_prefixes);
        return prefix.empty() ? std::string() : prefix + text.substr(colon);
    }

    // Whether the target can name something in this scenario (static part only: a leader
    // may be absent when the fault fires, which is reported then, not here).
    bool check_target(const Target& t, const std::string& path, bool allow_everyone_else) {
        const ClusterSpec& c = s_.kafka;
        const bool kraft = c.metadata == MetadataMode::kraft;
        auto fail = [&](std::string message, std::string suggestion = {}) {
            error(path, std::move(message), std::move(suggestion));
            return false;
        };
        const std::string no_ensemble =
            "this cluster runs in KRaft mode and has no ZooKeeper ensemble (set \"metadata\": \"zookeeper\")";
        switch (t.kind) {
            case Target::Kind::everyone_else:
                if (!allow_everyone_else) return fail("\"*\" (every node not named elsewhere) is only allowed in partition groups");
                return true;
            case Target::Kind::broker:
                if (brokers_known_ && (t.id < 1 || t.id > c.brokers)) return fail(no_broker(t.id));
                return true;
            case Target::Kind::controller:
                if (!kraft) {
                    return fail("in ZooKeeper mode the controller is one of the brokers: use \"controller:active\" or "
                                "\"broker:N\"",
                                "controller:active");
                }
                if (t.id < first_controller_id || t.id >= first_controller_id + c.controllers) {
                    return fail("no controller " + std::to_string(t.id) + ": this cluster has controllers " +
                                std::to_string(first_controller_id) + ".." +
                                std::to_string(first_controller_id + c.controllers - 1));
                }
                return true;
            case Target::Kind::all_controllers:
                if (!kraft) {
                    return fail("in ZooKeeper mode there are no dedicated controllers: use \"controller:active\" or "
                                "\"brokers\"");
                }
                return true;
            case Target::Kind::zookeeper:
                if (kraft) return fail(no_ensemble);
                if (t.id < 1 || t.id > c.zookeeper) {
                    return fail("no zookeeper " + std::to_string(t.id) + ": this ensemble has servers 1.." +
                                std::to_string(c.zookeeper));
                }
                return true;
            case Target::Kind::zookeeper_leader:
            case Target::Kind::all_zookeepers:
                if (kraft) return fail(no_ensemble);
                return true;
            case Target::Kind::partition_leader: {
                auto it = topic_partitions_.find(t.name);
                if (it == topic_partitions_.end()) {
                    std::string near = closest(t.name, topic_names_);
                    return fail("no topic " + in_quotes(t.name) + " in \"topics\"",
                                near.empty() ? std::string() : "leader:" + near + "/" + std::to_string(t.id));
                }
                if (it->second >= 0 && t.id >= it->second) {
                    return fail("topic " + in_quotes(t.name) + " has partitions 0.." + std::to_string(it->second - 1));
                }
                return true;
            }
            case Target::Kind::coordinator:
                if (t.name.starts_with("txn:")) {  // coordinator:txn:<transactional.id>
                    const std::string id = t.name.substr(4);
                    std::vector<std::string> ids;
                    for (const auto& p : s_.producers)
                        if (auto it = p.config.find("transactional.id"); it != p.config.end())
                            if (const auto* v = std::get_if<std::string>(&it->second)) ids.push_back(*v);
                    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
                        std::string near = closest(id, ids);
                        return fail("no producer with transactional.id " + in_quotes(id),
                                    near.empty() ? std::string() : "coordinator:txn:" + near);
                    }
                    return true;
                }
                if (!group_members_.contains(t.name) && !app_group_ids_.contains(t.name)) {
                    std::string near = closest(t.name, group_names_);
                    return fail("no consumer group " + in_quotes(t.name) + " in \"consumers\" (nor an app's application.id)",
                                near.empty() ? std::string() : "coordinator:" + near);
                }
                return true;
            case Target::Kind::producer:
                if (std::find(producer_ids_.begin(), producer_ids_.end(), t.name) == producer_ids_.end()) {
                    std::string near = closest(t.name, producer_ids_);
                    return fail("no producer " + in_quotes(t.name) + " in \"producers\"",
                                near.empty() ? std::string() : "producer:" + near);
                }
                return true;
            case Target::Kind::consumer: {
                auto it = group_members_.find(t.name);
                if (it == group_members_.end()) {
                    std::string near = closest(t.name, group_names_);
                    return fail("no consumer group " + in_quotes(t.name) + " in \"consumers\"",
                                near.empty() ? std::string() : "consumer:" + near + "/" + std::to_string(t.id));
                }
                if (t.id < 1 || t.id > it->second) {
                    return fail("group " + in_quotes(t.name) + " has members 1.." + std::to_string(it->second));
                }
                return true;
            }
            case Target::Kind::app_instance:
            case Target::Kind::app_all: {
                auto it = app_instances_.find(t.name);
                if (it == app_instances_.end()) {
                    std::string near = closest(t.name, app_names_);
                    return fail("no app " + in_quotes(t.name) + " in \"apps\"",
                                near.empty() ? std::string() : "app:" + near + (t.kind == Target::Kind::app_instance ? "/" + std::to_string(t.id) : ""));
                }
                if (t.kind == Target::Kind::app_instance && (t.id < 1 || t.id > it->second))
                    return fail("app " + in_quotes(t.name) + " has instances 1.." + std::to_string(it->second));
                return true;
            }
            case Target::Kind::connect_worker:
            case Target::Kind::connect_leader:
            case Target::Kind::connect_follower:
            case Target::Kind::all_connect_workers:
                if (connect_workers_ == 0) return fail("no Connect workers: add a \"connect\" section");
                if (t.kind == Target::Kind::connect_worker && (t.id < 1 || t.id > connect_workers_))
                    return fail("the Connect cluster has workers 1.." + std::to_string(connect_workers_));
                if ((t.kind == Target::Kind::connect_leader || t.kind == Target::Kind::connect_follower) &&
                    !s_.connect.distributed)
                    return fail("a standalone worker has no group and no leader: use \"connect:1\"");
                return true;
            case Target::Kind::connect_task:
                if (connect_workers_ == 0) return fail("no Connect workers: add a \"connect\" section");
                if (std::find(connector_names_.begin(), connector_names_.end(), t.name) == connector_names_.end()) {
                    std::string near = closest(t.name, connector_names_);
                    return fail("no connector " + in_quotes(t.name) + " in /connect/connectors",
                                near.empty() ? std::string() : "task:" + near + "/" + std::to_string(t.id));
                }
                if (t.id < 0) return fail("task numbers start at 0");
                return true;
            case Target::Kind::active_controller:
            case Target::Kind::quorum_leader:
            case Target::Kind::quorum_follower:
            case Target::Kind::all_brokers:
                return true;
        }
        return true;
    }

    // One target or a list of them.
    std::vector<Target> read_targets(const json& v, const std::string& path) {
        std::vector<Target> out;
        if (v.is_array()) {
            if (v.empty()) error(path, "expected at least one target");
            for (size_t i = 0; i < v.size(); ++i) {
                if (auto t = read_target(v[i], at(path, i), false)) out.push_back(std::move(*t));
            }
        } else if (auto t = read_target(v, path, false)) {
            out.push_back(std::move(*t));
        }
        return out;
    }

    // ---- Faults ----

    void read_faults(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of faults")) return;
        if (!within_limit(path, static_cast<double>(list.size()), limits::max_faults, "faults")) return;
        std::vector<std::string_view> all_fields = {"at", "action", "for"};
        for (const FaultFieldInfo& f : fault_fields()) all_fields.push_back(f.name);
        std::vector<std::string_view> action_names;
        for (const FaultKind* k : fault_kinds()) action_names.push_back(k->name);

        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& e = list[i];
            if (!expect_object(e, p, "a fault")) continue;
            FaultSpec f;
            f.index = i;
            bool ok = true;

            if (const json* v = required(e, p, "at", "when the fault happens, like \"10s\"")) {
                if (auto d = read_time_in_run(*v, at(p, "at"))) f.at = *d;
                else ok = false;
            } else {
                ok = false;
            }
            const FaultKind* kind = nullptr;
            if (const json* v = required(e, p, "action", "what happens: crash, partition, ...")) {
                if (auto name = read_string(*v, at(p, "action"))) {
                    if (*name == "rest") {
                        if (ok) read_rest_action(e, p, f.at, i);
                        continue;
                    }
                    if (contains(admin_action_names, *name)) {
                        if (ok) read_admin_action(e, p, *name, f.at, i);
                        continue;
                    }
                    kind = find_fault_kind(*name);
                    if (kind == nullptr) {
                        std::vector<std::string_view> names = action_names;
                        names.push_back("rest");
                        names.insert(names.end(), admin_action_names.begin(), admin_action_names.end());
                        error(at(p, "action"),
                              "unknown fault action " + in_quotes(*name) + " (one of " + fault_kind_names() +
                                  "; or \"rest\", a call to a Connect worker's REST API; or an admin action: "
                                  "create-topic, delete-topic, add-partitions, alter-config, reassign, elect-leaders, "
                                  "delete-records)",
                              closest(*name, names));
                    }
                }
            }
            if (kind == nullptr) {
                check_fields(e, p, all_fields, "a fault");
                continue;
            }
            f.action = kind->action;
            auto takes = [&](std::string_view key) {
                return std::any_of(kind->fields.begin(), kind->fields.end(),
                                   [&](const FaultField& field) { return field.name == key; });
            };
            for (const auto& [key, value] : e.items()) {
                if (key == "at" || key == "action" || takes(key)) continue;
                if (key == "for" && kind->undone_by_for) continue;
                if (key == "for") {
                    error(at(p, key), "\"for\" does not apply to " + in_quotes(kind->name) +
                                          ": it is not a fault that can be undone");
                } else if (contains(all_fields, key)) {
                    error(at(p, key), "field " + in_quotes(key) + " does not apply to action " + in_quotes(kind->name));
                } else {
                    error(at(p, key), "unknown field " + in_quotes(key) + " in a fault", closest(key, all_fields));
                }
            }
            if (const json* v = member(e, "for"); v != nullptr && kind->undone_by_for) {
                if (auto d = read_duration(*v, at(p, "for"), false)) f.for_ = *d;
            }
            read_fault_fields(e, p, *kind, f);
            if (ok) s_.faults.push_back(std::move(f));
        }
    }

    // A fault's rules across its fields, against the JSON object as written.
    class JsonFieldRules final : public FieldRules {
    public:
        JsonFieldRules(Loader& loader, const json& e, const std::string& p) : loader_(loader), e_(e), p_(p) {}
        bool has(std::string_view field) const override { return member(e_, std::string(field)) != nullptr; }
        void error(std::string_view field, std::string message) override {
            loader_.error(at(p_, std::string(field)), std::move(message));
        }

    private:
        Loader& loader_;
        const json& e_;
        const std::string& p_;
    };

    // Every fault field, read by its name into the FaultSpec member of that name: a new fault
    // that takes known fields needs nothing here.
    void read_fault_fields(const json& e, const std::string& p, const FaultKind& kind, FaultSpec& f) {
        if (kind.rules != nullptr) {
            JsonFieldRules rules(*this, e, p);
            kind.rules(rules);
        }
        for (const FaultField& field : kind.fields) {
            const FaultFieldInfo* info = find_fault_field(field.name);
            SIM_ASSERT(info != nullptr, "fault field without a reader: " + std::string(field.name));
            const std::string name(field.name);
            const json* v = field.required ? required(e, p, name, std::string(info->hint)) : member(e, name);
            if (v == nullptr) continue;
            const std::string vp = at(p, name);
            switch (info->type) {
                case FaultFieldType::targets: targets_field(f, name) = read_targets(*v, vp); break;
                case FaultFieldType::groups: read_groups(*v, vp, f); break;
                case FaultFieldType::target_pair:
                    if (!v->is_array() || v->size() != 2) {
                        error(vp, "expected two targets, like [\"broker:1\", \"broker:2\"], got " + shown(*v));
                        break;
                    }
                    for (size_t j = 0; j < 2; ++j) {
                        if (auto t = read_target((*v)[j], at(vp, j), false)) f.between.push_back(std::move(*t));
                    }
                    break;
                case FaultFieldType::duration:
                    if (auto d = read_duration(*v, vp)) duration_field(f, name) = *d;
                    break;
                case FaultFieldType::probability:
                    if (auto x = read_number(*v, vp, 0, 1, false, "a probability from 0 to 1")) f.probability = *x;
                    break;
                case FaultFieldType::names: read_request_names(*v, vp, f.requests); break;
                case FaultFieldType::count:
                    if (auto n = read_int(*v, vp, 1)) f.count = *n;
                    break;
                case FaultFieldType::name:
                    if (auto n = read_string(*v, vp)) {
                        std::vector<std::string> systems = external_names_;
                        for (const auto& c : s_.connect.connectors)
                            for (const char* key : {"file", "table"})
                                if (auto it = c.config.find(key); it != c.config.end()) systems.push_back(it->second);
                        if (std::find(systems.begin(), systems.end(), *n) == systems.end())
                            error(vp, "no external system " + in_quotes(*n) + " (the files and tables of /connect)",
                                  closest(*n, systems));
                        else f.system = *n;
                    }
                    break;
            }
        }
    }

    // Kafka API names of requests ("EndTxn"), one or a list.
    void read_request_names(const json& v, const std::string& path, std::vector<std::string>& out) {
        const std::vector<std::string> known(kafka::api_names.begin(), kafka::api_names.end());
        auto one = [&](const json& x, const std::string& p) {
            if (!x.is_string()) {
                error(p, "expected a Kafka request name like \"EndTxn\", got " + shown(x));
                return;
            }
            const std::string name = x.get<std::string>();
            if (std::find(known.begin(), known.end(), name) == known.end()) {
                std::string names;
                for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
                error(p, "no request " + in_quotes(name) + " in the model (it has " + names + ")",
                      closest(name, known));
                return;
            }
            out.push_back(name);
        };
        if (v.is_array()) {
            if (v.empty()) error(path, "expected at least one request name, like [\"EndTxn\"]");
            for (size_t i = 0; i < v.size(); ++i) one(v[i], at(path, i));
        } else {
            one(v, path);
        }
    }

    static std::vector<Target>& targets_field(FaultSpec& f, const std::string& name) {
        if (name == "from") return f.from;
        if (name == "to") return f.to;
        SIM_ASSERT(name == "target", "targets field without a member: " + name);
        return f.targets;
    }

    static sim::Duration& duration_field(FaultSpec& f, const std::string& name) {
        if (name == "jitter") return f.jitter;
        SIM_ASSERT(name == "add", "duration field without a member: " + name);
        return f.add;
    }

    void read_groups(const json& v, const std::string& path, FaultSpec& f) {
        if (!expect_array(v, path, "a list of groups, like [[\"broker:1\"], [\"*\"]]")) return;
        if (v.size() < 2) error(path, "expected at least two groups (a partition splits nodes into groups)");
        bool seen_star = false;
        std::map<std::string, size_t> seen;  // target text -> group index
        for (size_t g = 0; g < v.size(); ++g) {
            const std::string gp = at(path, g);
            std::vector<Target> group;
            auto add = [&](const json& item, const std::string& ip) {
                auto t = read_target(item, ip, true);
                if (!t) return;
                if (t->kind == Target::Kind::everyone_else) {
                    if (seen_star) {
                        error(ip, "\"*\" may appear in one group only");
                        return;
                    }
                    seen_star = true;
                }
                if (auto [it, fresh] = seen.emplace(t->text, g); !fresh) {
                    error(ip, in_quotes(t->text) + " is already in group " + std::to_string(it->second));
                    return;
                }
                group.push_back(std::move(*t));
            };
            if (v[g].is_array()) {
                if (v[g].empty()) error(gp, "expected at least one target in the group");
                for (size_t j = 0; j < v[g].size(); ++j) add(v[g][j], at(gp, j));
            } else {
                add(v[g], gp);  // a single target for a one-member group
            }
            f.groups.push_back(std::move(group));
        }
    }

    // ---- Expectations ----

    void read_expect(const json& list, const std::string& path) {
        if (!expect_array(list, path, "a list of checks")) return;
        if (!within_limit(path, static_cast<double>(list.size()), limits::max_expectations, "expectations")) return;
        std::vector<std::string_view> check_names;
        std::vector<std::string_view> all_params = {"check", "outcome", "expected_fraction"};
        for (const CheckDescriptor* c : all_checks()) {
            check_names.push_back(c->name);
            for (const CheckParam& prm : c->params) {
                if (!contains(all_params, prm.name)) all_params.push_back(prm.name);
            }
        }
        auto find = [&](const std::string& name, const std::string& p) -> const CheckDescriptor* {
            if (const CheckDescriptor* c = find_check(name)) return c;
            error(p, "unknown check " + in_quotes(name) + " (one of " + check_names_text() + ")",
                  closest(name, check_names));
            return nullptr;
        };

        for (size_t i = 0; i < list.size(); ++i) {
            const std::string p = at(path, i);
            const json& e = list[i];
            ExpectSpec x;
            x.index = i;
            if (e.is_string()) {
                const CheckDescriptor* check = find(e.get<std::string>(), p);
                if (check == nullptr) continue;
                if (std::any_of(check->params.begin(), check->params.end(), [](const CheckParam& c) { return c.required; })) {
                    std::string params;
                    for (const CheckParam& r : check->params)
                        if (r.required) params += ", \"" + std::string(r.name) + "\": ...";
                    error(p, in_quotes(check->name) + " needs parameters: write { \"check\": " + in_quotes(check->name) +
                                 params + " }");
                    continue;
                }
                x.check = check->kind;
                s_.expect.push_back(std::move(x));
                continue;
            }
            if (!e.is_object()) {
                error(p, "expected a check name like \"no-acked-loss\" or an object { \"check\": ... }, got " + shown(e));
                continue;
            }
            const json* name = required(e, p, "check", "the check's name, like \"max-lag\"");
            if (name == nullptr) continue;
            auto name_text = read_string(*name, at(p, "check"));
            if (!name_text) continue;
            const CheckDescriptor* check = find(*name_text, at(p, "check"));
            if (check == nullptr) continue;
            x.check = check->kind;
            bool ok = true;
            for (const auto& [key, value] : e.items()) {
                if (key == "check" || key == "outcome" || key == "expected_fraction" || takes(*check, key)) continue;
                ok = false;
                if (contains(all_params, key)) {
                    error(at(p, key), "parameter " + in_quotes(key) + " does not apply to check " + in_quotes(check->name));
                } else {
                    std::vector<std::string_view> mine;
                    for (const CheckParam& prm : check->params) mine.push_back(prm.name);
                    mine.push_back("outcome");
                    mine.push_back("expected_fraction");
                    error(at(p, key), "unknown parameter " + in_quotes(key) + " for check " + in_quotes(check->name),
                          closest(key, mine));
                }
            }
            for (const CheckParam& r : check->params) {
                if (r.required && member(e, r.name) == nullptr) {
                    required(e, p, r.name, "check " + std::string(check->name) + " needs it");
                    ok = false;
                }
            }
            if (const json* v = member(e, "outcome")) {
                if (auto o = read_string(*v, at(p, "outcome"))) {
                    if (*o == "violated") x.expect_violated = true;
                    else if (*o != "holds") {
                        error(at(p, "outcome"), "expected \"holds\" or \"violated\", got " + shown(*v),
                              closest(*o, std::vector<std::string_view>{"holds", "violated"}));
                        ok = false;
                    }
                } else {
                    ok = false;
                }
            }
            if (const json* v = member(e, "expected_fraction")) {
                if (auto f = read_number(*v, at(p, "expected_fraction"), 0, 1, true,
                                         "the share of seeds on which the outcome is expected, a number above 0 and at most 1 "
                                         "(like 0.5)"))
                    x.expected_fraction = *f;
                else
                    ok = false;
            }
            if (!read_check_params(e, p, *check, x)) ok = false;
            if (ok) s_.expect.push_back(std::move(x));
        }
    }

    static bool takes(const CheckDescriptor& check, std::string_view param) {
        return std::any_of(check.params.begin(), check.params.end(), [&](const CheckParam& c) { return c.name == param; });
    }

    // Every check parameter, read by its name: a new check that takes known parameters needs
    // nothing here.
    bool read_check_params(const json& e, const std::string& p, const CheckDescriptor& check, ExpectSpec& x) {
        size_t before = errors_.size();
        for (const CheckParam& param : check.params) {
            const json* v = member(e, param.name);
            if (v == nullptr) continue;
            const std::string vp = at(p, param.name);
            if (param.name == "available") {
                if (auto b = read_bool(*v, vp)) x.available = *b;
            } else if (param.name == "during") {
                if (!v->is_array() || v->size() != 2) {
                    error(vp, "expected [from, to], like [\"10s\", \"20s\"], got " + shown(*v));
                } else {
                    auto from = read_time_in_run((*v)[0], at(vp, 0));
                    auto to = read_time_in_run((*v)[1], at(vp, 1));
                    if (from && to && *from > *to) {
                        error(vp, "the window starts (" + sim::format_duration(*from) + ") after it ends (" +
                                      sim::format_duration(*to) + ")");
                    } else if (from && to) {
                        x.during_from = *from;
                        x.during_to = *to;
                    }
                }
            } else if (param.name == "group") {
                if (auto g = read_string(*v, vp)) {
                    if (!group_members_.contains(*g)) {
                        error(vp, "no consumer group " + in_quotes(*g) + " in \"consumers\"", closest(*g, group_names_));
                    } else {
                        x.group = *g;
                    }
                }
            } else if (param.name == "app") {
                if (auto a = read_string(*v, vp)) {
                    if (!app_instances_.contains(*a)) error(vp, "no app " + in_quotes(*a) + " in \"apps\"", closest(*a, app_names_));
                    else x.app = *a;
                }
            } else if (param.name == "below") {
                if (auto b = read_int(*v, vp, 1)) x.below = *b;
            } else if (param.name == "after") {
                if (auto d = read_time_in_run(*v, vp)) x.after = *d;
            } else if (param.name == "within") {
                if (auto d = read_duration(*v, vp, false)) x.within = *d;
            } else if (param.name == "max") {
                if (auto d = read_duration(*v, vp, false)) x.max = *d;
            } else if (param.name == "min") {
                if (auto m = read_number(*v, vp, 0, 1, false, "a fraction from 0 to 1")) x.min = *m;
            } else if (param.name == "producer") {
                if (auto id = read_string(*v, vp)) {
                    if (std::find(producer_ids_.begin(), producer_ids_.end(), *id) == producer_ids_.end()) {
                        error(vp, "no producer " + in_quotes(*id) + " in \"producers\"", closest(*id, producer_ids_));
                    } else {
                        x.producer = *id;
                    }
                }
            } else if (param.name == "source" || param.name == "sink") {
                if (auto c = read_string(*v, vp)) {
                    if (std::find(connector_names_.begin(), connector_names_.end(), *c) == connector_names_.end())
                        error(vp, "no connector " + in_quotes(*c) + " in /connect/connectors", closest(*c, connector_names_));
                    else (param.name == "source" ? x.source : x.sink) = *c;
                }
            } else if (param.name == "delivery") {
                if (auto d = read_string(*v, vp)) {
                    if (*d == "exactly-once") x.exactly_once_delivery = true;
                    else if (*d != "at-least-once")
                        error(vp, "expected \"at-least-once\" or \"exactly-once\", got " + shown(*v),
                              closest(*d, std::vector<std::string_view>{"at-least-once", "exactly-once"}));
                }
            } else if (param.name == "by") {
                if (auto d = read_time_in_run(*v, vp)) x.by = *d;
            } else {
                SIM_ASSERT(false, "check parameter without a reader: " + std::string(param.name));
            }
        }
        return errors_.size() == before;
    }
};

}  // namespace

// ---- Public API -----------------------------------------------------------------------------

std::string LoadError::what() const {
    // Values in messages are cut where they are quoted; this bounds what is left (a path made
    // of long keys, a suggestion built from a long name) and escapes any byte that is not text.
    std::string out = printable_path(file) + ": ";
    if (!path.empty()) out += printable(path, 200) + ": ";
    out += printable(message, 1000);
    if (!suggestion.empty()) out += " (did you mean \"" + printable(suggestion) + "\"?)";
    return out;
}

LoadResult load_scenario_text(const std::string& text, const std::string& file_label) {
    return Loader(file_label).load(text);
}

std::string closest_name(std::string_view word, const std::vector<std::string>& candidates) {
    return closest(word, candidates);
}

FaultParseResult parse_fault(const nlohmann::json& fault, const Scenario& scenario, const std::string& label) {
    return Loader(label).load_fault(fault, scenario);
}

LoadResult load_scenario_file(const std::string& path) {
    auto fail = [&](std::string message) {
        LoadResult r;
        r.errors.push_back({path, "", std::move(message), ""});
        return r;
    };
    std::error_code ec;
    const std::filesystem::file_status status = std::filesystem::status(path, ec);
    if (ec) {
        if (ec == std::errc::filename_too_long) {
            return fail("cannot read the file: the name is too long (" + ec.message() +
                        "; a file name holds at most 255 bytes, a path at most 4095)");
        }
        return fail("cannot read the file: " + ec.message());
    }
    if (std::filesystem::is_directory(status)) {
        return fail("is a directory, not a scenario file (give a .json file in it, or a library scenario's name)");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(std::string("cannot read the file: ") + std::strerror(errno));
    // Read at most the limit and one byte more: /dev/zero or a 10 GB log is not a scenario.
    std::string text;
    char buffer[65536];
    while (in && text.size() <= limits::max_file_bytes) {
        in.read(buffer, sizeof buffer);
        text.append(buffer, static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) return fail(std::string("cannot read the file: ") + std::strerror(errno));
    if (text.size() > limits::max_file_bytes) {
        return fail("the file is larger than kafkasim's limit of " + std::to_string(limits::max_file_bytes / (1024 * 1024)) +
                    " MiB for a scenario (see Limits in docs/scenario-format.md)");
    }
    return load_scenario_text(text, path);
}

std::optional<sim::Duration> parse_duration(std::string_view text) {
    // <digits>[.<digits>]<unit>, computed in integers so "1.5s" is exactly 1500000us.
    size_t i = 0;
    uint64_t whole = 0;
    size_t whole_digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (++whole_digits > 18) return std::nullopt;
        whole = whole * 10 + static_cast<uint64_t>(text[i++] - '0');
    }
    if (whole_digits == 0) return std::nullopt;
    uint64_t fraction = 0, fraction_scale = 1;
    if (i < text.size() && text[i] == '.') {
        ++i;
        size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (++digits > 9) return std::nullopt;
            fraction = fraction * 10 + static_cast<uint64_t>(text[i++] - '0');
            fraction_scale *= 10;
        }
        if (digits == 0) return std::nullopt;
    }
    const std::string_view unit = text.substr(i);
    uint64_t unit_us = 0;
    if (unit == "us") unit_us = 1;
    else if (unit == "ms") unit_us = 1000;
    else if (unit == "s") unit_us = 1000000;
    else if (unit == "m") unit_us = 60ULL * 1000000;
    else if (unit == "h") unit_us = 3600ULL * 1000000;
    else return std::nullopt;
    if (whole > static_cast<uint64_t>(int64_max) / unit_us) return std::nullopt;
    const uint64_t fraction_us_scaled = fraction * unit_us;  // < 1e9 * 3.6e9: fits
    if (fraction_us_scaled % fraction_scale != 0) return std::nullopt;  // finer than a microsecond
    const uint64_t total = whole * unit_us + fraction_us_scaled / fraction_scale;
    if (total > static_cast<uint64_t>(int64_max)) return std::nullopt;
    return sim::Duration{static_cast<int64_t>(total)};
}

std::optional<sim::Duration> parse_duration(const json& value) {
    if (value.is_string()) return parse_duration(std::string_view(value.get_ref<const std::string&>()));
    if (value.is_number_unsigned()) {
        uint64_t ms = value.get<uint64_t>();
        if (ms > static_cast<uint64_t>(int64_max) / 1000) return std::nullopt;
        return sim::milliseconds(static_cast<int64_t>(ms));
    }
    if (value.is_number_integer()) {
        int64_t ms = value.get<int64_t>();
        if (ms < 0 || ms > int64_max / 1000) return std::nullopt;
        return sim::milliseconds(ms);
    }
    return std::nullopt;
}

std::optional<Target> parse_target(std::string_view text) {
    Target t;
    t.text = std::string(text);
    if (text == "*") {
        t.kind = Target::Kind::everyone_else;
        return t;
    }
    if (text == "brokers") t.kind = Target::Kind::all_brokers;
    else if (text == "controllers") t.kind = Target::Kind::all_controllers;
    else if (text == "zookeepers") t.kind = Target::Kind::all_zookeepers;
    else if (text == "connect-workers") t.kind = Target::Kind::all_connect_workers;
    if (text == "brokers" || text == "controllers" || text == "zookeepers" || text == "connect-workers") return t;

    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view kind = text.substr(0, colon), rest = text.substr(colon + 1);
    // "<name>/<n>": names may themselves hold '/', the number is after the last one.
    auto split_last = [&](Target::Kind k) -> std::optional<Target> {
        size_t slash = rest.rfind('/');
        if (slash == std::string_view::npos || slash == 0) return std::nullopt;
        auto n = parse_id(rest.substr(slash + 1));
        if (!n) return std::nullopt;
        t.kind = k;
        t.name = std::string(rest.substr(0, slash));
        t.id = *n;
        return t;
    };
    auto by_id = [&](Target::Kind k) -> std::optional<Target> {
        auto n = parse_id(rest);
        if (!n) return std::nullopt;
        t.kind = k;
        t.id = *n;
        return t;
    };
    auto by_name = [&](Target::Kind k) -> std::optional<Target> {
        if (rest.empty()) return std::nullopt;
        t.kind = k;
        t.name = std::string(rest);
        return t;
    };
    if (kind == "broker") return by_id(Target::Kind::broker);
    if (kind == "controller") {
        if (rest == "active") {
            t.kind = Target::Kind::active_controller;
            return t;
        }
        return by_id(Target::Kind::controller);
    }
    if (kind == "zookeeper") {
        if (rest == "leader") {
            t.kind = Target::Kind::zookeeper_leader;
            return t;
        }
        return by_id(Target::Kind::zookeeper);
    }
    if (kind == "quorum" && rest == "leader") {
        t.kind = Target::Kind::quorum_leader;
        return t;
    }
    if (kind == "quorum" && rest == "follower") {
        t.kind = Target::Kind::quorum_follower;
        return t;
    }
    if (kind == "leader") return split_last(Target::Kind::partition_leader);
    if (kind == "coordinator") return by_name(Target::Kind::coordinator);
    if (kind == "producer") return by_name(Target::Kind::producer);
    if (kind == "consumer") return split_last(Target::Kind::consumer);
    if (kind == "connect") {
        if (rest == "leader") {
            t.kind = Target::Kind::connect_leader;
            return t;
        }
        if (rest == "follower") {
            t.kind = Target::Kind::connect_follower;
            return t;
        }
        return by_id(Target::Kind::connect_worker);
    }
    if (kind == "task") return split_last(Target::Kind::connect_task);
    if (kind == "app") {  // app:<name>/<n> is one instance, app:<name> all of them
        if (auto one = split_last(Target::Kind::app_instance)) return one;
        if (rest.find('/') != std::string_view::npos) return std::nullopt;
        return by_name(Target::Kind::app_all);
    }
    return std::nullopt;
}

// to_string(FaultAction) and to_string(CheckKind) live in scenario.cpp.

std::string describe_profile(const kafka::VersionProfile& profile) {
    std::string out = "Kafka version profile " + profile.name + "\n";
    if (profile.defaults.empty()) {
        out += "  defaults: none changed by this profile\n";
    } else {
        out += "  defaults this profile changes:\n";
        for (const auto& [name, value] : profile.defaults) {
            const kafka::ConfigKey* key = kafka::find_config_key(name);  // acks -1 shows as "all"
            const std::string shown = key ? kafka::format_config_value(*key, value) : kafka::format_config_value(value);
            out += "    " + name + " = " + shown + "\n";
        }
    }
    out += "  what this profile sets and why:\n";
    for (const auto& note : profile.notes) out += "    - " + note + "\n";
    return out;
}

}  // namespace scenarios
