from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rule_action import RuleAction
    from ..models.rule_conditions import RuleConditions


T = TypeVar("T", bound="RulePatch")


@_attrs_define
class RulePatch:
    """Changes to a rule; absent fields stay as they are, given ones replace.

    Attributes:
        name (str | Unset):
        enabled (bool | Unset):
        position (int | Unset):
        conditions (RuleConditions | Unset): Conditions of a rule: every one given must hold; none matches everything.
        action (RuleAction | Unset): The action of a rule: `{"type": "team", "team_id": 3, "priority": 1}` or
            `{"type": "bot", "bot": {…}}`.
    """

    name: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    position: int | Unset = UNSET
    conditions: RuleConditions | Unset = UNSET
    action: RuleAction | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        enabled = self.enabled

        position = self.position

        conditions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.conditions, Unset):
            conditions = self.conditions.to_dict()

        action: dict[str, Any] | Unset = UNSET
        if not isinstance(self.action, Unset):
            action = self.action.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if position is not UNSET:
            field_dict["position"] = position
        if conditions is not UNSET:
            field_dict["conditions"] = conditions
        if action is not UNSET:
            field_dict["action"] = action

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_action import RuleAction
        from ..models.rule_conditions import RuleConditions

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        enabled = d.pop("enabled", UNSET)

        position = d.pop("position", UNSET)

        _conditions = d.pop("conditions", UNSET)
        conditions: RuleConditions | Unset
        if isinstance(_conditions, Unset):
            conditions = UNSET
        else:
            conditions = RuleConditions.from_dict(_conditions)

        _action = d.pop("action", UNSET)
        action: RuleAction | Unset
        if isinstance(_action, Unset):
            action = UNSET
        else:
            action = RuleAction.from_dict(_action)

        rule_patch = cls(
            name=name,
            enabled=enabled,
            position=position,
            conditions=conditions,
            action=action,
        )

        rule_patch.additional_properties = d
        return rule_patch

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
