from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bot_reply import BotReply


T = TypeVar("T", bound="BotBehaviour")


@_attrs_define
class BotBehaviour:
    """A canned-reply bot and when it hands over to a team.

    Attributes:
        replies (list[BotReply] | Unset): The first reply whose keyword is in the text answers.
        fallback (str | Unset): Sent when no reply matches.
        handover_keywords (list[str] | Unset): Any of these words hands the conversation to `handover_team_id`.
        handover_team_id (int | Unset):
        handover_priority (int | Unset):  Default: 0.
        endpoint (str | Unset): An HTTP bot asked first (AI triage): it receives
            `{conversation_id, contact, text, language}` and answers
            `{"reply": "…", "handover": true|false}`; canned replies answer when
            it fails.
        webhook (bool | Unset): A bot on integrators' webhooks: no canned reply; a webhook endpoint
            gets the customer's messages, answers through the API and hands over
            with `POST /conversations/{id}/handoff`. Default: False.
        handover_after_secs (int | Unset): Hand a customer left unanswered this long (seconds) in `bot` state
            over to `handover_team_id`.
    """

    replies: list[BotReply] | Unset = UNSET
    fallback: str | Unset = UNSET
    handover_keywords: list[str] | Unset = UNSET
    handover_team_id: int | Unset = UNSET
    handover_priority: int | Unset = 0
    endpoint: str | Unset = UNSET
    webhook: bool | Unset = False
    handover_after_secs: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        replies: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.replies, Unset):
            replies = []
            for replies_item_data in self.replies:
                replies_item = replies_item_data.to_dict()
                replies.append(replies_item)

        fallback = self.fallback

        handover_keywords: list[str] | Unset = UNSET
        if not isinstance(self.handover_keywords, Unset):
            handover_keywords = self.handover_keywords

        handover_team_id = self.handover_team_id

        handover_priority = self.handover_priority

        endpoint = self.endpoint

        webhook = self.webhook

        handover_after_secs = self.handover_after_secs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if replies is not UNSET:
            field_dict["replies"] = replies
        if fallback is not UNSET:
            field_dict["fallback"] = fallback
        if handover_keywords is not UNSET:
            field_dict["handover_keywords"] = handover_keywords
        if handover_team_id is not UNSET:
            field_dict["handover_team_id"] = handover_team_id
        if handover_priority is not UNSET:
            field_dict["handover_priority"] = handover_priority
        if endpoint is not UNSET:
            field_dict["endpoint"] = endpoint
        if webhook is not UNSET:
            field_dict["webhook"] = webhook
        if handover_after_secs is not UNSET:
            field_dict["handover_after_secs"] = handover_after_secs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bot_reply import BotReply

        d = dict(src_dict)
        _replies = d.pop("replies", UNSET)
        replies: list[BotReply] | Unset = UNSET
        if _replies is not UNSET:
            replies = []
            for replies_item_data in _replies:
                replies_item = BotReply.from_dict(replies_item_data)

                replies.append(replies_item)

        fallback = d.pop("fallback", UNSET)

        handover_keywords = cast(list[str], d.pop("handover_keywords", UNSET))

        handover_team_id = d.pop("handover_team_id", UNSET)

        handover_priority = d.pop("handover_priority", UNSET)

        endpoint = d.pop("endpoint", UNSET)

        webhook = d.pop("webhook", UNSET)

        handover_after_secs = d.pop("handover_after_secs", UNSET)

        bot_behaviour = cls(
            replies=replies,
            fallback=fallback,
            handover_keywords=handover_keywords,
            handover_team_id=handover_team_id,
            handover_priority=handover_priority,
            endpoint=endpoint,
            webhook=webhook,
            handover_after_secs=handover_after_secs,
        )

        bot_behaviour.additional_properties = d
        return bot_behaviour

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
