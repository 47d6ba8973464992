from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_out import ContactOut
    from ..models.conversation_out_csat import ConversationOutCsat
    from ..models.conversation_out_last_message import ConversationOutLastMessage
    from ..models.conversation_out_matched_message import ConversationOutMatchedMessage
    from ..models.conversation_out_sla import ConversationOutSla
    from ..models.label_out import LabelOut


T = TypeVar("T", bound="ConversationOut")


@_attrs_define
class ConversationOut:
    """A conversation between a business number and a contact.

    Attributes:
        id (int):
        status (str): bot, queued, assigned, pending or resolved.
        version (int): Optimistic-locking version: send it back with claims and transfers.
        priority (int):
        business_number (str): The business phone number id.
        contact (ContactOut): The customer of a conversation.
        last_message_at (datetime.datetime): Provider time of the latest message.
        created_at (datetime.datetime):
        labels (list[LabelOut]): The conversation's labels, by name.
        team_id (int | Unset):
        assignee_id (int | Unset):
        last_inbound_at (datetime.datetime | Unset): Provider time of the customer's latest message (opens the 24 h
            window).
        assignee_name (str | Unset): The assignee's display name.
        team_name (str | Unset): The team's name.
        last_message (ConversationOutLastMessage | Unset): The newest message, for the list's preview.
        unread_count (int | Unset): Customer messages the calling agent has not read yet (absent for a
            caller that is no agent, such as an integrator token).
        waiting_since (datetime.datetime | Unset): Since when the customer waits for an answer: their first message
            after our last reply; absent when nothing waits.
        snoozed_until (datetime.datetime | Unset): Snoozed until then: out of the active views until the customer
            writes or the time passes; absent when awake.
        matched_message (ConversationOutMatchedMessage | Unset): With a search (`q`): the message that matched (absent
            when the
            contact's name, username or phone matched).
        sla (ConversationOutSla | Unset): The running SLA clock (absent without a policy or a running clock).
        csat (ConversationOutCsat | Unset): The customer-satisfaction question of the last resolution and its
            answer (absent when none was due).
    """

    id: int
    status: str
    version: int
    priority: int
    business_number: str
    contact: ContactOut
    last_message_at: datetime.datetime
    created_at: datetime.datetime
    labels: list[LabelOut]
    team_id: int | Unset = UNSET
    assignee_id: int | Unset = UNSET
    last_inbound_at: datetime.datetime | Unset = UNSET
    assignee_name: str | Unset = UNSET
    team_name: str | Unset = UNSET
    last_message: ConversationOutLastMessage | Unset = UNSET
    unread_count: int | Unset = UNSET
    waiting_since: datetime.datetime | Unset = UNSET
    snoozed_until: datetime.datetime | Unset = UNSET
    matched_message: ConversationOutMatchedMessage | Unset = UNSET
    sla: ConversationOutSla | Unset = UNSET
    csat: ConversationOutCsat | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status

        version = self.version

        priority = self.priority

        business_number = self.business_number

        contact = self.contact.to_dict()

        last_message_at = self.last_message_at.isoformat()

        created_at = self.created_at.isoformat()

        labels = []
        for labels_item_data in self.labels:
            labels_item = labels_item_data.to_dict()
            labels.append(labels_item)

        team_id = self.team_id

        assignee_id = self.assignee_id

        last_inbound_at: str | Unset = UNSET
        if not isinstance(self.last_inbound_at, Unset):
            last_inbound_at = self.last_inbound_at.isoformat()

        assignee_name = self.assignee_name

        team_name = self.team_name

        last_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.last_message, Unset):
            last_message = self.last_message.to_dict()

        unread_count = self.unread_count

        waiting_since: str | Unset = UNSET
        if not isinstance(self.waiting_since, Unset):
            waiting_since = self.waiting_since.isoformat()

        snoozed_until: str | Unset = UNSET
        if not isinstance(self.snoozed_until, Unset):
            snoozed_until = self.snoozed_until.isoformat()

        matched_message: dict[str, Any] | Unset = UNSET
        if not isinstance(self.matched_message, Unset):
            matched_message = self.matched_message.to_dict()

        sla: dict[str, Any] | Unset = UNSET
        if not isinstance(self.sla, Unset):
            sla = self.sla.to_dict()

        csat: dict[str, Any] | Unset = UNSET
        if not isinstance(self.csat, Unset):
            csat = self.csat.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "version": version,
                "priority": priority,
                "business_number": business_number,
                "contact": contact,
                "last_message_at": last_message_at,
                "created_at": created_at,
                "labels": labels,
            }
        )
        if team_id is not UNSET:
            field_dict["team_id"] = team_id
        if assignee_id is not UNSET:
            field_dict["assignee_id"] = assignee_id
        if last_inbound_at is not UNSET:
            field_dict["last_inbound_at"] = last_inbound_at
        if assignee_name is not UNSET:
            field_dict["assignee_name"] = assignee_name
        if team_name is not UNSET:
            field_dict["team_name"] = team_name
        if last_message is not UNSET:
            field_dict["last_message"] = last_message
        if unread_count is not UNSET:
            field_dict["unread_count"] = unread_count
        if waiting_since is not UNSET:
            field_dict["waiting_since"] = waiting_since
        if snoozed_until is not UNSET:
            field_dict["snoozed_until"] = snoozed_until
        if matched_message is not UNSET:
            field_dict["matched_message"] = matched_message
        if sla is not UNSET:
            field_dict["sla"] = sla
        if csat is not UNSET:
            field_dict["csat"] = csat

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_out import ContactOut
        from ..models.conversation_out_csat import ConversationOutCsat
        from ..models.conversation_out_last_message import ConversationOutLastMessage
        from ..models.conversation_out_matched_message import (
            ConversationOutMatchedMessage,
        )
        from ..models.conversation_out_sla import ConversationOutSla
        from ..models.label_out import LabelOut

        d = dict(src_dict)
        id = d.pop("id")

        status = d.pop("status")

        version = d.pop("version")

        priority = d.pop("priority")

        business_number = d.pop("business_number")

        contact = ContactOut.from_dict(d.pop("contact"))

        last_message_at = datetime.datetime.fromisoformat(d.pop("last_message_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        labels = []
        _labels = d.pop("labels")
        for labels_item_data in _labels:
            labels_item = LabelOut.from_dict(labels_item_data)

            labels.append(labels_item)

        team_id = d.pop("team_id", UNSET)

        assignee_id = d.pop("assignee_id", UNSET)

        _last_inbound_at = d.pop("last_inbound_at", UNSET)
        last_inbound_at: datetime.datetime | Unset
        if isinstance(_last_inbound_at, Unset):
            last_inbound_at = UNSET
        else:
            last_inbound_at = datetime.datetime.fromisoformat(_last_inbound_at)

        assignee_name = d.pop("assignee_name", UNSET)

        team_name = d.pop("team_name", UNSET)

        _last_message = d.pop("last_message", UNSET)
        last_message: ConversationOutLastMessage | Unset
        if isinstance(_last_message, Unset):
            last_message = UNSET
        else:
            last_message = ConversationOutLastMessage.from_dict(_last_message)

        unread_count = d.pop("unread_count", UNSET)

        _waiting_since = d.pop("waiting_since", UNSET)
        waiting_since: datetime.datetime | Unset
        if isinstance(_waiting_since, Unset):
            waiting_since = UNSET
        else:
            waiting_since = datetime.datetime.fromisoformat(_waiting_since)

        _snoozed_until = d.pop("snoozed_until", UNSET)
        snoozed_until: datetime.datetime | Unset
        if isinstance(_snoozed_until, Unset):
            snoozed_until = UNSET
        else:
            snoozed_until = datetime.datetime.fromisoformat(_snoozed_until)

        _matched_message = d.pop("matched_message", UNSET)
        matched_message: ConversationOutMatchedMessage | Unset
        if isinstance(_matched_message, Unset):
            matched_message = UNSET
        else:
            matched_message = ConversationOutMatchedMessage.from_dict(_matched_message)

        _sla = d.pop("sla", UNSET)
        sla: ConversationOutSla | Unset
        if isinstance(_sla, Unset):
            sla = UNSET
        else:
            sla = ConversationOutSla.from_dict(_sla)

        _csat = d.pop("csat", UNSET)
        csat: ConversationOutCsat | Unset
        if isinstance(_csat, Unset):
            csat = UNSET
        else:
            csat = ConversationOutCsat.from_dict(_csat)

        conversation_out = cls(
            id=id,
            status=status,
            version=version,
            priority=priority,
            business_number=business_number,
            contact=contact,
            last_message_at=last_message_at,
            created_at=created_at,
            labels=labels,
            team_id=team_id,
            assignee_id=assignee_id,
            last_inbound_at=last_inbound_at,
            assignee_name=assignee_name,
            team_name=team_name,
            last_message=last_message,
            unread_count=unread_count,
            waiting_since=waiting_since,
            snoozed_until=snoozed_until,
            matched_message=matched_message,
            sla=sla,
            csat=csat,
        )

        conversation_out.additional_properties = d
        return conversation_out

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
