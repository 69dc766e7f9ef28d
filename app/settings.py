"""设置: the community's name and code, the committee's printed name, the operator."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.changes import SETTINGS, Changes
from app.errors import ValidationError
from db.models import Setting


@dataclass(frozen=True)
class CommunitySettings:
    community_name: str = ""
    community_code: str = ""
    committee_name: str = ""  # as printed on documents, e.g. 中共幸福里社区委员会
    operator_name: str = ""  # recorded on every logged change

    @property
    def configured(self) -> bool:
        return bool(self.community_name)


LABELS = {
    "community_name": "社区名称",
    "community_code": "社区代码",
    "committee_name": "党组织落款名称",
    "operator_name": "当前操作员",
}


def load(session: Session) -> CommunitySettings:
    stored = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    return CommunitySettings(**{f.name: stored.get(f.name, "") for f in fields(CommunitySettings)})


def get_value(session: Session, key: str, default: str = "") -> str:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def set_value(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def validate(values: CommunitySettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not values.community_name.strip():
        errors["community_name"] = "请填写社区名称。"
    elif len(values.community_name.strip()) > 50:
        errors["community_name"] = "社区名称不能超过 50 个字。"
    code = values.community_code.strip()
    if code and not code.isalnum():
        errors["community_code"] = "社区代码只能包含字母和数字。"
    if len(values.operator_name.strip()) > 20:
        errors["operator_name"] = "操作员姓名不能超过 20 个字。"
    return errors


def save(session: Session, values: CommunitySettings) -> Changes:
    errors = validate(values)
    if errors:
        raise ValidationError(errors)
    for f in fields(CommunitySettings):
        set_value(session, f.name, getattr(values, f.name).strip())
    from app import audit

    audit.log(session, "settings", None, "修改设置", values.community_name.strip())
    return SETTINGS


def create_community(
    session: Session, values: CommunitySettings, top_name: str, top_kind: str = "党委"
) -> Changes:
    """新建社区: the settings and the top organisation of an empty database, in one go."""
    from app import orgs

    if load(session).configured:
        raise ValidationError("此数据库已经建立了社区。", "community_name")
    errors = validate_community(session, values, top_name, top_kind)
    if errors:
        raise ValidationError(errors)
    changes = save(session, values)
    _, org_changes = orgs.create(session, None, orgs.OrgInput(name=top_name.strip(), kind=top_kind))
    return changes | org_changes


def validate_community(session: Session, values: CommunitySettings, top_name: str, top_kind: str) -> dict[str, str]:
    """What 新建社区 checks: the settings, and the top organisation (errors keyed ``top_…``)."""
    from app import orgs

    errors = validate(values)
    top = orgs.OrgInput(name=top_name.strip(), kind=top_kind)
    for key, message in orgs.validate(session, top, parent_id=None).items():
        errors[f"top_{key}"] = message.replace("组织名称", "顶层党组织名称")
    if top_kind not in ("党委", "党总支", "党支部"):
        errors["top_kind"] = "社区的顶层组织应为党委、党总支或党支部。"
    return errors
