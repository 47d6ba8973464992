from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.support_group_out_first_response import SupportGroupOutFirstResponse
    from ..models.support_group_out_next_response import SupportGroupOutNextResponse
    from ..models.support_group_out_resolution import SupportGroupOutResolution


T = TypeVar("T", bound="SupportGroupOut")


@_attrs_define
class SupportGroupOut:
    """One group of a report.

    Attributes:
        opened (int): Conversations opened: their customer's first message.
        reopened (int): Reopened conversations: the customer's first message after the reopening.
        resolved (int): Resolutions.
        first_response (SupportGroupOutFirstResponse): The opening's first customer message → the first agent reply.
        next_response (SupportGroupOutNextResponse): A customer message after an agent reply → the next agent reply.
        resolution (SupportGroupOutResolution): The opening's first customer message → resolved.
        key (str | Unset): The group: a date (`2026-12-04`; a week by its Monday), an agent's,
            team's or label's id, a number's phone number id. Absent for the
            events without one (openings by agent, conversations without
            team or label).
        name (str | Unset): The agent's, team's, number's or label's name.
    """

    opened: int
    reopened: int
    resolved: int
    first_response: SupportGroupOutFirstResponse
    next_response: SupportGroupOutNextResponse
    resolution: SupportGroupOutResolution
    key: str | Unset = UNSET
    name: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        opened = self.opened

        reopened = self.reopened

        resolved = self.resolved

        first_response = self.first_response.to_dict()

        next_response = self.next_response.to_dict()

        resolution = self.resolution.to_dict()

        key = self.key

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "opened": opened,
                "reopened": reopened,
                "resolved": resolved,
                "first_response": first_response,
                "next_response": next_response,
                "resolution": resolution,
            }
        )
        if key is not UNSET:
            field_dict["key"] = key
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.support_group_out_first_response import (
            SupportGroupOutFirstResponse,
        )
        from ..models.support_group_out_next_response import SupportGroupOutNextResponse
        from ..models.support_group_out_resolution import SupportGroupOutResolution

        d = dict(src_dict)
        opened = d.pop("opened")

        reopened = d.pop("reopened")

        resolved = d.pop("resolved")

        first_response = SupportGroupOutFirstResponse.from_dict(d.pop("first_response"))

        next_response = SupportGroupOutNextResponse.from_dict(d.pop("next_response"))

        resolution = SupportGroupOutResolution.from_dict(d.pop("resolution"))

        key = d.pop("key", UNSET)

        name = d.pop("name", UNSET)

        support_group_out = cls(
            opened=opened,
            reopened=reopened,
            resolved=resolved,
            first_response=first_response,
            next_response=next_response,
            resolution=resolution,
            key=key,
            name=name,
        )

        support_group_out.additional_properties = d
        return support_group_out

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
