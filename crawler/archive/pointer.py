"""Where a record lives in the archive: what the manifest stores to point into a WARC file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarcPointer:
    """A WARC record: its file (name only, relative to the archive directory), the offset of its
    gzip member in that file, and its ``WARC-Record-ID``."""

    filename: str
    offset: int
    record_id: str

    def to_dict(self) -> dict[str, object]:
        # Spelled out: dataclasses.asdict deep-copies each field (several times a pair).
        return {"filename": self.filename, "offset": self.offset, "record_id": self.record_id}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> WarcPointer:
        return cls(str(data["filename"]), int(data["offset"]), str(data["record_id"]))  # type: ignore[call-overload]
