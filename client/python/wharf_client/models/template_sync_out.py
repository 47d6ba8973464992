from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.template_out import TemplateOut


T = TypeVar("T", bound="TemplateSyncOut")


@_attrs_define
class TemplateSyncOut:
    """What a sync did.

    Attributes:
        listed (int): Templates the provider listed.
        added (int): Of those, new to the catalog.
        templates (list[TemplateOut]):
    """

    listed: int
    added: int
    templates: list[TemplateOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        listed = self.listed

        added = self.added

        templates = []
        for templates_item_data in self.templates:
            templates_item = templates_item_data.to_dict()
            templates.append(templates_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "listed": listed,
                "added": added,
                "templates": templates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.template_out import TemplateOut

        d = dict(src_dict)
        listed = d.pop("listed")

        added = d.pop("added")

        templates = []
        _templates = d.pop("templates")
        for templates_item_data in _templates:
            templates_item = TemplateOut.from_dict(templates_item_data)

            templates.append(templates_item)

        template_sync_out = cls(
            listed=listed,
            added=added,
            templates=templates,
        )

        template_sync_out.additional_properties = d
        return template_sync_out

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
