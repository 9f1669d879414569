// Reads the command lines of `kafkasim shell`.
//
// On a terminal it is a small line editor (the build has no readline): the terminal is put in
// raw mode (termios) while a line is typed and restored before the line is handled, so a
// command's output and a Ctrl-C during a long `advance` behave as usual. Keys:
//   left/right, Ctrl-B/Ctrl-F   move            home/end, Ctrl-A/Ctrl-E   start/end of line
//   backspace, delete           erase           Ctrl-U / Ctrl-K / Ctrl-W  erase to start / to end / a word
//   up/down, Ctrl-P/Ctrl-N      history         tab                       complete the command name
//   Ctrl-C                      drop the line   Ctrl-D                    end (on an empty line)
//   Ctrl-L                      clear the screen
// The cursor is counted in bytes: lines are expected in ASCII, as every command is.
//
// Otherwise (a pipe or a file) lines are read plainly, and each is echoed after the prompt, so
// that the output of a piped script reads as a transcript of the session.
#pragma once
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace cli {

class LineEditor {
public:
    // `words`: what tab completes at the start of a line (the command names).
    LineEditor(std::istream& in, std::ostream& out, std::vector<std::string> words);

    // The next line without its newline; nullopt at the end of input (EOF, Ctrl-D).
    std::optional<std::string> read_line(const std::string& prompt);
    bool interactive() const { return interactive_; }

private:
    std::optional<std::string> read_plain(const std::string& prompt);
    std::optional<std::string> read_edited(const std::string& prompt);
    void remember(const std::string& line);

    std::istream& in_;
    std::ostream& out_;
    std::vector<std::string> words_;
    bool interactive_ = false;
    std::vector<std::string> history_;
};

}  // namespace cli
