"""The demo community: deterministic for a seed and a date, built only into an empty database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import orgs, settings
from app.errors import AppError
from app.paths import resource_path
from db.models import Organization

COMMUNITIES = ("幸福里", "和平里", "阳光", "长青", "映山红", "枫林", "滨河", "望京西")
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class DemoSummary:
    community_name: str
    organizations: int
    grids: int
    buildings: int


def _word_list(name: str) -> list[str]:
    return resource_path("demo", name).read_text(encoding="utf-8").split()


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = _word_list("surnames.txt")
        self.given = _word_list("given.txt")
        self.used: set[str] = set()

    def person(self) -> str:
        for _ in range(1000):
            name = self.rng.choice(self.surnames) + self.rng.choice(self.given)
            if name not in self.used:
                self.used.add(name)
                return name
        raise AppError("示例姓名用完了")  # pragma: no cover - 8,000+ combinations


def is_empty(session: Session) -> bool:
    has_orgs = session.scalar(select(func.count()).select_from(Organization))
    return not has_orgs and not settings.load(session).configured


def build(session: Session, *, seed: int = 0, today: date | None = None) -> DemoSummary:
    """Fill an empty database with a sample community and its organisation tree."""
    today = today or date.today()
    if not is_empty(session):
        raise AppError("该数据库中已有数据，示例社区只能生成到空数据库中。请换一个新的文件名。")
    rng = random.Random(seed)
    names = _Names(rng)
    community = COMMUNITIES[seed % len(COMMUNITIES)] + "社区"
    settings.save(
        session,
        settings.CommunitySettings(
            community_name=community,
            community_code=f"110105{rng.randint(1, 999):03d}",
            committee_name=f"中共{community}委员会",
            operator_name="社区党委办公室",
        ),
    )

    def founded(years_ago_min: int, years_ago_max: int) -> date:
        return today - timedelta(days=rng.randint(365 * years_ago_min, 365 * years_ago_max))

    def committee(*roles: str) -> tuple[tuple[str, str], ...]:
        return tuple((role, names.person()) for role in roles)

    def add(parent: int | None, name: str, kind: str, place: str, start: date, roles: tuple[str, ...],
            note: str = "") -> int:
        # 党小组 elect no committee, so they have no term to renew.
        term_end = None if kind == "党小组" else orgs.default_term_end(start)
        org_id, _ = orgs.create(
            session, parent, orgs.OrgInput(name, kind, start, term_end, place, note, committee(*roles)), today=today
        )
        return org_id

    root = add(None, f"{community}党委", "党委", community, founded(2, 3),
               ("书记", "副书记", "组织委员", "宣传委员", "纪检委员"))
    grid_count = rng.randint(4, 6)
    building = 0
    for g in range(grid_count):
        grid_name = f"第{CHINESE_NUMERALS[g]}网格"
        start = founded(1, 4)
        if g == 1:  # one term running out soon, so the 工作台 has a 换届 reminder to show
            start = orgs.default_term_end(today + timedelta(days=45), years=-orgs.DEFAULT_TERM_YEARS)
        branch = add(root, f"{grid_name}党支部", "党支部", grid_name, start, ("书记", "组织委员", "宣传委员"))
        for _ in range(rng.randint(2, 3)):
            building += 1
            add(branch, f"{building}号楼党小组", "党小组", f"{grid_name}/{building}号楼", start, ("组长",))
    retired = add(root, "离退休党员党支部", "党支部", community, founded(3, 4), ("书记", "组织委员"),
                  "社区离退休党员组织关系所在支部")
    add(retired, "老干部党小组", "党小组", community, founded(1, 3), ("组长",))
    add(retired, "银龄志愿党小组", "党小组", community, founded(1, 3), ("组长",))
    add(root, "两新组织联合党支部", "联合党支部", "商务楼宇", founded(1, 3), ("书记", "组织委员"),
        "辖区非公企业和社会组织党员不足 3 人，联合组建")
    add(root, "流动党员党支部", "党支部", community, founded(1, 2), ("书记",), "流入党员就近参加组织生活")
    total = session.scalar(select(func.count()).select_from(Organization)) or 0
    return DemoSummary(community, total, grid_count, building)
