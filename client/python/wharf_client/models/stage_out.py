from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StageOut")


@_attrs_define
class StageOut:
    """One stage of a message's life.

    Attributes:
        stage (str): received, stored, routed, assigned, queued, retrying, sent,
            delivered, read, failed, dead_lettered, replayed, repaired, the
            media stages, or `webhook_<outcome>` for a delivery to an
            integrator's endpoint.
        at (datetime.datetime):
        detail (Any): What the role knew then (region, stream sequence, attempt, error
            code, DLQ reason …); never a secret.
    """

    stage: str
    at: datetime.datetime
    detail: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stage = self.stage

        at = self.at.isoformat()

        detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stage": stage,
                "at": at,
                "detail": detail,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        stage = d.pop("stage")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        detail = d.pop("detail")

        stage_out = cls(
            stage=stage,
            at=at,
            detail=detail,
        )

        stage_out.additional_properties = d
        return stage_out

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
