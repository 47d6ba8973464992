from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TransferIn")


@_attrs_define
class TransferIn:
    """Transfer to an agent, or back to a team's queue.

    Attributes:
        version (int): The `version` you read; a stale one is a 409.
        team_id (int | Unset): The new team (kept when absent).
        agent_id (int | Unset): The new assignee; absent puts the conversation in the team queue.
    """

    version: int
    team_id: int | Unset = UNSET
    agent_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        team_id = self.team_id

        agent_id = self.agent_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        version = d.pop("version")

        team_id = d.pop("team_id", UNSET)

        agent_id = d.pop("agent_id", UNSET)

        transfer_in = cls(
            version=version,
            team_id=team_id,
            agent_id=agent_id,
        )

        transfer_in.additional_properties = d
        return transfer_in

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
