"""Contained, fast execution of untrusted Python (LLM-generated candidates) against probes.

    async with SandboxPool(workspace=root) as pool:
        result = await pool.run(source, Probe.expression("f(1)"))

Children never see expected values; compare results in the parent with `sandbox.compare`.
"""

from . import compare, errors
from .api import ErrorDetail, FrameInfo, Limits, OutcomeKind, Probe, ProbeResult, StepOutcome
from .errors import IsolationUnavailable, SandboxClosed, SandboxError
from .pool import SandboxPool
from .report import ALL_LAYERS, IsolationReport

__all__ = [
    "OutcomeKind", "Limits", "Probe", "FrameInfo", "ErrorDetail", "StepOutcome", "ProbeResult", "SandboxPool",
    "IsolationReport", "ALL_LAYERS", "SandboxError", "IsolationUnavailable", "SandboxClosed",
    "compare", "errors",
]
