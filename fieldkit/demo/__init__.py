"""A made-up study to try fieldkit with: ``fieldkit demo``, the README, screenshots, benchmarks.

    with build_demo(tmp / "Demo study.fieldkit", organisations=60) as study:
        ...

The places, names and texts it draws from are in ``resources/demo/*.toml``, read by
``data``; ``plan`` decides which organisations the study holds and where each stands;
``people`` makes up their contacts, addresses and numbers; ``builder`` creates the study
through the core's own API and plays the plan out: attempts, interviews, answers, the pool.
"""

from fieldkit.demo.builder import build_demo, demo_path
from fieldkit.demo.data import AREAS, CLOSERS, OPENERS

__all__ = ["AREAS", "CLOSERS", "OPENERS", "build_demo", "demo_path"]
