from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConversationData")


@_attrs_define
class ConversationData:
    """A conversation as events show it.

    Attributes:
        id (int):
        business_number (str): The business number's phone number id.
        contact_id (int):
        status (str): bot, queued, assigned, resolved, …
        version (int): The conversation's version (optimistic concurrency in the API).
        team_id (int | Unset):
        assignee_id (int | Unset):
    """

    id: int
    business_number: str
    contact_id: int
    status: str
    version: int
    team_id: int | Unset = UNSET
    assignee_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        business_number = self.business_number

        contact_id = self.contact_id

        status = self.status

        version = self.version

        team_id = self.team_id

        assignee_id = self.assignee_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "business_number": business_number,
                "contact_id": contact_id,
                "status": status,
                "version": version,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if assignee_id is not UNSET:
            field_dict["assignee_id"] = assignee_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        business_number = d.pop("business_number")

        contact_id = d.pop("contact_id")

        status = d.pop("status")

        version = d.pop("version")

        team_id = d.pop("team_id", UNSET)

        assignee_id = d.pop("assignee_id", UNSET)

        conversation_data = cls(
            id=id,
            business_number=business_number,
            contact_id=contact_id,
            status=status,
            version=version,
            team_id=team_id,
            assignee_id=assignee_id,
        )

        conversation_data.additional_properties = d
        return conversation_data

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
