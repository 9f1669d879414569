// report.html: one self-contained page for a person to open after a run. The description,
// the verdicts with their evidence, the plots (inline SVG), the fault timeline, the story of
// the run as the narrator tells it, and the configuration it ran with. No scripts, no
// external resources, no date: the same run gives the same bytes.
//
// The page is drawn from report.json's content, so the two never disagree.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/plots.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

struct InlinePlot {
    PlotFile file;
    std::string svg;  // from inline_svg()
};

std::string html_report(const nlohmann::ordered_json& report, const scenarios::RunData& run,
                        const std::vector<InlinePlot>& plots);

// gnuplot's SVG made fit for a page: no XML prolog, its size left to CSS (the viewBox
// stays), and ids prefixed so that several plots on one page do not share them.
std::string inline_svg(const std::string& svg, const std::string& id_prefix);

// Text for HTML element content and attribute values.
std::string html_escape(const std::string& text);

}  // namespace reports
