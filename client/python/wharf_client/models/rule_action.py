from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.rule_action_type import RuleActionType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rule_action_bot import RuleActionBot


T = TypeVar("T", bound="RuleAction")


@_attrs_define
class RuleAction:
    """The action of a rule: `{"type": "team", "team_id": 3, "priority": 1}` or
    `{"type": "bot", "bot": {…}}`.

        Attributes:
            type_ (RuleActionType): What a rule does.
            team_id (int | Unset): For `team`: the team to queue for.
            priority (int | Unset): For `team`: higher is more urgent. Default: 0.
            bot (RuleActionBot | Unset): For `bot`: what the bot says.
    """

    type_: RuleActionType
    team_id: int | Unset = UNSET
    priority: int | Unset = 0
    bot: RuleActionBot | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        team_id = self.team_id

        priority = self.priority

        bot: dict[str, Any] | Unset = UNSET
        if not isinstance(self.bot, Unset):
            bot = self.bot.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if priority is not UNSET:
            field_dict["priority"] = priority
        if bot is not UNSET:
            field_dict["bot"] = bot

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.rule_action_bot import RuleActionBot

        d = dict(src_dict)
        type_ = RuleActionType(d.pop("type"))

        team_id = d.pop("team_id", UNSET)

        priority = d.pop("priority", UNSET)

        _bot = d.pop("bot", UNSET)
        bot: RuleActionBot | Unset
        if isinstance(_bot, Unset):
            bot = UNSET
        else:
            bot = RuleActionBot.from_dict(_bot)

        rule_action = cls(
            type_=type_,
            team_id=team_id,
            priority=priority,
            bot=bot,
        )

        rule_action.additional_properties = d
        return rule_action

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
