// Values as an error message may show them. A message echoes what the user wrote ("got ...",
// "no topic \"x\""), and what was written may be 70 000 characters long or not text at all (a
// shell line with a stray byte): echoed whole, one mistake becomes a 70 KB line, or a line a
// terminal or a JSON report cannot hold. These cut long values and escape bytes.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace scenarios {

// Whether text is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// text with every control character and every byte that is not part of well-formed UTF-8
// written as \xNN, cut after about max_bytes (on a character boundary) with
// "... (N bytes)" saying how long it was. Printable text shorter than that is returned as is.
std::string printable(std::string_view text, size_t max_bytes = 60);

// The same for a file path: a long one keeps its start and its end (the file's own name).
std::string printable_path(std::string_view path, size_t max_bytes = 160);

// The length of the well-formed UTF-8 character that starts at text[i], or 0 when none does.
size_t utf8_char_length(std::string_view text, size_t i);

// The byte offset of the first byte of text that is not well-formed UTF-8, or npos.
size_t first_invalid_utf8(std::string_view text);

}  // namespace scenarios
