from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DlqReplayOut")


@_attrs_define
class DlqReplayOut:
    """Outcome of a bulk replay.

    Attributes:
        matched (int): Pending letters matching the filter.
        replayed (int): Letters republished (0 on a dry run).
        dry_run (bool):
    """

    matched: int
    replayed: int
    dry_run: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        matched = self.matched

        replayed = self.replayed

        dry_run = self.dry_run

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "matched": matched,
                "replayed": replayed,
                "dry_run": dry_run,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        matched = d.pop("matched")

        replayed = d.pop("replayed")

        dry_run = d.pop("dry_run")

        dlq_replay_out = cls(
            matched=matched,
            replayed=replayed,
            dry_run=dry_run,
        )

        dlq_replay_out.additional_properties = d
        return dlq_replay_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
