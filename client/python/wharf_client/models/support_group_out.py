from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.support_group_out_first_response import SupportGroupOutFirstResponse
    from ..models.support_group_out_handoff import SupportGroupOutHandoff
    from ..models.support_group_out_next_response import SupportGroupOutNextResponse
    from ..models.support_group_out_resolution import SupportGroupOutResolution
    from ..models.support_group_out_sla import SupportGroupOutSla


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
        bot_resolved (int): Resolved straight from the bot, no agent reply in the opening (the
            bot-resolved share is `bot_resolved / resolved`).
        handoff (SupportGroupOutHandoff): The opening's first customer message → handed from the bot to people.
        csat_asked (int): Customer-satisfaction questions sent after resolutions.
        csat_answered (int): Their answers (one per question at most).
        csat_satisfied (int): Answers of 4 or 5 ("satisfied").
        messages_in (int): Customer messages (reactions aside).
        messages_out (int): Outbound messages: agents', the bot's, integrators', templates.
        sla (SupportGroupOutSla): SLA outcomes and breaches per clock.
        key (str | Unset): The group: a date (`2026-12-04`; a week by its Monday), an agent's,
            team's or label's id, a number's phone number id. Absent for the
            events without one (openings by agent, conversations without
            team or label).
        name (str | Unset): The agent's, team's, number's or label's name.
        online_secs (int | Unset): Seconds agents were online in the range (groupings day, week,
            agent and team only).
        away_secs (int | Unset): Seconds agents were away in the range (as `online_secs`).
        csat_average (float | Unset): The answers' average score, 1 to 5, two decimals (absent without
            answers).
        csat_satisfied_share (float | Unset): `csat_satisfied / csat_answered`, four decimals (absent without
            answers).
    """

    opened: int
    reopened: int
    resolved: int
    first_response: SupportGroupOutFirstResponse
    next_response: SupportGroupOutNextResponse
    resolution: SupportGroupOutResolution
    bot_resolved: int
    handoff: SupportGroupOutHandoff
    csat_asked: int
    csat_answered: int
    csat_satisfied: int
    messages_in: int
    messages_out: int
    sla: SupportGroupOutSla
    key: str | Unset = UNSET
    name: str | Unset = UNSET
    online_secs: int | Unset = UNSET
    away_secs: int | Unset = UNSET
    csat_average: float | Unset = UNSET
    csat_satisfied_share: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        opened = self.opened

        reopened = self.reopened

        resolved = self.resolved

        first_response = self.first_response.to_dict()

        next_response = self.next_response.to_dict()

        resolution = self.resolution.to_dict()

        bot_resolved = self.bot_resolved

        handoff = self.handoff.to_dict()

        csat_asked = self.csat_asked

        csat_answered = self.csat_answered

        csat_satisfied = self.csat_satisfied

        messages_in = self.messages_in

        messages_out = self.messages_out

        sla = self.sla.to_dict()

        key = self.key

        name = self.name

        online_secs = self.online_secs

        away_secs = self.away_secs

        csat_average = self.csat_average

        csat_satisfied_share = self.csat_satisfied_share

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
                "bot_resolved": bot_resolved,
                "handoff": handoff,
                "csat_asked": csat_asked,
                "csat_answered": csat_answered,
                "csat_satisfied": csat_satisfied,
                "messages_in": messages_in,
                "messages_out": messages_out,
                "sla": sla,
            }
        )
        if key is not UNSET:
            field_dict["key"] = key
        if name is not UNSET:
            field_dict["name"] = name
        if online_secs is not UNSET:
            field_dict["online_secs"] = online_secs
        if away_secs is not UNSET:
            field_dict["away_secs"] = away_secs
        if csat_average is not UNSET:
            field_dict["csat_average"] = csat_average
        if csat_satisfied_share is not UNSET:
            field_dict["csat_satisfied_share"] = csat_satisfied_share

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.support_group_out_first_response import (
            SupportGroupOutFirstResponse,
        )
        from ..models.support_group_out_handoff import SupportGroupOutHandoff
        from ..models.support_group_out_next_response import SupportGroupOutNextResponse
        from ..models.support_group_out_resolution import SupportGroupOutResolution
        from ..models.support_group_out_sla import SupportGroupOutSla

        d = dict(src_dict)
        opened = d.pop("opened")

        reopened = d.pop("reopened")

        resolved = d.pop("resolved")

        first_response = SupportGroupOutFirstResponse.from_dict(d.pop("first_response"))

        next_response = SupportGroupOutNextResponse.from_dict(d.pop("next_response"))

        resolution = SupportGroupOutResolution.from_dict(d.pop("resolution"))

        bot_resolved = d.pop("bot_resolved")

        handoff = SupportGroupOutHandoff.from_dict(d.pop("handoff"))

        csat_asked = d.pop("csat_asked")

        csat_answered = d.pop("csat_answered")

        csat_satisfied = d.pop("csat_satisfied")

        messages_in = d.pop("messages_in")

        messages_out = d.pop("messages_out")

        sla = SupportGroupOutSla.from_dict(d.pop("sla"))

        key = d.pop("key", UNSET)

        name = d.pop("name", UNSET)

        online_secs = d.pop("online_secs", UNSET)

        away_secs = d.pop("away_secs", UNSET)

        csat_average = d.pop("csat_average", UNSET)

        csat_satisfied_share = d.pop("csat_satisfied_share", UNSET)

        support_group_out = cls(
            opened=opened,
            reopened=reopened,
            resolved=resolved,
            first_response=first_response,
            next_response=next_response,
            resolution=resolution,
            bot_resolved=bot_resolved,
            handoff=handoff,
            csat_asked=csat_asked,
            csat_answered=csat_answered,
            csat_satisfied=csat_satisfied,
            messages_in=messages_in,
            messages_out=messages_out,
            sla=sla,
            key=key,
            name=name,
            online_secs=online_secs,
            away_secs=away_secs,
            csat_average=csat_average,
            csat_satisfied_share=csat_satisfied_share,
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
