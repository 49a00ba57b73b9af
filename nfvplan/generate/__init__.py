"""Realistic scenarios of any size for benchmarks and demos (`nfvplan generate`).

Seeded and reproducible: the same options give the same bytes. See docs/performance.md.
"""

from nfvplan.generate.build import GenerateOptions, default_sites, generate_scenario

__all__ = ["GenerateOptions", "default_sites", "generate_scenario"]
