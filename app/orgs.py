"""党组织: the organisation tree — create, edit, move, dissolve; paths; term reminders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.changes import ORGS, Changes
from app.errors import AppError, NotFoundError, ValidationError
from db.models import CommitteeMember, InflowMember, Meeting, Member, Organization

ORG_KINDS: tuple[str, ...] = ("党委", "党总支", "党支部", "联合党支部", "临时党支部", "党小组")
COMMITTEE_ROLES: tuple[str, ...] = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "组长")
PATH_SEPARATOR = "/"
DEFAULT_TERM_YEARS = 5  # a 社区 branch's term (DOMAIN.md)
TERM_WARNING_DAYS = 90


@dataclass(frozen=True)
class OrgNode:
    id: int
    parent_id: int | None
    name: str
    kind: str
    path: str
    depth: int
    sort_order: int
    founded_on: date | None = None
    term_ends_on: date | None = None
    place: str = ""
    note: str = ""
    dissolved_on: date | None = None
    dissolved_reason: str = ""
    committee: tuple[tuple[str, str], ...] = ()
    child_ids: tuple[int, ...] = field(default=())
    committee_member_ids: tuple[int | None, ...] = ()  # the ledger member of each committee row, if linked

    @property
    def active(self) -> bool:
        return self.dissolved_on is None

    @property
    def secretary(self) -> str:
        for role, name in self.committee:
            if role in ("书记", "组长"):
                return name
        return ""


@dataclass(frozen=True)
class OrgInput:
    """What the organisation form edits."""

    name: str
    kind: str
    founded_on: date | None = None
    term_ends_on: date | None = None
    place: str = ""
    note: str = ""
    committee: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TermDue:
    org: OrgNode
    term_ends_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def default_term_end(founded_on: date | None, years: int = DEFAULT_TERM_YEARS) -> date | None:
    if founded_on is None:
        return None
    try:
        return founded_on.replace(year=founded_on.year + years)
    except ValueError:  # 29 February
        return founded_on.replace(year=founded_on.year + years, day=28)


# ---------------------------------------------------------------- reading


def list_tree(session: Session, *, include_dissolved: bool = False) -> list[OrgNode]:
    """Every node in tree order (pre-order, siblings by their order), with paths and depths."""
    orgs = list(session.scalars(select(Organization)))
    committee: dict[int, list[CommitteeMember]] = defaultdict(list)
    for member in session.scalars(select(CommitteeMember).order_by(CommitteeMember.sort_order, CommitteeMember.id)):
        committee[member.org_id].append(member)
    children: dict[int | None, list[Organization]] = defaultdict(list)
    for org in orgs:
        if include_dissolved or org.dissolved_on is None:
            children[org.parent_id].append(org)
    for siblings in children.values():
        siblings.sort(key=lambda o: (o.sort_order, o.id))

    result: list[OrgNode] = []

    def walk(org: Organization, parent_path: str, depth: int) -> None:
        path = f"{parent_path}{PATH_SEPARATOR}{org.name}" if parent_path else org.name
        kids = children.get(org.id, [])
        result.append(
            OrgNode(
                id=org.id,
                parent_id=org.parent_id,
                name=org.name,
                kind=org.kind,
                path=path,
                depth=depth,
                sort_order=org.sort_order,
                founded_on=org.founded_on,
                term_ends_on=org.term_ends_on,
                place=org.place,
                note=org.note,
                dissolved_on=org.dissolved_on,
                dissolved_reason=org.dissolved_reason,
                committee=tuple((m.role, m.name) for m in committee.get(org.id, [])),
                committee_member_ids=tuple(m.member_id for m in committee.get(org.id, [])),
                child_ids=tuple(k.id for k in kids),
            )
        )
        for kid in kids:
            walk(kid, path, depth + 1)

    for root in children.get(None, []):
        walk(root, "", 0)
    return result


def get(session: Session, org_id: int) -> OrgNode:
    for node in list_tree(session, include_dissolved=True):
        if node.id == org_id:
            return node
    raise NotFoundError(f"找不到编号为 {org_id} 的党组织。")


def find_by_path(session: Session, path: str) -> OrgNode:
    """The active node named by a path such as ``社区党委/第一网格党支部/3号楼党小组``."""
    wanted = PATH_SEPARATOR.join(part.strip() for part in path.strip().strip(PATH_SEPARATOR).split(PATH_SEPARATOR))
    for node in list_tree(session):
        if node.path == wanted:
            return node
    raise NotFoundError(f"找不到党组织“{path}”。路径应从顶层组织写起，用“/”分隔，例如：社区党委/第一网格党支部。")


def count_by_kind(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(ORG_KINDS, 0)
    for node in list_tree(session):
        counts[node.kind] = counts.get(node.kind, 0) + 1
    return counts


def terms_due(session: Session, today: date, within_days: int = TERM_WARNING_DAYS) -> list[TermDue]:
    """Active nodes whose term ends within ``within_days`` (or has already ended): 换届提醒."""
    due = []
    for node in list_tree(session):
        if node.term_ends_on is None:
            continue
        days_left = (node.term_ends_on - today).days
        if days_left <= within_days:
            due.append(TermDue(node, node.term_ends_on, days_left))
    due.sort(key=lambda d: d.term_ends_on)
    return due


def descendants(nodes: Iterable[OrgNode], org_id: int) -> set[int]:
    by_id = {n.id: n for n in nodes}
    found: set[int] = set()
    stack = list(by_id[org_id].child_ids) if org_id in by_id else []
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(by_id[current].child_ids if current in by_id else ())
    return found


# ---------------------------------------------------------------- validation


def validate(
    session: Session,
    data: OrgInput,
    *,
    parent_id: int | None,
    org_id: int | None = None,
    today: date | None = None,
) -> dict[str, str]:
    today = today or date.today()
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "请填写组织名称。"
    elif len(name) > 100:
        errors["name"] = "组织名称不能超过 100 个字。"
    elif PATH_SEPARATOR in name or "\\" in name:
        errors["name"] = "组织名称中不能有“/”或“\\”（它们用来分隔组织路径）。"
    elif _sibling_name_taken(session, parent_id, name, org_id):
        errors["name"] = f"同一上级组织下已有名为“{name}”的组织。"
    if len(data.place.strip()) > 100:
        errors["place"] = "所在网格/楼栋不能超过 100 个字。"
    if len(data.note.strip()) > 500:
        errors["note"] = "备注不能超过 500 个字。"
    if data.kind not in ORG_KINDS:
        errors["kind"] = "请选择组织类型（" + "、".join(ORG_KINDS) + "）。"
    if data.founded_on and data.founded_on > today:
        errors["founded_on"] = "成立日期不能晚于今天。"
    if data.founded_on and data.term_ends_on and data.term_ends_on <= data.founded_on:
        errors["term_ends_on"] = "届满日期应晚于成立（换届）日期。"
    for index, (role, person) in enumerate(data.committee):
        if role not in COMMITTEE_ROLES:
            errors[f"committee.{index}"] = f"“{role}”不是可选的职务。"
        elif not person.strip():
            errors[f"committee.{index}"] = f"请填写{role}的姓名。"
    if sum(1 for role, _ in data.committee if role == "书记") > 1:
        errors["committee"] = "一个党组织只能有一名书记。"
    return errors


def _sibling_name_taken(session: Session, parent_id: int | None, name: str, org_id: int | None) -> bool:
    query = select(Organization.id).where(
        Organization.name == name, Organization.dissolved_on.is_(None)
    )
    query = query.where(Organization.parent_id.is_(None) if parent_id is None else Organization.parent_id == parent_id)
    if org_id is not None:
        query = query.where(Organization.id != org_id)
    return session.scalars(query).first() is not None


def _load(session: Session, org_id: int) -> Organization:
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFoundError(f"找不到编号为 {org_id} 的党组织，可能已被他人删除。")
    return org


def rerank(session: Session) -> None:
    """Number every node (dissolved ones too) in pre-order into ``tree_rank``, so member lists can
    sort by organisation in tree order with one indexed join. Cheap: a community has hundreds."""
    session.flush()
    rows = session.execute(
        select(Organization.id, Organization.parent_id, Organization.tree_rank)
        .order_by(Organization.sort_order, Organization.id)
    ).all()
    children: dict[int | None, list[int]] = defaultdict(list)
    current = {}
    for org_id, parent_id, rank in rows:
        children[parent_id].append(org_id)
        current[org_id] = rank
    stack = list(reversed(children.get(None, [])))
    rank = 0
    while stack:
        org_id = stack.pop()
        if current[org_id] != rank:
            session.get(Organization, org_id).tree_rank = rank
        rank += 1
        stack.extend(reversed(children.get(org_id, [])))


def _set_committee(session: Session, org: Organization, committee: Sequence[tuple[str, str]]) -> None:
    """Replace the committee; each name is linked to the 在册 member of that name in the node's
    subtree when there is exactly one."""
    org.committee.clear()
    session.flush()
    candidates: dict[str, list[int]] = defaultdict(list)
    if org.id is not None and committee:
        subtree = [org.id, *descendants(list_tree(session), org.id)]
        names = [person.strip() for _, person in committee]
        for member_id, name in session.execute(
            select(Member.id, Member.name).where(Member.org_id.in_(subtree), Member.status == "在册",
                                                 Member.name.in_(names))
        ):
            candidates[name].append(member_id)
    for index, (role, person) in enumerate(committee):
        found = candidates.get(person.strip(), [])
        org.committee.append(CommitteeMember(role=role, name=person.strip(), sort_order=index,
                                             member_id=found[0] if len(found) == 1 else None))


# ---------------------------------------------------------------- writing


def create(
    session: Session, parent_id: int | None, data: OrgInput, *, today: date | None = None,
    org_id: int | None = None,
) -> tuple[int, Changes]:
    """A new node under ``parent_id`` (last among its siblings). ``org_id`` is given only when
    an undone creation is redone, so later undo steps still find the node."""
    if parent_id is None:
        if session.scalars(select(Organization.id).where(Organization.parent_id.is_(None))).first():
            raise AppError("社区已有顶层党组织；新的组织请建在它的下面。")
    else:
        parent = _load(session, parent_id)
        if parent.dissolved_on is not None:
            raise AppError(f"“{parent.name}”已撤销，不能在其下新建组织。")
    errors = validate(session, data, parent_id=parent_id, today=today)
    if errors:
        raise ValidationError(errors)
    last = session.scalars(
        select(Organization.sort_order)
        .where(Organization.parent_id.is_(None) if parent_id is None else Organization.parent_id == parent_id)
        .order_by(Organization.sort_order.desc())
    ).first()
    org = Organization(
        id=org_id,
        parent_id=parent_id,
        name=data.name.strip(),
        kind=data.kind,
        sort_order=(last + 1) if last is not None else 0,
        founded_on=data.founded_on,
        term_ends_on=data.term_ends_on,
        place=data.place.strip(),
        note=data.note.strip(),
        dissolved_reason="",
    )
    session.add(org)
    session.flush()
    _set_committee(session, org, data.committee)
    session.flush()
    rerank(session)
    audit.log(session, "orgs", org.id, "新建", f"{data.kind} {org.name}")
    return org.id, ORGS


def update(session: Session, org_id: int, data: OrgInput, *, today: date | None = None) -> Changes:
    org = _load(session, org_id)
    errors = validate(session, data, parent_id=org.parent_id, org_id=org_id, today=today)
    if errors:
        raise ValidationError(errors)
    changed = []
    for attr, label in (("name", "名称"), ("kind", "类型"), ("founded_on", "成立日期"),
                        ("term_ends_on", "届满日期"), ("place", "所在网格/楼栋"), ("note", "备注")):
        new = getattr(data, attr)
        new = new.strip() if isinstance(new, str) else new
        old = getattr(org, attr)
        if old != new:
            changed.append(f"{label}：{old or '无'} → {new or '无'}")
            setattr(org, attr, new)
    old_committee = tuple((m.role, m.name) for m in org.committee)
    new_committee = tuple((r, n.strip()) for r, n in data.committee)
    if old_committee != new_committee:
        changed.append("班子成员：" + ("、".join(f"{r}{n}" for r, n in new_committee) or "无"))
        _set_committee(session, org, new_committee)
    if changed:
        audit.log(session, "orgs", org_id, "修改", "；".join(changed))
    return ORGS


def move(session: Session, org_id: int, new_parent_id: int, index: int | None = None) -> Changes:
    """Move a node (with its subtree) under ``new_parent_id`` at position ``index`` among its
    active siblings (``None``: last)."""
    org = _load(session, org_id)
    if org.parent_id is None:
        raise AppError("顶层党组织不能移动。")
    target = _load(session, new_parent_id)
    if target.dissolved_on is not None:
        raise AppError(f"“{target.name}”已撤销，不能移入。")
    if org.dissolved_on is not None:
        raise AppError(f"“{org.name}”已撤销，不能移动。")
    if new_parent_id == org_id or new_parent_id in descendants(list_tree(session), org_id):
        raise AppError(f"不能把“{org.name}”移到它自己或它的下级组织之下。")
    if new_parent_id != org.parent_id and _sibling_name_taken(session, new_parent_id, org.name, org_id):
        raise AppError(f"“{target.name}”下已有名为“{org.name}”的组织，请先改名。")

    old_parent_id = org.parent_id
    siblings = list(
        session.scalars(
            select(Organization)
            .where(Organization.parent_id == new_parent_id, Organization.dissolved_on.is_(None),
                   Organization.id != org_id)
            .order_by(Organization.sort_order, Organization.id)
        )
    )
    if index is None or index > len(siblings):
        index = len(siblings)
    index = max(index, 0)
    siblings.insert(index, org)
    org.parent_id = new_parent_id
    for position, sibling in enumerate(siblings):
        sibling.sort_order = position
    rerank(session)
    if old_parent_id != new_parent_id:
        old_parent = session.get(Organization, old_parent_id)
        audit.log(session, "orgs", org_id, "移动",
                  f"从“{old_parent.name if old_parent else '无'}”移到“{target.name}”")
    else:
        audit.log(session, "orgs", org_id, "调整顺序", f"在“{target.name}”下排第 {index + 1} 位")
    return ORGS


def position(session: Session, org_id: int) -> tuple[int | None, int]:
    """(parent id, index among active siblings): what an undo of a move needs."""
    node = get(session, org_id)
    if node.parent_id is None:
        return None, 0
    parent = get(session, node.parent_id)
    return node.parent_id, list(parent.child_ids).index(org_id) if org_id in parent.child_ids else 0


def dissolve(session: Session, org_id: int, on: date, reason: str, *, today: date | None = None) -> Changes:
    """撤销: the node is kept, marked with date and reason. Children must be moved first."""
    today = today or date.today()
    org = _load(session, org_id)
    if org.dissolved_on is not None:
        raise AppError(f"“{org.name}”已于 {org.dissolved_on:%Y-%m-%d} 撤销。")
    if org.parent_id is None:
        raise AppError("顶层党组织不能撤销。")
    active_children = session.scalars(
        select(Organization.name).where(Organization.parent_id == org_id, Organization.dissolved_on.is_(None))
    ).all()
    if active_children:
        shown = "、".join(active_children[:3]) + ("等" if len(active_children) > 3 else "")
        raise AppError(
            f"“{org.name}”下还有 {len(active_children)} 个下级组织（{shown}），"
            "请先把它们移到其他组织下或逐个撤销，再撤销本组织。"
        )
    on_roll = session.scalar(
        select(func.count()).select_from(Member).where(Member.org_id == org_id, Member.status == "在册")
    )
    if on_roll:
        raise AppError(
            f"“{org.name}”还有 {on_roll} 名在册党员，请先在党员台账中把他们调整到其他党组织，再撤销本组织。"
        )
    hosted = session.scalar(
        select(func.count()).select_from(InflowMember)
        .where(InflowMember.host_org_id == org_id, InflowMember.left_on.is_(None))
    )
    if hosted:
        raise AppError(
            f"“{org.name}”还联系着 {hosted} 名流入党员，请先在流动党员之家把他们交给其他党组织联系，再撤销本组织。"
        )
    errors: dict[str, str] = {}
    if on > today:
        errors["dissolved_on"] = "撤销日期不能晚于今天。"
    if org.founded_on and on < org.founded_on:
        errors["dissolved_on"] = "撤销日期不能早于成立日期。"
    if not reason.strip():
        errors["dissolved_reason"] = "请填写撤销原因。"
    if errors:
        raise ValidationError(errors)
    org.dissolved_on = on
    org.dissolved_reason = reason.strip()
    audit.log(session, "orgs", org_id, "撤销", f"{on:%Y-%m-%d}，{reason.strip()}")
    return ORGS


def remove_created(session: Session, org_id: int) -> Changes:
    """Undo a creation: a node with no sub-organisations is deleted (its log entries stay)."""
    org = _load(session, org_id)
    if session.scalars(select(Organization.id).where(Organization.parent_id == org_id)).first():
        raise AppError(f"“{org.name}”下已有下级组织，不能撤回它的新建；请改用“撤销组织”。")
    for model, column, what in ((Member, Member.org_id, "党员"), (InflowMember, InflowMember.host_org_id, "流入党员"),
                                (Meeting, Meeting.org_id, "组织生活记录")):
        if session.scalars(select(model.id).where(column == org_id)).first():
            raise AppError(f"“{org.name}”已有{what}，不能撤回它的新建；请改用“撤销组织”。")
    audit.log(session, "orgs", org_id, "撤回新建", org.name)
    session.delete(org)
    rerank(session)
    return ORGS


def reinstate(session: Session, org_id: int) -> Changes:
    """Undo a dissolution (恢复): the node becomes active again under its parent."""
    org = _load(session, org_id)
    if org.dissolved_on is None:
        return Changes()
    if org.parent_id is not None:
        parent = _load(session, org.parent_id)
        if parent.dissolved_on is not None:
            raise AppError(f"上级组织“{parent.name}”已撤销，请先恢复上级组织。")
        if _sibling_name_taken(session, org.parent_id, org.name, org_id):
            raise AppError(f"“{parent.name}”下已有同名组织“{org.name}”，不能恢复。")
    org.dissolved_on = None
    org.dissolved_reason = ""
    audit.log(session, "orgs", org_id, "恢复", "撤销已撤回")
    return ORGS

