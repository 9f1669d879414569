// Files that are whole or absent. A run's reports are written to a temporary name in the same
// directory and renamed over the real one only when every byte was written: on a full disk, a
// file-size limit or a vanished directory the write fails with a WriteError naming the file
// and the system's reason, and no 0-byte report.json or truncated metrics.csv is left looking
// like a finished one.
#pragma once
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

namespace reports {

// A file (or standard output) that could not be written: `kafkasim` exits 4 for it.
struct WriteError : std::runtime_error {
    WriteError(const std::string& file, const std::string& reason);
    std::string file;
};

class OutputFile {
public:
    explicit OutputFile(std::string path);  // creates path + ".partial"; throws WriteError
    ~OutputFile();                          // removes the temporary file unless committed
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    std::ostream& stream() { return out_; }
    // Writes what is buffered, closes and renames over the real name; throws WriteError when
    // any write failed (with the errno of the first that did).
    void commit();

private:
    // A buffer over the file descriptor that keeps the first write error's errno, which an
    // std::ofstream loses.
    class Buffer : public std::streambuf {
    public:
        explicit Buffer(int fd);
        int error = 0;  // errno of the first failed write, 0 when none failed

    protected:
        int_type overflow(int_type c) override;
        int sync() override;

    private:
        bool drain();
        int fd_;
        std::vector<char> space_;
    };

    std::string path_, temporary_;
    int fd_ = -1;
    Buffer* buffer_ = nullptr;
    std::ostream out_{nullptr};
    bool committed_ = false;
};

// The whole of text to path, as OutputFile does.
void write_file(const std::string& path, const std::string& text);

}  // namespace reports
