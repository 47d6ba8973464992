from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.support_figures_out_first_response import (
        SupportFiguresOutFirstResponse,
    )
    from ..models.support_figures_out_handoff import SupportFiguresOutHandoff
    from ..models.support_figures_out_next_response import SupportFiguresOutNextResponse
    from ..models.support_figures_out_resolution import SupportFiguresOutResolution
    from ..models.support_figures_out_sla import SupportFiguresOutSla


T = TypeVar("T", bound="SupportFiguresOut")


@_attrs_define
class SupportFiguresOut:
    """The figures of a group or of the whole range (`docs/reports.md`).

    Attributes:
        opened (int): Conversations opened: their customer's first message.
        reopened (int): Reopened conversations: the customer's first message after the reopening.
        resolved (int): Resolutions.
        first_response (SupportFiguresOutFirstResponse): The opening's first customer message → the first agent reply.
        next_response (SupportFiguresOutNextResponse): A customer message after an agent reply → the next agent reply.
        resolution (SupportFiguresOutResolution): The opening's first customer message → resolved.
        bot_resolved (int): Resolved straight from the bot, no agent reply in the opening (the
            bot-resolved share is `bot_resolved / resolved`).
        handoff (SupportFiguresOutHandoff): The opening's first customer message → handed from the bot to people.
        csat_asked (int): Customer-satisfaction questions sent after resolutions.
        csat_answered (int): Their answers (one per question at most).
        csat_satisfied (int): Answers of 4 or 5 ("satisfied").
        messages_in (int): Customer messages (reactions aside).
        messages_out (int): Outbound messages: agents', the bot's, integrators', templates.
        sla (SupportFiguresOutSla): SLA outcomes and breaches per clock.
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
    first_response: SupportFiguresOutFirstResponse
    next_response: SupportFiguresOutNextResponse
    resolution: SupportFiguresOutResolution
    bot_resolved: int
    handoff: SupportFiguresOutHandoff
    csat_asked: int
    csat_answered: int
    csat_satisfied: int
    messages_in: int
    messages_out: int
    sla: SupportFiguresOutSla
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
        from ..models.support_figures_out_first_response import (
            SupportFiguresOutFirstResponse,
        )
        from ..models.support_figures_out_handoff import SupportFiguresOutHandoff
        from ..models.support_figures_out_next_response import (
            SupportFiguresOutNextResponse,
        )
        from ..models.support_figures_out_resolution import SupportFiguresOutResolution
        from ..models.support_figures_out_sla import SupportFiguresOutSla

        d = dict(src_dict)
        opened = d.pop("opened")

        reopened = d.pop("reopened")

        resolved = d.pop("resolved")

        first_response = SupportFiguresOutFirstResponse.from_dict(
            d.pop("first_response")
        )

        next_response = SupportFiguresOutNextResponse.from_dict(d.pop("next_response"))

        resolution = SupportFiguresOutResolution.from_dict(d.pop("resolution"))

        bot_resolved = d.pop("bot_resolved")

        handoff = SupportFiguresOutHandoff.from_dict(d.pop("handoff"))

        csat_asked = d.pop("csat_asked")

        csat_answered = d.pop("csat_answered")

        csat_satisfied = d.pop("csat_satisfied")

        messages_in = d.pop("messages_in")

        messages_out = d.pop("messages_out")

        sla = SupportFiguresOutSla.from_dict(d.pop("sla"))

        online_secs = d.pop("online_secs", UNSET)

        away_secs = d.pop("away_secs", UNSET)

        csat_average = d.pop("csat_average", UNSET)

        csat_satisfied_share = d.pop("csat_satisfied_share", UNSET)

        support_figures_out = cls(
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
            online_secs=online_secs,
            away_secs=away_secs,
            csat_average=csat_average,
            csat_satisfied_share=csat_satisfied_share,
        )

        support_figures_out.additional_properties = d
        return support_figures_out

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
