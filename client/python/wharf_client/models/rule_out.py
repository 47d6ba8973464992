from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.rule_action import RuleAction
    from ..models.rule_conditions import RuleConditions


T = TypeVar("T", bound="RuleOut")


@_attrs_define
class RuleOut:
    """A routing rule.

    Attributes:
        id (int):
        name (str):
        position (int): Evaluation order, ascending (ties by id).
        enabled (bool):
        conditions (RuleConditions): Conditions of a rule: every one given must hold; none matches everything.
        action (RuleAction): The action of a rule: `{"type": "team", "team_id": 3, "priority": 1}` or
            `{"type": "bot", "bot": {…}}`.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: int
    name: str
    position: int
    enabled: bool
    conditions: RuleConditions
    action: RuleAction
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        position = self.position

        enabled = self.enabled

        conditions = self.conditions.to_dict()

        action = self.action.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "position": position,
                "enabled": enabled,
                "conditions": conditions,
                "action": action,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_action import RuleAction
        from ..models.rule_conditions import RuleConditions

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        position = d.pop("position")

        enabled = d.pop("enabled")

        conditions = RuleConditions.from_dict(d.pop("conditions"))

        action = RuleAction.from_dict(d.pop("action"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        rule_out = cls(
            id=id,
            name=name,
            position=position,
            enabled=enabled,
            conditions=conditions,
            action=action,
            created_at=created_at,
            updated_at=updated_at,
        )

        rule_out.additional_properties = d
        return rule_out

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
