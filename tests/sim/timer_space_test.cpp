// TimerSpace: tags of different components never collide, and every tag decodes back to the
// component, kind and value it was made from.
#include <catch2/catch.hpp>

#include "sim/timer_space.hpp"

TEST_CASE("timer spaces of different components never share a tag") {
    const sim::TimerSpace a{1}, b{2};
    const uint64_t kinds[] = {0, 1, 7, sim::TimerSpace::max_kind};
    const uint64_t values[] = {0, 1, 0xffffffff, uint64_t{1} << 44, sim::TimerSpace::max_value};
    for (uint64_t ka : kinds)
        for (uint64_t va : values)
            for (uint64_t kb : kinds)
                for (uint64_t vb : values) {
                    CHECK(a.tag(ka, va) != b.tag(kb, vb));
                    CHECK(a.owns(a.tag(ka, va)));
                    CHECK_FALSE(b.owns(a.tag(ka, va)));
                }
}

TEST_CASE("a timer tag decodes to its component, kind and value") {
    const sim::TimerSpace s{0xAB};
    const uint64_t t = s.tag(5, 123456789);
    CHECK(sim::TimerSpace::component_of(t) == 0xAB);
    CHECK(sim::TimerSpace::kind_of(t) == 5);
    CHECK(sim::TimerSpace::value_of(t) == 123456789);
}

TEST_CASE("a kind or value too wide for its field is a simulator bug, not another component's timer") {
    const sim::TimerSpace s{1};
    CHECK_THROWS_AS(s.tag(sim::TimerSpace::max_kind + 1), sim::InvariantViolation);
    CHECK_THROWS_AS(s.tag(1, sim::TimerSpace::max_value + 1), sim::InvariantViolation);
}
