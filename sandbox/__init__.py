"""Contained, fast execution of untrusted Python (LLM-generated candidates) against probes.

    async with SandboxPool(workspace=root) as pool:
        result = await pool.run(source, Probe.expression("f(1)"))

Children never see expected values; compare results in the parent with `sandbox.compare`.
What a child may read is decided by `sandbox.policy` (never the home folder; dot-files and
secret-looking files hidden); `pool.report` says which isolation layers are active here.
"""

from . import compare, errors, policy
from .api import (
    ErrorDetail, FrameInfo, LayerState, LayerStatus, Limits, OutcomeKind, PoolMode, Probe,
    ProbeResult, StepOutcome,
)
from .errors import IsolationUnavailable, SandboxClosed, SandboxError
from .pool import SandboxPool
from .report import ALL_LAYERS, IsolationReport

__all__ = [
    "OutcomeKind", "Limits", "Probe", "FrameInfo", "ErrorDetail", "StepOutcome", "ProbeResult",
    "SandboxPool", "PoolMode", "LayerStatus", "LayerState", "IsolationReport", "ALL_LAYERS",
    "SandboxError", "IsolationUnavailable", "SandboxClosed", "compare", "errors", "policy",
]
