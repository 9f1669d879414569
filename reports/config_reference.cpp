#include "reports/config_reference.hpp"

#include <algorithm>
#include <utility>

#include "broker/config.hpp"

namespace reports {

namespace {

std::string cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += "\\|";
        else out += c;
    }
    return out;
}

std::string code(std::string_view text) { return "`" + std::string(text) + "`"; }

std::string release_text(std::pair<int, int> r) { return std::to_string(r.first) + "." + std::to_string(r.second); }

// "`10000` before 2.5; `5` from 4.0": the profiles' changes to this key's default.
std::string profile_changes(const kafka::ConfigKey& key) {
    kafka::ConfigValue table_default = std::string(key.default_value);
    kafka::normalise_config_value(key, table_default);
    std::string out;
    for (const kafka::ProfileDefault& d : kafka::profile_defaults()) {
        if (d.key != key.name) continue;
        kafka::ConfigValue value = std::string(d.value);
        kafka::normalise_config_value(key, value);
        if (value == table_default) continue;
        std::string when;
        if (d.from != std::pair{0, 0}) when = "from " + release_text(d.from);
        if (d.until != std::pair{99, 99}) when += (when.empty() ? "before " : ", before ") + release_text(d.until);
        out += (out.empty() ? "" : "; ") + code(d.value) + " " + when;
    }
    return out;
}

std::string modelled_text(const kafka::ConfigKey& key) {
    if (key.modelled()) return "yes";
    if (key.modelled_values.empty()) return "no";
    std::string values;  // "delete", "none|producer" -> `none`, `producer`
    for (char c : key.modelled_values) values += c == '|' ? std::string("`, `") : std::string(1, c);
    return "only `" + values + "`";
}

std::string default_text(const kafka::ConfigKey& key, unsigned scope) {
    std::string out = code(key.default_value);
    if (scope == kafka::scope_topic && !key.broker_synonym.empty() && key.broker_synonym != key.name) {
        out += " (broker: " + code(key.broker_synonym) + ")";
    }
    return out;
}

std::string scope_section(unsigned scope, std::string_view title) {
    std::string out = "## " + std::string(title) + "\n\n";
    out += "| key | default | profiles change it | modelled | values | what it is |\n";
    out += "|---|---|---|---|---|---|\n";
    for (const kafka::ConfigKey& key : kafka::config_keys()) {
        if ((key.scopes & scope) == 0) continue;
        out += "| " + code(key.name) + " | " + cell(default_text(key, scope)) + " | " + cell(profile_changes(key)) +
               " | " + modelled_text(key) + " | " + cell(kafka::config_values_text(key)) + " | " + cell(key.doc) +
               " |\n";
    }
    return out + "\n";
}

std::string behaviour_section() {
    const std::vector<kafka::VersionProfile> profiles = kafka::all_profiles();
    std::string out = "## Behaviour switches of the version profiles\n\n"
                      "Protocol behaviour that has no setting: each `kafka.version` profile turns on what its "
                      "releases had.\n\n| switch |";
    for (const auto& p : profiles) out += " " + p.name + " |";
    out += " on means |\n|---|";
    for (size_t i = 0; i < profiles.size(); ++i) out += "---|";
    out += "---|\n";
    for (const kafka::BehaviourSwitch& s : kafka::behaviour_switches()) {
        out += "| " + code(s.name) + " |";
        for (const auto& p : profiles) out += p.behaviour.*s.flag ? " on |" : " off |";
        out += " " + cell(s.on) + " |\n";
    }
    return out;
}

}  // namespace

std::string config_reference_markdown() {
    std::string out =
        "# Config keys\n\n"
        "<!-- Generated from the key table (broker/config_keys.cpp) by `kafkasim configs > docs/config-keys.md`; "
        "a test fails when they differ. -->\n\n"
        "Every name the config maps of a scenario accept (see [the scenario format](scenario-format.md)), with "
        "Kafka's default in the default profile (3.7) and the defaults other `kafka.version` profiles change. A key "
        "that is not modelled is accepted, so real configs can be pasted in, but the model does not act on it: "
        "`kafkasim validate` warns about each one. `report.json` lists the resolved value of every modelled key.\n\n";
    out += scope_section(kafka::scope_broker, "Broker and controller: `kafka.config`");
    out += scope_section(kafka::scope_topic, "Topic: a topic's `config`");
    out += scope_section(kafka::scope_producer, "Producer: a producer's `config`");
    out += scope_section(kafka::scope_consumer, "Consumer: a consumer's `config`");
    out += scope_section(kafka::scope_streams, "Kafka Streams: an app's `config`");
    out += scope_section(kafka::scope_connect, "Kafka Connect workers: the `connect` section's `config`");
    out += behaviour_section();
    return out;
}

// `kafkasim profiles --matrix`: one row per behaviour switch and per default a profile changes,
// one column per profile, so what changed between two releases reads across a line.
std::string profiles_matrix_text() {
    const std::vector<kafka::VersionProfile> profiles = kafka::all_profiles();
    struct Row {
        std::string name;
        std::vector<std::string> cells;
    };
    std::vector<Row> switches, defaults;
    for (const kafka::BehaviourSwitch& s : kafka::behaviour_switches()) {
        Row row{std::string(s.name), {}};
        for (const auto& p : profiles) row.cells.push_back(p.behaviour.*s.flag ? "on" : "-");
        switches.push_back(std::move(row));
    }
    std::vector<std::string_view> keys;
    for (const kafka::ProfileDefault& d : kafka::profile_defaults())
        if (std::find(keys.begin(), keys.end(), d.key) == keys.end()) keys.push_back(d.key);
    for (std::string_view name : keys) {
        const kafka::ConfigKey* key = kafka::find_config_key(name);
        if (key == nullptr) continue;
        Row row{std::string(name), {}};
        for (const auto& p : profiles) {
            auto it = p.defaults.find(std::string(name));
            kafka::ConfigValue value = it != p.defaults.end() ? it->second : kafka::ConfigValue(std::string(key->default_value));
            kafka::normalise_config_value(*key, value);
            row.cells.push_back(kafka::format_config_value(*key, value));
        }
        defaults.push_back(std::move(row));
    }
    // A value too wide for a column (range,cooperative-sticky) is told as runs of profiles instead.
    constexpr size_t widest_cell = 8;
    std::vector<std::string> wide;
    std::erase_if(defaults, [&](const Row& r) {
        if (std::none_of(r.cells.begin(), r.cells.end(), [](const std::string& c) { return c.size() > widest_cell; }))
            return false;
        std::string text = r.name + ":";
        for (size_t i = 0; i < r.cells.size();) {
            size_t j = i;
            while (j + 1 < r.cells.size() && r.cells[j + 1] == r.cells[i]) ++j;
            text += (i ? "; " : " ") + r.cells[i] + " in " +
                    (j + 1 == r.cells.size() ? profiles[i].name + " and later"
                                             : i == j ? profiles[i].name : profiles[i].name + " to " + profiles[j].name);
            i = j + 1;
        }
        wide.push_back(std::move(text));
        return true;
    });
    size_t name_width = 0;
    std::vector<size_t> widths(profiles.size());
    for (size_t i = 0; i < profiles.size(); ++i) widths[i] = profiles[i].name.size();
    for (const auto* rows : {&switches, &defaults}) {
        for (const Row& r : *rows) {
            name_width = std::max(name_width, r.name.size());
            for (size_t i = 0; i < r.cells.size(); ++i) widths[i] = std::max(widths[i], r.cells[i].size());
        }
    }
    auto line = [&](const std::string& name, const std::vector<std::string>& cells) {
        std::string out = name + std::string(name_width - name.size(), ' ');
        for (size_t i = 0; i < cells.size(); ++i) out += "  " + std::string(widths[i] - cells[i].size(), ' ') + cells[i];
        return out + "\n";
    };
    std::vector<std::string> header;
    for (const auto& p : profiles) header.push_back(p.name);
    std::string out = line("behaviour (no setting)", header);
    for (const Row& r : switches) out += line(r.name, r.cells);
    out += "\n" + line("defaults the profiles change", header);
    for (const Row& r : defaults) out += line(r.name, r.cells);
    for (const std::string& w : wide) out += w + "\n";
    out += "\n`kafkasim profiles VERSION` says what each line means for one release, and why.\n";
    return out;
}

}  // namespace reports
