#include "cli/line_editor.hpp"

#include "scenarios/printable.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace cli {

namespace {

constexpr int ctrl(char c) {
    return c & 0x1f;
}
constexpr int key_escape = 27, key_backspace = 127;

// Raw mode for as long as a line is typed: no echo, no line buffering, no signals from Ctrl-C.
// Output processing stays on, so "\n" still moves to the start of the next line.
class RawMode {
public:
    RawMode() {
        if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios raw = saved_;
        raw.c_iflag &= ~static_cast<tcflag_t>(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
        raw.c_cflag |= CS8;
        raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | IEXTEN | ISIG);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        // TCSADRAIN, not TCSAFLUSH: what was typed ahead during a long command is kept.
        active_ = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
    }
    ~RawMode() {
        if (active_) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    bool active() const { return active_; }

private:
    termios saved_{};
    bool active_ = false;
};

// One byte of input; -1 at the end of input.
int read_byte() {
    for (;;) {
        unsigned char c = 0;
        ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n == 1) return c;
        if (n < 0 && errno == EINTR) continue;
        return -1;
    }
}

enum class Key { none, left, right, up, down, home, end, del };

// The rest of an escape sequence (after ESC): the arrow keys, home, end and delete as xterm,
// the Linux console and VT220-style terminals send them.
Key read_escape() {
    int c = read_byte();
    if (c == 'O') {
        c = read_byte();
        return c == 'H' ? Key::home : c == 'F' ? Key::end : Key::none;
    }
    if (c != '[') return Key::none;
    c = read_byte();
    switch (c) {
        case 'A': return Key::up;
        case 'B': return Key::down;
        case 'C': return Key::right;
        case 'D': return Key::left;
        case 'H': return Key::home;
        case 'F': return Key::end;
        default: break;
    }
    if (c < '0' || c > '9') return Key::none;
    int number = c - '0';
    while ((c = read_byte()) >= '0' && c <= '9') number = number * 10 + (c - '0');
    if (c != '~') return Key::none;  // e.g. modifiers ("1;5C"): not ours
    switch (number) {
        case 1:
        case 7: return Key::home;
        case 4:
        case 8: return Key::end;
        case 3: return Key::del;
        default: return Key::none;
    }
}

std::string common_prefix(const std::vector<std::string>& words) {
    if (words.empty()) return "";
    std::string prefix = words.front();
    for (const auto& w : words) {
        size_t n = 0;
        while (n < prefix.size() && n < w.size() && prefix[n] == w[n]) ++n;
        prefix.resize(n);
    }
    return prefix;
}

}  // namespace

LineEditor::LineEditor(std::istream& in, std::ostream& out, std::vector<std::string> words)
    : in_(in), out_(out), words_(std::move(words)) {
    interactive_ = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

std::optional<std::string> LineEditor::read_line(const std::string& prompt) {
    return interactive_ ? read_edited(prompt) : read_plain(prompt);
}

std::optional<std::string> LineEditor::read_plain(const std::string& prompt) {
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // a script written on Windows
    if (line.find_first_not_of(" \t") != std::string::npos) {
        // The transcript shows the line as typed, unless it holds bytes that are not text
        // (escaped, as messages do) or is too long for one (cut).
        const bool plain = line.size() <= 4000 && scenarios::is_valid_utf8(line) &&
                           std::none_of(line.begin(), line.end(), [](char c) {
                               return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F;
                           });
        out_ << prompt << (plain ? line : scenarios::printable(line, 4000)) << "\n";
    }
    return line;
}

void LineEditor::remember(const std::string& line) {
    if (line.find_first_not_of(" \t") == std::string::npos) return;
    if (!history_.empty() && history_.back() == line) return;
    history_.push_back(line);
}

std::optional<std::string> LineEditor::read_edited(const std::string& prompt) {
    out_.flush();
    RawMode raw;
    if (!raw.active()) return read_plain(prompt);

    std::string line;
    size_t cursor = 0;
    size_t recalled = history_.size();  // == size(): the line being typed, not a recalled one
    std::string draft;                  // the line being typed, kept while browsing history
    auto redraw = [&] {
        std::string frame = "\r" + prompt + line + "\x1b[K";
        if (cursor < line.size()) frame += "\x1b[" + std::to_string(line.size() - cursor) + "D";
        out_ << frame << std::flush;
    };
    auto recall = [&](size_t index) {
        if (recalled == history_.size()) draft = line;
        recalled = index;
        line = recalled == history_.size() ? draft : history_[recalled];
        cursor = line.size();
    };
    auto complete = [&] {
        if (cursor != line.size() || line.find(' ') != std::string::npos) return;
        std::vector<std::string> matches;
        for (const auto& w : words_)
            if (w.starts_with(line)) matches.push_back(w);
        if (matches.empty()) return;
        std::string prefix = common_prefix(matches);
        if (matches.size() == 1) prefix += ' ';
        if (prefix.size() > line.size()) {
            line = prefix;
            cursor = line.size();
            return;
        }
        out_ << "\n";  // a second tab shows the candidates, as shells do
        for (size_t i = 0; i < matches.size(); ++i) out_ << (i ? "  " : "") << matches[i];
        out_ << "\n";
    };

    redraw();
    for (;;) {
        const int c = read_byte();
        Key key = Key::none;
        if (c == -1) {
            if (!line.empty()) break;  // end of input after a partial line: take it
            out_ << "\n" << std::flush;
            return std::nullopt;
        }
        if (c == '\r' || c == '\n') break;
        if (c == key_escape)
            key = read_escape();
        else if (c == ctrl('B'))
            key = Key::left;
        else if (c == ctrl('F'))
            key = Key::right;
        else if (c == ctrl('P'))
            key = Key::up;
        else if (c == ctrl('N'))
            key = Key::down;
        else if (c == ctrl('A'))
            key = Key::home;
        else if (c == ctrl('E'))
            key = Key::end;

        if (key == Key::left && cursor > 0)
            --cursor;
        else if (key == Key::right && cursor < line.size())
            ++cursor;
        else if (key == Key::home)
            cursor = 0;
        else if (key == Key::end)
            cursor = line.size();
        else if (key == Key::up && recalled > 0)
            recall(recalled - 1);
        else if (key == Key::down && recalled < history_.size())
            recall(recalled + 1);
        else if (key == Key::del && cursor < line.size())
            line.erase(cursor, 1);
        else if (key != Key::none) {
            // at an edge: nothing to do
        } else if (c == key_backspace || c == ctrl('H')) {
            if (cursor > 0) line.erase(--cursor, 1);
        } else if (c == ctrl('D')) {
            if (line.empty()) {
                out_ << "\n" << std::flush;
                return std::nullopt;
            }
            if (cursor < line.size()) line.erase(cursor, 1);
        } else if (c == ctrl('C')) {
            out_ << "^C\n" << std::flush;
            return std::string();  // the line is dropped; the session goes on
        } else if (c == ctrl('U')) {
            line.erase(0, cursor);
            cursor = 0;
        } else if (c == ctrl('K')) {
            line.erase(cursor);
        } else if (c == ctrl('W')) {
            size_t start = cursor;
            while (start > 0 && line[start - 1] == ' ') --start;
            while (start > 0 && line[start - 1] != ' ') --start;
            line.erase(start, cursor - start);
            cursor = start;
        } else if (c == ctrl('L')) {
            out_ << "\x1b[H\x1b[2J";
        } else if (c == '\t') {
            complete();
        } else if (c >= 32) {
            line.insert(cursor++, 1, static_cast<char>(c));
        }
        redraw();
    }
    out_ << "\n" << std::flush;
    remember(line);
    return line;
}

}  // namespace cli
