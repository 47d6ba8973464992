from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rule_action import RuleAction
    from ..models.rule_in_conditions import RuleInConditions


T = TypeVar("T", bound="RuleIn")


@_attrs_define
class RuleIn:
    """A new routing rule.

    Attributes:
        name (str):
        action (RuleAction): The action of a rule: `{"type": "team", "team_id": 3, "priority": 1}` or
            `{"type": "bot", "bot": {…}}`.
        enabled (bool | Unset):  Default: True.
        position (int | Unset): Evaluation order, ascending; absent puts the rule last.
        conditions (RuleInConditions | Unset):
    """

    name: str
    action: RuleAction
    enabled: bool | Unset = True
    position: int | Unset = UNSET
    conditions: RuleInConditions | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        action = self.action.to_dict()

        enabled = self.enabled

        position = self.position

        conditions: dict[str, Any] | Unset = UNSET
        if not isinstance(self.conditions, Unset):
            conditions = self.conditions.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "action": action,
            }
        )
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if position is not UNSET:
            field_dict["position"] = position
        if conditions is not UNSET:
            field_dict["conditions"] = conditions

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_action import RuleAction
        from ..models.rule_in_conditions import RuleInConditions

        d = dict(src_dict)
        name = d.pop("name")

        action = RuleAction.from_dict(d.pop("action"))

        enabled = d.pop("enabled", UNSET)

        position = d.pop("position", UNSET)

        _conditions = d.pop("conditions", UNSET)
        conditions: RuleInConditions | Unset
        if isinstance(_conditions, Unset):
            conditions = UNSET
        else:
            conditions = RuleInConditions.from_dict(_conditions)

        rule_in = cls(
            name=name,
            action=action,
            enabled=enabled,
            position=position,
            conditions=conditions,
        )

        rule_in.additional_properties = d
        return rule_in

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
