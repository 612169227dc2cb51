"""Figures as text: one table row per backend, app and concurrency, then the lines that compare the two apps."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from benchmarks.load import LoadResult

COLUMNS = (
    ("backend", "<10"),
    ("app", "<14"),
    ("conc", ">4"),
    ("requests", ">8"),
    ("errors", ">6"),
    ("req/s", ">7"),
    ("p50 ms", ">7"),
    ("p95 ms", ">7"),
    ("p99 ms", ">7"),
    ("CPU ms/req", ">10"),
    ("flags stored/sent", ">17"),
)


@dataclass(frozen=True)
class Row:
    backend: str
    app: str
    concurrency: int
    result: LoadResult
    stored: str = "-"  # "stored/sent" for deadline-flag; the bare app stores nothing


def percentile_ms(latencies: list[float], percent: int) -> float | None:
    """Linear-interpolated percentile in milliseconds; None when no request succeeded."""
    if not latencies:
        return None
    if len(latencies) == 1:
        return latencies[0] * 1000
    return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1] * 1000


def throughput(result: LoadResult) -> float | None:
    """Requests per second over the wall time of the batches, failures included: they took server time too."""
    return result.sent / result.wall_seconds if result.wall_seconds > 0 else None


def cpu_ms_per_request(result: LoadResult) -> float | None:
    """The server's CPU time over the requests it was sent (its workers and master, all threads)."""
    return result.server_cpu_seconds * 1000 / result.sent if result.sent else None


def _number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _cells(row: Row) -> tuple[str, ...]:
    result = row.result
    return (
        row.backend,
        row.app,
        str(row.concurrency),
        str(result.sent),
        str(result.errors),
        _number(throughput(result)),
        _number(percentile_ms(result.latencies, 50)),
        _number(percentile_ms(result.latencies, 95)),
        _number(percentile_ms(result.latencies, 99)),
        _number(cpu_ms_per_request(result), 2),
        row.stored,
    )


def _line(cells: tuple[str, ...]) -> str:
    return "  ".join(f"{cell:{spec}}" for cell, (_, spec) in zip(cells, COLUMNS, strict=True))


def table_lines(rows: list[Row]) -> list[str]:
    header = _line(tuple(name for name, _ in COLUMNS))
    return [header, "-" * len(header), *(_line(_cells(row)) for row in rows)]


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return "n/a" if not numerator or not denominator else f"{numerator / denominator:.2f}x"


def ratio_line(backend: str, concurrency: int, app: LoadResult, bare: LoadResult, name: str = "deadline-flag") -> str:
    """An app against the bare one: above 1x, p50 and CPU are higher; below 1x, throughput is lower."""
    p50 = _ratio(percentile_ms(app.latencies, 50), percentile_ms(bare.latencies, 50))
    rate = _ratio(throughput(app), throughput(bare))
    cpu = _ratio(cpu_ms_per_request(app), cpu_ms_per_request(bare))
    return f"ratio {backend} c={concurrency}: {name}/bare p50 {p50}, throughput {rate}, CPU per request {cpu}"


def best_bare_line(backend: str, concurrency: int, app: LoadResult, best: str, bare: LoadResult) -> str:
    """deadline-flag against the bare app's best settings at this level (the highest throughput of those run)."""
    rate = _ratio(throughput(app), throughput(bare))
    p99 = _ratio(percentile_ms(app.latencies, 99), percentile_ms(bare.latencies, 99))
    return f"vs best bare {backend} c={concurrency} ({best}): throughput {rate}, p99 {p99}"


def failure_line(row: Row) -> str | None:
    """The kinds of failure behind a non-zero errors column, e.g. `500 x3, RemoteDisconnected x1`."""
    if not row.result.failures:
        return None
    kinds = ", ".join(f"{kind} x{count}" for kind, count in row.result.failures.most_common())
    return f"errors {row.backend} {row.app} c={row.concurrency}: {kinds}"


def rss_line(name: str, master_kib: int, workers_kib: list[int]) -> str:
    workers = " + ".join(f"{kib / 1024:.1f}" for kib in workers_kib) or "none"
    total = (master_kib + sum(workers_kib)) / 1024
    return f"RSS after load, {name}: master {master_kib / 1024:.1f} MiB, workers {workers} MiB, total {total:.1f} MiB"
