from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.alert_state import AlertState
from ..types import UNSET, Unset

T = TypeVar("T", bound="AlertOut")


@_attrs_define
class AlertOut:
    """One alert: a rule and what it measured (a consumer, a number, …).

    Attributes:
        rule (str): The rule's name from the configuration.
        kind (str): consumer_pending, dlq_inflow, edge_rejections, send_failures,
            number_quiet, session_disconnected, account_restricted,
            events_repaired, media_fetch_failures, webhooks_disabled, campaigns_paused or sla_breach.
        severity (str):
        instance (str): What was measured: a consumer, a business number, `DLQ`, `edges`, `sends`.
        state (AlertState): Where an alert stands.
        summary (str):
        value (float): The last value that changed the state.
        threshold (float):
        updated_at (datetime.datetime):
        active_since (datetime.datetime | Unset): Since when the condition holds.
        clear_since (datetime.datetime | Unset): Firing, but clear since then (resolves after the rule's clear time).
        fired_at (datetime.datetime | Unset):
        resolved_at (datetime.datetime | Unset):
    """

    rule: str
    kind: str
    severity: str
    instance: str
    state: AlertState
    summary: str
    value: float
    threshold: float
    updated_at: datetime.datetime
    active_since: datetime.datetime | Unset = UNSET
    clear_since: datetime.datetime | Unset = UNSET
    fired_at: datetime.datetime | Unset = UNSET
    resolved_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule

        kind = self.kind

        severity = self.severity

        instance = self.instance

        state = self.state.value

        summary = self.summary

        value = self.value

        threshold = self.threshold

        updated_at = self.updated_at.isoformat()

        active_since: str | Unset = UNSET
        if not isinstance(self.active_since, Unset):
            active_since = self.active_since.isoformat()

        clear_since: str | Unset = UNSET
        if not isinstance(self.clear_since, Unset):
            clear_since = self.clear_since.isoformat()

        fired_at: str | Unset = UNSET
        if not isinstance(self.fired_at, Unset):
            fired_at = self.fired_at.isoformat()

        resolved_at: str | Unset = UNSET
        if not isinstance(self.resolved_at, Unset):
            resolved_at = self.resolved_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule": rule,
                "kind": kind,
                "severity": severity,
                "instance": instance,
                "state": state,
                "summary": summary,
                "value": value,
                "threshold": threshold,
                "updated_at": updated_at,
            }
        )
        if active_since is not UNSET:
            field_dict["active_since"] = active_since
        if clear_since is not UNSET:
            field_dict["clear_since"] = clear_since
        if fired_at is not UNSET:
            field_dict["fired_at"] = fired_at
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rule = d.pop("rule")

        kind = d.pop("kind")

        severity = d.pop("severity")

        instance = d.pop("instance")

        state = AlertState(d.pop("state"))

        summary = d.pop("summary")

        value = d.pop("value")

        threshold = d.pop("threshold")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _active_since = d.pop("active_since", UNSET)
        active_since: datetime.datetime | Unset
        if isinstance(_active_since, Unset):
            active_since = UNSET
        else:
            active_since = datetime.datetime.fromisoformat(_active_since)

        _clear_since = d.pop("clear_since", UNSET)
        clear_since: datetime.datetime | Unset
        if isinstance(_clear_since, Unset):
            clear_since = UNSET
        else:
            clear_since = datetime.datetime.fromisoformat(_clear_since)

        _fired_at = d.pop("fired_at", UNSET)
        fired_at: datetime.datetime | Unset
        if isinstance(_fired_at, Unset):
            fired_at = UNSET
        else:
            fired_at = datetime.datetime.fromisoformat(_fired_at)

        _resolved_at = d.pop("resolved_at", UNSET)
        resolved_at: datetime.datetime | Unset
        if isinstance(_resolved_at, Unset):
            resolved_at = UNSET
        else:
            resolved_at = datetime.datetime.fromisoformat(_resolved_at)

        alert_out = cls(
            rule=rule,
            kind=kind,
            severity=severity,
            instance=instance,
            state=state,
            summary=summary,
            value=value,
            threshold=threshold,
            updated_at=updated_at,
            active_since=active_since,
            clear_since=clear_since,
            fired_at=fired_at,
            resolved_at=resolved_at,
        )

        alert_out.additional_properties = d
        return alert_out

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
