// A node's disk. Files hold what the process wrote (as the OS page cache would) and know
// which part of it has reached the platter. A crash keeps what was written; a power loss
// keeps only what was flushed. The world flushes every disk periodically, like the kernel's
// writeback; a node may flush (fsync) a file itself.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sim {

class DiskFile {
public:
    virtual ~DiskFile() = default;
    virtual void flush() = 0;
    virtual void lose_unflushed() = 0;
    virtual bool dirty() const = 0;
};

// An append-only file of entries that can be truncated at the tail (a log segment, a Raft
// log). Durable content is tracked as the flushed prefix of what is written plus the
// flushed entries a later truncation removed from the page cache but not from the platter.
template <class T>
class DiskLog final : public DiskFile {
public:
    size_t size() const { return written_.size(); }
    bool empty() const { return written_.empty(); }
    const T& operator[](size_t i) const { return written_[i]; }
    const T& back() const { return written_.back(); }
    const std::vector<T>& entries() const { return written_; }
    size_t flushed_size() const { return synced_ + shadow_.size(); }

    void append(T entry) { written_.push_back(std::move(entry)); }
    void reserve(size_t n) { written_.reserve(n); }

    // Keep the first n entries.
    void truncate(size_t n) {
        if (n >= written_.size()) return;
        if (n < synced_) {
            std::vector<T> moved(std::make_move_iterator(written_.begin() + static_cast<ptrdiff_t>(n)),
                                 std::make_move_iterator(written_.begin() + static_cast<ptrdiff_t>(synced_)));
            moved.insert(moved.end(), std::make_move_iterator(shadow_.begin()),
                         std::make_move_iterator(shadow_.end()));
            shadow_ = std::move(moved);
            synced_ = n;
        }
        written_.resize(n);
    }

    void flush() override {
        shadow_.clear();
        synced_ = written_.size();
    }
    void lose_unflushed() override {
        written_.resize(synced_);
        for (auto& e : shadow_) written_.push_back(std::move(e));
        shadow_.clear();
        synced_ = written_.size();
    }
    bool dirty() const override { return synced_ != written_.size() || !shadow_.empty(); }

private:
    std::vector<T> written_;
    size_t synced_ = 0;      // written_[0, synced_) is on the platter as written
    std::vector<T> shadow_;  // flushed entries at positions synced_.. that were truncated away
};

// A small file rewritten whole (quorum-state, a checkpoint).
template <class T>
class DiskCell final : public DiskFile {
public:
    bool has_value() const { return written_ != nullptr; }
    const T& get() const { return *written_; }
    void set(T value) { written_ = std::make_shared<const T>(std::move(value)); }
    void flush() override { durable_ = written_; }
    void lose_unflushed() override { written_ = durable_; }
    bool dirty() const override { return written_ != durable_; }

private:
    std::shared_ptr<const T> written_;
    std::shared_ptr<const T> durable_;
};

class Disk {
public:
    template <class T>
    DiskLog<T>& log(const std::string& name) { return file<DiskLog<T>>(name); }
    template <class T>
    DiskCell<T>& cell(const std::string& name) { return file<DiskCell<T>>(name); }

    bool exists(const std::string& name) const { return files_.count(name) != 0; }
    // Removing a file is treated as durable at once (a rename/unlink journaled by the fs).
    void remove(const std::string& name) { files_.erase(name); }
    std::vector<std::string> list(const std::string& prefix) const;

    void flush_all() {
        for (auto& [name, f] : files_) f->flush();
    }
    void power_loss() {
        for (auto& [name, f] : files_) f->lose_unflushed();
    }
    bool dirty() const {
        for (const auto& [name, f] : files_)
            if (f->dirty()) return true;
        return false;
    }

private:
    template <class F>
    F& file(const std::string& name) {
        auto it = files_.find(name);
        if (it == files_.end()) it = files_.emplace(name, std::make_unique<F>()).first;
        auto* typed = dynamic_cast<F*>(it->second.get());
        if (typed == nullptr) throw std::logic_error("disk file '" + name + "' opened with another type");
        return *typed;
    }
    std::map<std::string, std::unique_ptr<DiskFile>> files_;  // ordered: deterministic flush order
};

}  // namespace sim
