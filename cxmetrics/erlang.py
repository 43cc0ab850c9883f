"""Erlang C (M/M/N): agents needed for a service-level target, in a numerically stable form.

Contacts arrive at random (Poisson) at a rate λ, each takes an agent AHT seconds on average
(exponential), and waits in one queue, answered in order, never abandoning. The workload is
A = λ·AHT erlangs; with N agents (N > A):

- Erlang B by its recursion: B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) — every step stays in
  [0, 1], so nothing overflows, however large A and N are (the textbook A^N/N! overflows a float
  past N ≈ 170);
- the probability of waiting, Erlang C: C = N·B(N) / (N − A·(1 − B(N)));
- service level, the share answered within t seconds: SL(t) = 1 − C·e^{−(N−A)·t/AHT};
- average speed of answer: ASA = C·AHT / (N − A);
- occupancy: A / N.

With N ≤ A the queue grows without end: C = 1, service level 0, ASA infinite.

No third-party library: the maintained ones on PyPI either pull in heavy dependencies
(pyworkforce needs OR-Tools and protobuf) or call a web service (ErlangCCmath needs requests and an
API key); this module is some fifty lines of standard-library arithmetic, tested against published
tables (tests/test_erlang.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass


def traffic(contacts: float, interval_s: float, aht_s: float) -> float:
    """The workload in erlangs of `contacts` arriving over `interval_s` seconds, each taking `aht_s` seconds."""
    if interval_s <= 0:
        raise ValueError("the interval must be longer than 0 seconds")
    if contacts < 0 or aht_s < 0:
        raise ValueError("contacts and AHT cannot be negative")
    return contacts * aht_s / interval_s


def erlang_b(n: int, a: float) -> float:
    """Erlang B: the probability that all n servers are busy in a loss system offered a erlangs."""
    if n < 0 or a < 0:
        raise ValueError("agents and workload cannot be negative")
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def _c_from_b(n: int, a: float, b: float) -> float:
    if n <= a:
        return 1.0
    return n * b / (n - a * (1.0 - b))


def erlang_c(n: int, a: float) -> float:
    """Erlang C: the probability that a contact has to wait, with n agents and a erlangs (1 when n ≤ a)."""
    if n <= a:
        return 1.0
    return _c_from_b(n, a, erlang_b(n, a))


def service_level(n: int, a: float, aht_s: float, threshold_s: float, c: float | None = None) -> float:
    """The share of contacts answered within `threshold_s` seconds (0 to 1); 0 when n ≤ a."""
    if n <= a:
        return 0.0
    c = erlang_c(n, a) if c is None else c
    if aht_s <= 0:
        return 1.0 - c  # no handling time: no workload, nobody waits
    return max(0.0, 1.0 - c * math.exp(-(n - a) * threshold_s / aht_s))


def average_speed_of_answer(n: int, a: float, aht_s: float, c: float | None = None) -> float:
    """ASA in seconds over every contact (those answered at once count 0 s); infinite when n ≤ a."""
    if n <= a:
        return math.inf
    c = erlang_c(n, a) if c is None else c
    return c * aht_s / (n - a)


def occupancy(n: int, a: float) -> float:
    """The share of the agents' time spent handling contacts (0 to 1)."""
    if n <= 0:
        return 0.0
    return min(1.0, a / n)


@dataclass(frozen=True)
class Staffing:
    """The agents for one interval and what they achieve."""
    agents: int
    workload: float          # erlangs
    wait_probability: float  # Erlang C
    service_level: float     # 0 to 1
    asa_s: float
    occupancy: float         # 0 to 1


def evaluate(n: int, a: float, aht_s: float, threshold_s: float) -> Staffing:
    """What n agents achieve on a erlangs."""
    c = erlang_c(n, a)
    return Staffing(n, a, c, service_level(n, a, aht_s, threshold_s, c), average_speed_of_answer(n, a, aht_s, c),
                    occupancy(n, a))


def agents_needed(a: float, aht_s: float, threshold_s: float, target: float,
                  max_occupancy: float | None = None) -> Staffing:
    """The smallest number of agents whose service level reaches `target` (a share, 0 ≤ target < 1) within
    `threshold_s` seconds, and whose occupancy is at most `max_occupancy` (a share, 0 < cap ≤ 1) when given.

    No workload (a = 0) needs no agent. The search starts at the first N above A and walks up, carrying the
    Erlang B recursion along, so the whole search costs O(N)."""
    if not 0 <= target < 1:
        raise ValueError("the service-level target must be at least 0 and below 1 (100 % is never reached)")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError("the maximum occupancy must be above 0 and at most 1")
    if a < 0 or aht_s < 0 or threshold_s < 0:
        raise ValueError("workload, AHT and threshold cannot be negative")
    if a == 0:
        return Staffing(0, 0.0, 0.0, 1.0, 0.0, 0.0)
    n = math.floor(a) + 1
    if max_occupancy is not None:
        n = max(n, math.ceil(a / max_occupancy - 1e-9))
    b = erlang_b(n, a)
    while True:
        c = _c_from_b(n, a, b)
        sl = service_level(n, a, aht_s, threshold_s, c)
        if sl >= target:
            return Staffing(n, a, c, sl, average_speed_of_answer(n, a, aht_s, c), occupancy(n, a))
        n += 1
        b = a * b / (n + a * b)
