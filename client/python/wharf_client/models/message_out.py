from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message_out_media import MessageOutMedia


T = TypeVar("T", bound="MessageOut")


@_attrs_define
class MessageOut:
    """One message of a conversation.

    Attributes:
        id (int):
        direction (str): inbound (from the customer) or outbound (our reply).
        provider (str):
        kind (str): text, image, template, …
        status (str): received, queued, sent, delivered, read or failed.
        provider_timestamp (datetime.datetime): The provider's time of the message (ours for replies).
        payload (Any): The provider's object for an inbound message, whole (location
            coordinates, contact cards, interactive replies, an unknown type's
            fields); the reply's content for an outbound one.
        created_at (datetime.datetime):
        provider_message_id (str | Unset):
        body (str | Unset):
        error (str | Unset): The provider's error when failed.
        edited_at (datetime.datetime | Unset): When the customer edited it (`body` is the new text).
        deleted_at (datetime.datetime | Unset): When its sender deleted it (kept for audit).
        reply_to (str | Unset): The provider id of the message it quotes or reacts to (or edits,
            deletes).
        origin (str | Unset): `phone_app` for a message sent from the WhatsApp Business app on the
            same number (coexistence echo).
        agent_id (int | Unset): The agent who sent an outbound reply (absent for the bot, tokens
            without an agent and phone-app echoes).
        agent_name (str | Unset): That agent's display name.
        campaign_id (int | Unset): The campaign this message was sent for (`/api/v1/campaigns/{id}`):
            the context of the customer's answer.
        media (MessageOutMedia | Unset): The file of an image, video, audio, document or sticker message
            (absent for other messages).
    """

    id: int
    direction: str
    provider: str
    kind: str
    status: str
    provider_timestamp: datetime.datetime
    payload: Any
    created_at: datetime.datetime
    provider_message_id: str | Unset = UNSET
    body: str | Unset = UNSET
    error: str | Unset = UNSET
    edited_at: datetime.datetime | Unset = UNSET
    deleted_at: datetime.datetime | Unset = UNSET
    reply_to: str | Unset = UNSET
    origin: str | Unset = UNSET
    agent_id: int | Unset = UNSET
    agent_name: str | Unset = UNSET
    campaign_id: int | Unset = UNSET
    media: MessageOutMedia | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        direction = self.direction

        provider = self.provider

        kind = self.kind

        status = self.status

        provider_timestamp = self.provider_timestamp.isoformat()

        payload = self.payload

        created_at = self.created_at.isoformat()

        provider_message_id = self.provider_message_id

        body = self.body

        error = self.error

        edited_at: str | Unset = UNSET
        if not isinstance(self.edited_at, Unset):
            edited_at = self.edited_at.isoformat()

        deleted_at: str | Unset = UNSET
        if not isinstance(self.deleted_at, Unset):
            deleted_at = self.deleted_at.isoformat()

        reply_to = self.reply_to

        origin = self.origin

        agent_id = self.agent_id

        agent_name = self.agent_name

        campaign_id = self.campaign_id

        media: dict[str, Any] | Unset = UNSET
        if not isinstance(self.media, Unset):
            media = self.media.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "direction": direction,
                "provider": provider,
                "kind": kind,
                "status": status,
                "provider_timestamp": provider_timestamp,
                "payload": payload,
                "created_at": created_at,
            }
        )
        if provider_message_id is not UNSET:
            field_dict["provider_message_id"] = provider_message_id
        if body is not UNSET:
            field_dict["body"] = body
        if error is not UNSET:
            field_dict["error"] = error
        if edited_at is not UNSET:
            field_dict["edited_at"] = edited_at
        if deleted_at is not UNSET:
            field_dict["deleted_at"] = deleted_at
        if reply_to is not UNSET:
            field_dict["reply_to"] = reply_to
        if origin is not UNSET:
            field_dict["origin"] = origin
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if campaign_id is not UNSET:
            field_dict["campaign_id"] = campaign_id
        if media is not UNSET:
            field_dict["media"] = media

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.message_out_media import MessageOutMedia

        d = dict(src_dict)
        id = d.pop("id")

        direction = d.pop("direction")

        provider = d.pop("provider")

        kind = d.pop("kind")

        status = d.pop("status")

        provider_timestamp = datetime.datetime.fromisoformat(
            d.pop("provider_timestamp")
        )

        payload = d.pop("payload")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        provider_message_id = d.pop("provider_message_id", UNSET)

        body = d.pop("body", UNSET)

        error = d.pop("error", UNSET)

        _edited_at = d.pop("edited_at", UNSET)
        edited_at: datetime.datetime | Unset
        if isinstance(_edited_at, Unset):
            edited_at = UNSET
        else:
            edited_at = datetime.datetime.fromisoformat(_edited_at)

        _deleted_at = d.pop("deleted_at", UNSET)
        deleted_at: datetime.datetime | Unset
        if isinstance(_deleted_at, Unset):
            deleted_at = UNSET
        else:
            deleted_at = datetime.datetime.fromisoformat(_deleted_at)

        reply_to = d.pop("reply_to", UNSET)

        origin = d.pop("origin", UNSET)

        agent_id = d.pop("agent_id", UNSET)

        agent_name = d.pop("agent_name", UNSET)

        campaign_id = d.pop("campaign_id", UNSET)

        _media = d.pop("media", UNSET)
        media: MessageOutMedia | Unset
        if isinstance(_media, Unset):
            media = UNSET
        else:
            media = MessageOutMedia.from_dict(_media)

        message_out = cls(
            id=id,
            direction=direction,
            provider=provider,
            kind=kind,
            status=status,
            provider_timestamp=provider_timestamp,
            payload=payload,
            created_at=created_at,
            provider_message_id=provider_message_id,
            body=body,
            error=error,
            edited_at=edited_at,
            deleted_at=deleted_at,
            reply_to=reply_to,
            origin=origin,
            agent_id=agent_id,
            agent_name=agent_name,
            campaign_id=campaign_id,
            media=media,
        )

        message_out.additional_properties = d
        return message_out

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
