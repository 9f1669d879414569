// The config reference (docs/config-keys.md, `kafkasim configs`): every key of the key table by
// scope, with its default, what the version profiles change, whether the model reads it, and the
// behaviour switches of every profile. A test keeps the page equal to this text.
#pragma once
#include <string>

namespace reports {

std::string config_reference_markdown();
// The profiles side by side (`kafkasim profiles --matrix`): behaviour switches and changed
// defaults as rows, profiles as columns.
std::string profiles_matrix_text();

}  // namespace reports
