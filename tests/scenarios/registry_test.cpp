// The fault and check registries: every kind is described once, the loader's messages name
// every kind, and the scenario-format docs agree with the descriptors.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/faults/fault_kind.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

using namespace scenarios;

std::string scenario_format_doc() {
    std::ifstream in(std::string(KAFKASIM_SOURCE_DIR) + "/docs/scenario-format.md");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string first_error(const std::string& text) {
    LoadResult r = load_scenario_text(text, "t.json");
    REQUIRE_FALSE(r.errors.empty());
    return r.errors.front().what();
}

const char* minimal = R"({"name": "t", "duration": "10s", "kafka": {"brokers": 3}, "topics": [{"name": "orders"}],)";

}  // namespace

TEST_CASE("registries: one descriptor per fault action and per check, found by name", "[scenarios][registry]") {
    size_t i = 0;
    for (const FaultKind* k : fault_kinds()) {
        CHECK(static_cast<size_t>(k->action) == i++);
        CHECK(find_fault_kind(k->name) == k);
        CHECK(to_string(k->action) == k->name);
        CHECK(parse_fault_action(k->name) == k->action);
        CHECK(k->apply != nullptr);
        CHECK((k->undo != nullptr) == k->undone_by_for);  // `for` undoes exactly the faults that can be
        for (const FaultField& f : k->fields) CHECK(find_fault_field(f.name) != nullptr);  // each field has a reader
    }
    CHECK(i == static_cast<size_t>(FaultAction::fail_task) + 1);
    i = 0;
    for (const CheckDescriptor* c : all_checks()) {
        CHECK(static_cast<size_t>(c->kind) == i++);
        CHECK(find_check(c->name) == c);
        CHECK(to_string(c->kind) == c->name);
        CHECK(c->run != nullptr);
    }
    CHECK(i == static_cast<size_t>(CheckKind::task_unassigned_time) + 1);
}

TEST_CASE("registries: validate's messages name every fault action and every check", "[scenarios][registry]") {
    const std::string bad_action =
        first_error(std::string(minimal) + R"("faults": [{"at": "1s", "action": "explode", "target": "broker:1"}]})");
    for (const FaultKind* k : fault_kinds()) CHECK_THAT(bad_action, Catch::Contains(std::string(k->name)));
    const std::string bad_check = first_error(std::string(minimal) + R"("expect": ["no-lost-records"]})");
    for (const CheckDescriptor* c : all_checks()) CHECK_THAT(bad_check, Catch::Contains(std::string(c->name)));
}

TEST_CASE("registries: docs/scenario-format.md has each descriptor's own row", "[scenarios][registry]") {
    const std::string doc = scenario_format_doc();
    REQUIRE_FALSE(doc.empty());
    for (const CheckDescriptor* c : all_checks()) {
        const std::string row = "| `" + std::string(c->name) + "` | " + std::string(c->params_doc) + " | " +
                                std::string(c->doc) + " |";
        INFO(row);
        CHECK(doc.find(row) != std::string::npos);
    }
    const size_t fault_table = doc.find("| action | fields | what happens | `for` |");
    REQUIRE(fault_table != std::string::npos);
    for (const FaultKind* k : fault_kinds()) {
        const std::string row_start = "| `" + std::string(k->name) + "` | ";
        const std::string row_end = " | " + std::string(k->doc) + " | " +
                                    (k->for_doc.empty() ? std::string("—") : std::string(k->for_doc)) + " |";
        INFO(row_start << "..." << row_end);
        const size_t at = doc.find(row_start, fault_table);
        REQUIRE(at != std::string::npos);
        const std::string row = doc.substr(at, doc.find('\n', at) - at);
        CHECK(row.size() >= row_end.size());
        CHECK(row.compare(row.size() - row_end.size(), row_end.size(), row_end) == 0);
    }
}
