from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.bulk_action import BulkAction
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bulk_item_in import BulkItemIn


T = TypeVar("T", bound="BulkIn")


@_attrs_define
class BulkIn:
    """One action on many conversations.

    Attributes:
        action (BulkAction): What to do to every selected conversation.
        items (list[BulkItemIn]): 1–100 conversations, each once.
        agent_id (int | Unset): `assign`: the new assignee.
        team_id (int | Unset): `assign`: the new team (kept when absent).
        label_id (int | Unset): `label_add` / `label_remove`: the label.
    """

    action: BulkAction
    items: list[BulkItemIn]
    agent_id: int | Unset = UNSET
    team_id: int | Unset = UNSET
    label_id: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action.value

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        agent_id = self.agent_id

        team_id = self.team_id

        label_id = self.label_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "items": items,
            }
        )
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if label_id is not UNSET:
            field_dict["label_id"] = label_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bulk_item_in import BulkItemIn

        d = dict(src_dict)
        action = BulkAction(d.pop("action"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = BulkItemIn.from_dict(items_item_data)

            items.append(items_item)

        agent_id = d.pop("agent_id", UNSET)

        team_id = d.pop("team_id", UNSET)

        label_id = d.pop("label_id", UNSET)

        bulk_in = cls(
            action=action,
            items=items,
            agent_id=agent_id,
            team_id=team_id,
            label_id=label_id,
        )

        bulk_in.additional_properties = d
        return bulk_in

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
