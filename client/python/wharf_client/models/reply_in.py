from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.media_in import MediaIn
    from ..models.template_in import TemplateIn


T = TypeVar("T", bound="ReplyIn")


@_attrs_define
class ReplyIn:
    """A reply: exactly one of free-form `text` or `media` (inside the 24 h
    window) or a `template`.

        Attributes:
            text (str | Unset):
            template (TemplateIn | Unset): A template reply.
            media (MediaIn | Unset): A media reply by URL (the provider fetches it); inside the 24 h window.
    """

    text: str | Unset = UNSET
    template: TemplateIn | Unset = UNSET
    media: MediaIn | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        text = self.text

        template: dict[str, Any] | Unset = UNSET
        if not isinstance(self.template, Unset):
            template = self.template.to_dict()

        media: dict[str, Any] | Unset = UNSET
        if not isinstance(self.media, Unset):
            media = self.media.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if text is not UNSET:
            field_dict["text"] = text
        if template is not UNSET:
            field_dict["template"] = template
        if media is not UNSET:
            field_dict["media"] = media

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.media_in import MediaIn
        from ..models.template_in import TemplateIn

        d = dict(src_dict)
        text = d.pop("text", UNSET)

        _template = d.pop("template", UNSET)
        template: TemplateIn | Unset
        if isinstance(_template, Unset):
            template = UNSET
        else:
            template = TemplateIn.from_dict(_template)

        _media = d.pop("media", UNSET)
        media: MediaIn | Unset
        if isinstance(_media, Unset):
            media = UNSET
        else:
            media = MediaIn.from_dict(_media)

        reply_in = cls(
            text=text,
            template=template,
            media=media,
        )

        reply_in.additional_properties = d
        return reply_in

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
