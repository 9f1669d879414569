#include "reports/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "scenarios/printable.hpp"

namespace reports {

WriteError::WriteError(const std::string& file_, const std::string& reason)
    : std::runtime_error("could not write " + scenarios::printable_path(file_) + ": " + reason), file(file_) {}

OutputFile::Buffer::Buffer(int fd) : fd_(fd), space_(1 << 16) { setp(space_.data(), space_.data() + space_.size()); }

bool OutputFile::Buffer::drain() {
    const char* p = pbase();
    while (p < pptr() && error == 0) {
        const ssize_t n = ::write(fd_, p, static_cast<size_t>(pptr() - p));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : EIO;
            break;
        }
        p += n;
    }
    setp(space_.data(), space_.data() + space_.size());
    return error == 0;
}

OutputFile::Buffer::int_type OutputFile::Buffer::overflow(int_type c) {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
        *pptr() = traits_type::to_char_type(c);
        pbump(1);
    }
    return traits_type::not_eof(c);
}

int OutputFile::Buffer::sync() { return drain() ? 0 : -1; }

OutputFile::OutputFile(std::string path) : path_(std::move(path)), temporary_(path_ + ".partial") {
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) throw WriteError(path_, std::strerror(errno));
    buffer_ = new Buffer(fd_);
    out_.rdbuf(buffer_);
}

OutputFile::~OutputFile() {
    out_.rdbuf(nullptr);
    delete buffer_;
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) std::remove(temporary_.c_str());
}

void OutputFile::commit() {
    out_.flush();
    int error = buffer_->error;
    if (error == 0 && !out_) error = EIO;  // a formatter failed without a write failing
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0 && error == 0) error = errno;  // NFS reports a full disk here
    if (error != 0) throw WriteError(path_, std::strerror(error));
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0) throw WriteError(path_, std::strerror(errno));
    committed_ = true;
}

void write_file(const std::string& path, const std::string& text) {
    OutputFile file(path);
    file.stream() << text;
    file.commit();
}

}  // namespace reports
