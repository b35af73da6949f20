"""What a stage did: counts, outputs and every rejected input with its reason.

Every stage returns a :class:`StageReport`; the CLI prints it (``--json`` gives it verbatim)
and derives the exit code from it, so nothing a stage skips goes uncounted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Reject:
    input: str
    stage: str
    reason: str
    detail: str | None = None
    warc_record_id: str | None = None
    warc_record_offset: int | None = None
    url: str | None = None

    def row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StageReport:
    stage: str
    inputs: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    outputs: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def reject(self, input: str, reason: str, detail: str | None = None, **kw: Any) -> None:
        self.rejects.append(Reject(input=input, stage=kw.pop("stage", self.stage), reason=reason, detail=detail, **kw))

    def merge(self, other: StageReport) -> None:
        self.inputs += other.inputs
        self.counts.update(other.counts)
        self.outputs.extend(other.outputs)
        self.rejects.extend(other.rejects)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejects else 0

    def reasons(self) -> Counter[str]:
        return Counter(r.reason for r in self.rejects)

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "inputs": self.inputs,
            "counts": dict(sorted(self.counts.items())),
            "rejected": len(self.rejects),
            "reject_reasons": dict(sorted(self.reasons().items())),
            "rejects": [r.row() for r in self.rejects],
            "outputs": self.outputs,
            **self.extra,
        }
