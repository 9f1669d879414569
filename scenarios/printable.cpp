#include "scenarios/printable.hpp"

namespace scenarios {

namespace {

// The length of the well-formed UTF-8 character at text[i], or 0 when there is none.
size_t utf8_length_at(std::string_view text, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
    else if (b0 == 0xE0) n = 3, lo = 0xA0;
    else if (b0 == 0xED) n = 3, hi = 0x9F;  // no surrogates
    else if (b0 >= 0xE1 && b0 <= 0xEF) n = 3;
    else if (b0 == 0xF0) n = 4, lo = 0x90;
    else if (b0 == 0xF4) n = 4, hi = 0x8F;  // nothing past U+10FFFF
    else if (b0 >= 0xF1 && b0 <= 0xF3) n = 4;
    else return 0;
    if (i + n > text.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

void append_escaped_byte(std::string& out, unsigned char b) {
    static const char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[b >> 4];
    out += digits[b & 0xF];
}

}  // namespace

size_t utf8_char_length(std::string_view text, size_t i) { return utf8_length_at(text, i); }

size_t first_invalid_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        size_t n = utf8_length_at(text, i);
        if (n == 0) return i;
        i += n;
    }
    return std::string_view::npos;
}

bool is_valid_utf8(std::string_view text) { return first_invalid_utf8(text) == std::string_view::npos; }

// Escapes text into out until out holds max_bytes; returns how much of text it took.
static size_t escape_into(std::string& out, std::string_view text, size_t max_bytes) {
    size_t i = 0;
    while (i < text.size() && out.size() < max_bytes) {
        const size_t n = utf8_length_at(text, i);
        const unsigned char b = static_cast<unsigned char>(text[i]);
        if (n == 0 || b < 0x20 || b == 0x7F) {
            append_escaped_byte(out, b);
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return i;
}

std::string printable(std::string_view text, size_t max_bytes) {
    std::string out;
    if (escape_into(out, text, max_bytes) < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

std::string printable_path(std::string_view path, size_t max_bytes) {
    if (path.size() <= max_bytes) return printable(path, max_bytes);
    const size_t tail = max_bytes / 2;
    size_t from = path.size() - tail;
    // Start the tail on a character boundary.
    while (from < path.size() && (static_cast<unsigned char>(path[from]) & 0xC0) == 0x80) ++from;
    std::string out;
    escape_into(out, path.substr(0, max_bytes - tail), max_bytes - tail);
    out += "...";
    escape_into(out, path.substr(from), out.size() + 4 * tail);
    return out + " (" + std::to_string(path.size()) + " bytes)";
}

}  // namespace scenarios
