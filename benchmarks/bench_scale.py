"""The whole scale benchmark in one run (not a test): ``python benchmarks/bench_scale.py``.

Runs, one after the other, :mod:`bench_ingest` (ingestion of 25, 250 and 2 500 returns against
pandas + python-calamine reading the same files, log-log plot, peak memory) and
:mod:`bench_campaign` (one region, then every region of the national campaign, ``--jobs 1`` and
``--jobs 2``). Each writes its own section of ``benchmarks/RESULTS.md`` with the machine's
description. Takes about 1 h 05 on a 2-core machine, most of it building the 18 regions' reports.
"""

from __future__ import annotations

import argparse
import sys
import time

import bench_campaign
import bench_ingest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=bench_campaign.ALL_REGIONS,
                        help="regions built together (default: all 18; fewer are extrapolated)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    status = bench_ingest.main([])
    status = status or bench_campaign.main(["--regions", str(args.regions)])
    print(f"mesures terminées en {(time.perf_counter() - start) / 60:.0f} min", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
