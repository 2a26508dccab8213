"""The isolation report: which layers the start-up probe found active, weaker or missing, and why.

Children report their layers on the wire as {name: [state, detail]} (state "ok", "weaker" or
"missing"); only the start-up probe's report is believed (a candidate can write any frame), and
`parse_layers` turns it into typed `LayerState`s, rejecting anything malformed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ._child.isolate import LAYERS
from .api import LayerState, LayerStatus, PoolMode

__all__ = ["IsolationReport", "ALL_LAYERS", "PARENT_LAYERS", "parse_layers"]

# Properties of the parent side, the same on every host.
PARENT_LAYERS = {
    "deadline_kill": "SIGKILL of the process group at the deadline",
    "result_channel": "frames are validated in the parent; one bad frame fails that run only",
    "source_isolation": "a candidate's source and results reach only its own child",
}
ALL_LAYERS = (*LAYERS, *PARENT_LAYERS)
_WIRE = {"ok": LayerStatus.ACTIVE, "weaker": LayerStatus.WEAKER, "missing": LayerStatus.MISSING}
_MARK = {LayerStatus.ACTIVE: "[x]", LayerStatus.WEAKER: "[~]", LayerStatus.MISSING: "[ ]"}
_DETAIL_CAP = 600


@dataclass(frozen=True)
class IsolationReport:
    mode: PoolMode | None  # None until the pool has started
    layers: Mapping[str, LayerState] = field(default_factory=dict)  # every name in ALL_LAYERS

    def state(self, layer: str) -> LayerState:
        return self.layers.get(layer) or LayerState(LayerStatus.MISSING, "not reported")

    def is_active(self, layer: str) -> bool:
        """Applied, fully or in a weaker mode (see `state(layer).status`)."""
        return self.state(layer).applied

    @property
    def active(self) -> dict[str, str]:
        return {n: s.detail for n, s in self.layers.items() if s.applied}

    @property
    def missing(self) -> dict[str, str]:
        return {n: s.detail for n, s in self.layers.items() if not s.applied}

    @property
    def weaker(self) -> dict[str, str]:
        return {n: s.detail for n, s in self.layers.items() if s.status is LayerStatus.WEAKER}

    def __str__(self) -> str:
        mode = self.mode.value if self.mode else "not started"
        lines = [f"sandbox mode: {mode}"]
        lines += [f"  {_MARK[s.status]} {name}: {s.detail}" for name, s in self.layers.items()]
        return "\n".join(lines)

    @classmethod
    def build(cls, mode: PoolMode, child: Mapping[str, LayerState]) -> IsolationReport:
        layers = {}
        for name in ALL_LAYERS:
            if name in PARENT_LAYERS:
                layers[name] = LayerState(LayerStatus.ACTIVE, PARENT_LAYERS[name])
            else:
                layers[name] = child.get(name) or LayerState(
                    LayerStatus.MISSING, "not reported by the sandbox child")
        return cls(mode, layers)


def parse_layers(raw: object) -> dict[str, LayerState]:
    """Typed layer states from a child's frame; ValueError when the shape is wrong."""
    if type(raw) is not dict:
        raise ValueError("layers is not an object")
    out = {}
    for name, value in raw.items():
        if name not in LAYERS:
            raise ValueError(f"unknown layer {name!r}")
        if (type(value) is not list or len(value) != 2 or value[0] not in _WIRE
                or type(value[1]) is not str):
            raise ValueError(f"bad state for layer {name}")
        out[name] = LayerState(_WIRE[value[0]], value[1][:_DETAIL_CAP] or value[0])
    return out
