"""The demo community: deterministic for a seed and a date, built only into an empty database.

``build`` makes the organisation tree, then the members: every committee post held by a member
record (and linked to it), retired members, in-service members who report to the community
(双报到), employees of the small firms of the 两新 joint branch, inflow members, a few 预备党员
close to 转正, floating and lost members, and a handful who left the ledger. Up to 100,000
members for benchmarks: rows go in with Core ``INSERT`` in batches, with the derived columns and
search keys of ``app.members`` computed once per distinct name.

Then, from a third random stream (so the tree and the members stay what the first two make of a
seed), what the organisation has recorded about them (``_Activity``): outflow records with contact
logs and 失联处置 in every contact status on ``today``, inflow members, 流动党员之家 services,
三会一课 with attendance and 党费 — and the ledger's 流动 / 失联 marks set from those records.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from app import audit, orgs, settings
from app import members as ledger
from app.dates import add_months, add_years
from app.errors import AppError
from app.floating import CHANNELS, DEFAULT_MODES, LOST_MONTHS, destination_of
from app.idcard import check_code
from app.paths import resource_path
from app.pinyin import split_surname
from db.models import (
    CommitteeMember,
    ContactLog,
    DuesPayment,
    FloatingRecord,
    HomeService,
    InflowMember,
    LostContactEvent,
    Meeting,
    MeetingAttendee,
    Member,
    MemberSearchKey,
    Organization,
)

COMMUNITIES = ("幸福里", "和平里", "阳光", "长青", "映山红", "枫林", "滨河", "望京西")
CHINESE_NUMERALS = "一二三四五六七八九十"
DEFAULT_MEMBERS = 300
MAX_MEMBERS = 200_000
_BATCH = 5_000
_BUILD_CACHE_KIB = 32_768  # SQLite's page cache while the demo is built (the default is 2 MiB)
_ROSTER = ("id", "org_id", "status", "joined_on", "left_on", "occupation", "party_post", "in_hardship", "floating",
           "floating_destination", "lost_contact_on", "standing", "birth_date", "category")
_UNIQUE_NAMES = 3_000  # names are kept distinct up to this many; a district-sized ledger repeats names

# Districts of one city (北京), for the first six digits of the ID numbers.
REGIONS = ("110101", "110102", "110105", "110106", "110107", "110108")
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "158", "159", "166", "177", "180", "182", "185", "186", "187", "188", "189", "199",
)
FEMALE_GIVEN = frozenset(
    "秀英 桂英 秀兰 玉兰 红梅 丽华 海燕 春梅 雨欣 梓涵 晓燕 晓红 淑珍 淑华 凤英 永红 嘉怡 欣怡 婷婷 "
    "静 敏 芳 娜 艳 霞 萍 丹 琳 慧 颖".split()
)
OLD_GIVEN = frozenset("建国 建华 国强 秀英 桂英 秀兰 玉兰 红梅 丽华 春梅 立新 卫东 爱民 振华 国庆 淑珍 淑华 凤英 德明 永红".split())
YOUNG_GIVEN = frozenset("浩然 子轩 雨欣 梓涵 思远 晨曦 嘉怡 欣怡 俊杰 婷婷 宇 浩 鑫".split())
# Names the ledger must show, sort and find: characters outside the basic CJK block (䶮 and 㛃 in
# Extension A, 𠮷 in Extension B) and surnames read differently as surnames (曾 zeng, 单 shan …).
SPECIAL_NAMES = (
    ("王㛃", "女"), ("李䶮", "男"), ("张𠮷祥", "男"), ("陈㛃", "女"), ("刘䶮", "男"),
    ("曾国华", "男"), ("单丽娟", "女"), ("解振东", "男"), ("仇建平", "男"), ("朴成浩", "男"), ("查文清", "女"),
    ("区志明", "男"),
)
POSTS = {"书记": "书记", "副书记": "副书记", "组织委员": "组织委员", "宣传委员": "宣传委员", "纪检委员": "纪检委员",
         "委员": "委员", "组长": "党小组组长"}

# kind of member → (share of men, age (min, max, mode), age at joining (min, max, mode))
KINDS = {
    "retired": (0.5, (60, 94, 72), (20, 45, 27)),
    "working": (0.58, (22, 60, 40), (19, 40, 26)),
    "student": (0.45, (21, 28, 23), (18, 22, 20)),
    "other": (0.5, (26, 70, 45), (19, 45, 28)),
    "firm": (0.6, (22, 56, 33), (20, 40, 26)),
    "inflow": (0.7, (24, 60, 40), (20, 40, 27)),
    "staff": (0.4, (28, 58, 40), (20, 35, 25)),
}
GRID_KINDS = (("retired", 40), ("working", 42), ("student", 3), ("other", 15))

# (unit, occupations, posts): public units send members to report here (双报到); two private ones too.
WORK_UNITS = (
    ("北京市朝阳区人民医院", ("公有经济专业技术人员",), ("主治医师", "护士长", "药剂师", "副主任医师")),
    ("北京市第八十中学", ("公有经济专业技术人员",), ("语文教师", "数学教师", "教导主任")),
    ("国家税务总局北京市朝阳区税务局", ("党政机关工作人员",), ("科员", "副科长", "科长")),
    ("北京市朝阳区人民法院", ("党政机关工作人员",), ("法官助理", "书记员", "审判员")),
    ("朝阳区望京街道办事处", ("党政机关工作人员",), ("科员", "副主任")),
    ("国网北京市电力公司朝阳供电公司", ("公有经济管理人员", "公有经济工勤技能人员"), ("班组长", "运维工程师", "部门经理")),
    ("中国建设银行北京朝阳支行", ("公有经济管理人员", "公有经济专业技术人员"), ("客户经理", "柜员", "副行长")),
    ("北京市地铁运营有限公司", ("公有经济工勤技能人员", "公有经济专业技术人员"), ("列车司机", "站务员", "调度员")),
    ("北京公交集团第一客运分公司", ("公有经济工勤技能人员",), ("驾驶员", "调度员")),
    ("北京市朝阳区图书馆", ("公有经济专业技术人员",), ("馆员", "副研究馆员")),
    ("北京工业大学", ("公有经济专业技术人员", "公有经济管理人员"), ("副教授", "讲师", "辅导员")),
    ("北京小米科技有限责任公司", ("非公有经济专业技术人员", "非公有经济管理人员"), ("软件工程师", "产品经理")),
    ("北京京东世纪贸易有限公司", ("非公有经济管理人员", "非公有经济专业技术人员"), ("运营经理", "数据分析师")),
)
PUBLIC_UNITS = tuple(u for u in WORK_UNITS if not u[1][0].startswith("非公"))
# The firms and social organisations of the business building, with (post, occupation) pairs.
_M, _P, _W = "非公有经济管理人员", "非公有经济专业技术人员", "非公有经济工勤技能人员"
FIRMS = (
    ("北京智联云科技有限公司", (("软件工程师", _P), ("项目经理", _M), ("技术总监", _M), ("测试工程师", _P))),
    ("北京恒信达商贸有限公司", (("销售经理", _M), ("会计", _P), ("业务员", _W))),
    ("北京新立方文化传媒有限公司", (("编辑", _P), ("设计师", _P), ("行政主管", _M))),
    ("北京安居物业管理有限公司", (("物业经理", _M), ("维修工", _W), ("保安队长", _W))),
    ("北京同心社会工作服务中心", (("社工", _P), ("项目主管", _M))),
    ("北京明德律师事务所", (("律师", _P), ("律师助理", _W), ("合伙人", _M))),
    ("北京惠民养老服务有限公司", (("护理员", _W), ("院长", _M))),
)
RETIRED_UNITS = (
    "北京第一机床厂", "北京第二棉纺织厂", "朝阳区供销合作社", "首都钢铁公司", "北京市第一建筑工程公司",
    "北京光华染织厂", "北京市百货大楼", "北京市第五十五中学", "朝阳区卫生局", "北京东郊农场", "北京市邮政局",
)
STUDENT_UNITS = ("北京工业大学", "对外经济贸易大学", "中国传媒大学", "北京化工大学")
OTHER_JOBS = (
    ("个体工商户", "个体（{c}便民超市）"), ("个体工商户", "个体（{c}早餐店）"), ("自由职业人员", ""),
    ("无固定职业人员", ""), ("社区工作人员", "{c}社区居委会社区专职工作者"), ("其他", ""),
)
INFLOW_JOBS = (
    ("外出务工经商人员", "北京顺丰速运有限公司快递员"), ("外出务工经商人员", "北京城建集团项目部施工员"),
    ("外出务工经商人员", "家政服务员"), ("个体工商户", "个体（{c}农贸市场摊位）"), (_W, "北京三快科技有限公司配送员"),
)
HOMES = ("河北省保定市阜平县", "河南省周口市郸城县", "山东省菏泽市曹县", "安徽省阜阳市临泉县", "四川省南充市仪陇县",
         "黑龙江省绥化市望奎县", "湖北省黄冈市麻城市")
NATIVE_PLACES = (
    ("北京市", 40), ("河北省保定市", 8), ("天津市", 5), ("山东省济南市", 6), ("河南省周口市", 6), ("山西省大同市", 4),
    ("辽宁省沈阳市", 4), ("黑龙江省哈尔滨市", 4), ("江苏省南京市", 4), ("浙江省宁波市", 3), ("湖北省武汉市", 4),
    ("湖南省长沙市", 3), ("四川省成都市", 4), ("安徽省阜阳市", 4), ("陕西省西安市", 3),
)
ETHNIC_WEIGHTS = (
    ("汉族", 920), ("满族", 30), ("回族", 25), ("蒙古族", 10), ("朝鲜族", 4), ("壮族", 3), ("土家族", 3), ("苗族", 2),
    ("藏族", 1), ("维吾尔族", 1), ("锡伯族", 1),
)
EDUCATION_BY_BIRTH_YEAR = (  # (born before, weights)
    (1950, (("小学及以下", 12), ("初中", 30), ("普通高中", 20), ("中等专科", 15), ("技工学校", 5), ("大学专科", 9),
            ("大学本科", 9))),
    (1965, (("初中", 14), ("普通高中", 18), ("中等专科", 14), ("技工学校", 5), ("职业高中", 4), ("大学专科", 20),
            ("大学本科", 21), ("硕士研究生", 4))),
    (1985, (("普通高中", 6), ("中等专科", 6), ("职业高中", 2), ("大学专科", 22), ("大学本科", 46), ("硕士研究生", 15),
            ("博士研究生", 3))),
    (10000, (("普通高中", 2), ("大学专科", 18), ("大学本科", 56), ("硕士研究生", 20), ("博士研究生", 4))),
)
DEGREES = {"大学本科": "学士", "硕士研究生": "硕士", "博士研究生": "博士"}
FLOATING_PLACES = ("广东省深圳市南山区", "上海市浦东新区", "浙江省杭州市余杭区", "江苏省苏州市工业园区", "海南省三亚市",
                   "天津市滨海新区", "四川省成都市高新区")
TRANSFER_TARGETS = ("中共北京市海淀区学院路街道工作委员会", "中共北京市通州区梨园镇委员会",
                    "中共河北省三河市燕郊高新区工作委员会", "中共天津市和平区南市街道工作委员会",
                    "中共北京市丰台区方庄街道工作委员会")
TRANSFER_REASONS = ("居住地迁出", "随子女迁居", "工作调动")
HARDSHIP_NOTES = ("低保户", "患重病，生活困难", "孤寡老人，独居", "残疾，收入低")
OUTSIDE_ESTATES = ("朝阳区望京西园", "朝阳区花家地北里", "朝阳区南湖东园", "朝阳区利泽西园", "东城区和平里东街")


@dataclass(frozen=True)
class DemoSummary:
    community_name: str
    organizations: int
    grids: int
    buildings: int
    members: int = 0
    floating: int = 0  # members away now (open outflow records)
    inflow: int = 0  # inflow members (流入党员), here or gone
    meetings: int = 0
    dues: int = 0  # payments (one member, one month)


@dataclass(frozen=True)
class _Person:
    name: str
    sex: str
    born: date
    kind: str


@dataclass(frozen=True)
class _Slot:
    """An organisation that takes members: what kind they are and where they live."""

    org_id: int
    kind: str  # grid, retired, firm, inflow, staff
    buildings: tuple[int, ...]
    weight: float


def _word_list(name: str) -> list[str]:
    return resource_path("demo", name).read_text(encoding="utf-8").split()


def _weighted(pairs) -> tuple[tuple, list[float]]:
    values, weights = zip(*pairs, strict=True)
    return values, list(accumulate(weights))


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


class _People:
    """Names, ID numbers and phones: realistic, valid and distinct, from one random stream."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.surnames = _word_list("surnames.txt")
        self.surname_weights = list(accumulate(1 / (rank + 8) for rank in range(len(self.surnames))))
        given = _word_list("given.txt")
        self.given: dict[tuple[str, str], list[str]] = {}
        for sex in ("男", "女"):
            same_sex = [g for g in given if (g in FEMALE_GIVEN) == (sex == "女")] or given
            for era in ("old", "mid", "young"):
                pool = [g for g in same_sex if (g not in OLD_GIVEN or era == "old")
                        and (g not in YOUNG_GIVEN or era == "young")]
                self.given[(sex, era)] = pool or same_sex
        self.used: set[str] = set()
        self.ids: set[str] = set()
        self.mobiles: set[str] = set()
        # Old enough to have joined at 18 and to have been confirmed a year later.
        self.latest_birth = add_years(today, -20) - timedelta(days=60)

    def name(self, sex: str, born: date, *, unique: bool = True) -> str:
        era = "old" if born.year < 1972 else "young" if born.year >= 1985 else "mid"
        pool = self.given[(sex, era)]
        tries = 30 if unique and len(self.used) < _UNIQUE_NAMES else 1
        for _ in range(tries):
            name = self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0] + self.rng.choice(pool)
            if name not in self.used:
                break
        if unique:
            self.used.add(name)
        return name

    def person(self, kind: str, *, name: str = "", sex: str = "") -> _Person:
        male_share, (low, high, mode), _ = KINDS[kind]
        sex = sex or ("男" if self.rng.random() < male_share else "女")
        age = self.rng.triangular(low, high, mode)
        born = min(self.today - timedelta(days=int(age * 365.25)), self.latest_birth)
        return _Person(name or self.name(sex, born), sex, born, kind)

    def holder(self, name: str, slot_kind: str) -> _Person:
        """The member who holds a committee post under a name already given: sex and age to suit it."""
        given = split_surname(name)[1]
        kind = slot_kind
        if slot_kind == "grid":  # branch committees and group leaders: retired or in service
            kind = "retired" if self.rng.random() < 0.5 else "working"
        if given in YOUNG_GIVEN and kind == "retired":
            kind = "staff"  # a young community worker leads the retired members' branch
        elif given in OLD_GIVEN and kind in ("working", "student"):
            kind = "retired"
        person = self.person(kind, name=name, sex="女" if given in FEMALE_GIVEN else "男")
        born, young, old = person.born, date(1985, 1, 1), date(1971, 12, 31)
        if given in YOUNG_GIVEN and born < young:  # a name of the 1980s and later
            born = young + timedelta(days=self.rng.randrange(max(1, (self.latest_birth - young).days)))
        elif given in OLD_GIVEN and born > old:  # a name of the 1970s and earlier
            born = old - timedelta(days=self.rng.randrange(15 * 365))
        return _Person(name, person.sex, born, kind)

    def id_number(self, born: date, sex: str, regions: tuple[str, ...] = REGIONS) -> str:
        while True:
            sequence = self.rng.randrange(100) * 10 + self.rng.randrange(1 if sex == "男" else 0, 10, 2)
            first17 = f"{self.rng.choice(regions)}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
            if first17 not in self.ids:
                self.ids.add(first17)
                return first17 + check_code(first17)

    def mobile(self) -> str:
        while True:
            number = f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number


class _Members:
    """Member rows for the organisations' slots, and their search keys, inserted in batches."""

    def __init__(self, session: Session, rng: random.Random, today: date, people: _People, community: str) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.people = people
        self.community = community
        short = community.removesuffix("社区")
        self.estate = short if short.endswith("里") else short + "小区"
        self.created = datetime.now().replace(microsecond=0)
        self.keys: dict[str, tuple[str, list[str]]] = {}  # name → (name_sort, search keys)
        self.rows: list[dict] = []
        self.key_rows: list[dict] = []
        self.left: list[tuple[int, str, str]] = []  # (id, 转出/死亡, detail) for the change log
        self.roster: list[tuple] = []  # the _ROSTER columns of every member, for the activity that follows
        self.count = 0
        self.native = _weighted(NATIVE_PLACES)
        self.ethnic = _weighted(ETHNIC_WEIGHTS)
        self.education = [(before, *_weighted(pairs)) for before, pairs in EDUCATION_BY_BIRTH_YEAR]
        self.grid_kinds = _weighted(GRID_KINDS)

    # ------------------------------------------------------------ one member

    def kind_for(self, slot: _Slot) -> str:
        if slot.kind == "grid":
            kinds, weights = self.grid_kinds
            return self.rng.choices(kinds, cum_weights=weights)[0]
        return slot.kind

    def add(self, member_id: int, person: _Person, slot: _Slot, *, post: str = "", tag: str = "") -> None:
        rng, today = self.rng, self.today
        kind, born, sex = person.kind, person.born, person.sex
        latest_join = today - timedelta(days=(3 * 365 if tag.startswith("lost") else 400))
        joined = self._joined(born, kind, latest_join)
        category, confirmed, extended = "正式党员", None, False
        note = ""
        if tag.startswith("probation"):
            category = "预备党员"
            days_ago = {"probation_due": 365 - rng.randint(7, 50), "probation_overdue": 365 + rng.randint(8, 20),
                        "probation_extended": rng.randint(420, 640)}.get(tag, rng.randint(20, 290))
            joined = today - timedelta(days=days_ago)
            extended = tag == "probation_extended"
            if extended:
                note = "预备期延长一年"
        elif rng.random() < 0.02:  # a probation extended once, then confirmed
            extended = True
            confirmed = min(add_years(joined, 1) + timedelta(days=rng.randint(183, 360)), add_years(joined, 2), today)
        else:
            confirmed = min(add_years(joined, 1) + timedelta(days=rng.randint(0, 30)), today)

        education = self._education(born, kind)
        degree = DEGREES.get(education, "") if rng.random() < 0.9 else ""
        if kind == "student" and education == "大学本科":
            degree = ""
        occupation, employer, report_unit = self._work(kind)
        work_started = None
        if kind != "student":
            work_started = min(add_years(born, rng.randint(17, 24)) + timedelta(days=rng.randrange(365)),
                               today - timedelta(days=30))
        surname = person.name[:1]
        ethnicity = "朝鲜族" if surname == "朴" else rng.choices(self.ethnic[0], cum_weights=self.ethnic[1])[0]
        native = rng.choices(self.native[0], cum_weights=self.native[1])[0]
        if kind == "inflow":
            home = rng.choice(HOMES)
            native = home[:home.index("市") + 1]
            note = f"流入党员，组织关系在{home}"
        landline = ""
        if kind == "retired" and rng.random() < 0.35:
            landline = f"010-{rng.choice('5689')}{rng.randrange(10**7):07d}"

        row = {
            "id": member_id, "org_id": slot.org_id, "name": person.name, "sex": sex,
            "id_number": "", "ethnicity": ethnicity, "birth_date": born, "native_place": native,
            "education": education, "degree": degree, "category": category, "joined_on": joined,
            "confirmed_on": confirmed, "probation_extended": extended, "occupation": occupation,
            "employer": employer, "work_started_on": work_started, "report_unit": report_unit, "party_post": post,
            "mobile": self.people.mobile(), "landline": landline, "address": self._address(slot, kind),
            "standing": "正常", "lost_contact": False, "lost_contact_on": None, "floating": False,
            "floating_destination": "", "in_hardship": False,
            "introducers": "、".join(self.people.name("男" if rng.random() < 0.6 else "女", born, unique=False)
                                    for _ in range(2)),
            "note": note, "status": "在册", "left_on": None, "left_reason": "", "transferred_to": "",
            "created_at": self.created, "updated_at": self.created,
        }
        row["id_number"] = self.people.id_number(born, sex)
        if tag:
            self._tagged(row, tag)
        name_sort, keys = self._keys(person.name)
        row["name_sort"] = name_sort
        row["id_reversed"] = row["id_number"][::-1]
        self.rows.append(row)
        self.key_rows.extend({"member_id": member_id, "key": key} for key in keys)
        self.roster.append(tuple(row[name] for name in _ROSTER))
        self.count += 1
        if len(self.rows) >= _BATCH:
            self.flush()

    def _joined(self, born: date, kind: str, latest: date) -> date:
        rng = self.rng
        earliest = add_years(born, 18) + timedelta(days=1)
        if latest < earliest:  # too young for an early-enough date: take the usual latest
            latest = self.today - timedelta(days=400)
        low, high, mode = KINDS[kind][2]
        joined = add_years(born, int(rng.triangular(low, high, mode))) + timedelta(days=rng.randrange(365))
        if rng.random() < 0.15:  # many join on 七一
            joined = date(joined.year, 7, 1)
        if not earliest <= joined <= latest:
            joined = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
        return joined

    def _education(self, born: date, kind: str) -> str:
        if kind == "student":
            return self.rng.choices(("大学本科", "硕士研究生", "博士研究生"), weights=(60, 32, 8))[0]
        for before, values, weights in self.education:
            if born.year < before:
                return self.rng.choices(values, cum_weights=weights)[0]
        raise AssertionError("unreachable")  # pragma: no cover

    def _work(self, kind: str) -> tuple[str, str, str]:
        """(工作岗位, 工作单位及职务, 报到单位)."""
        rng, c = self.rng, self.community.removesuffix("社区")
        if kind == "retired":
            return "离退休人员", f"{rng.choice(RETIRED_UNITS)}（退休）", ""
        if kind == "working":
            if rng.random() < 0.4:  # reports to the community from a public employer: 双报到
                unit, occupations, posts = rng.choice(PUBLIC_UNITS)
                return rng.choice(occupations), unit + rng.choice(posts), unit + "党委"
            unit, occupations, posts = rng.choice(WORK_UNITS)
            return rng.choice(occupations), unit + rng.choice(posts), ""
        if kind == "student":
            return "学生", f"{rng.choice(STUDENT_UNITS)}（在读）", ""
        if kind == "firm":
            unit, posts = rng.choice(FIRMS)
            post, occupation = rng.choice(posts)
            return occupation, unit + post, ""
        if kind == "inflow":
            occupation, employer = rng.choice(INFLOW_JOBS)
            return occupation, employer.format(c=c), ""
        if kind == "staff":
            return "社区工作人员", f"{c}社区居委会" + rng.choice(("主任", "副主任", "社区专职工作者")), ""
        occupation, employer = rng.choice(OTHER_JOBS)
        return occupation, employer.format(c=c), ""

    def _address(self, slot: _Slot, kind: str) -> str:
        rng = self.rng
        building = rng.choice(slot.buildings) if slot.buildings else rng.randint(1, 12)
        room = f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}"
        if kind == "firm" and rng.random() < 0.8:  # they work here and live elsewhere
            return f"北京市{rng.choice(OUTSIDE_ESTATES)}{rng.randint(1, 30)}号楼{room}"
        return f"{self.estate}{building}号楼{room}"

    def _tagged(self, row: dict, tag: str) -> None:
        rng, today = self.rng, self.today
        if tag == "floating":
            row["floating"] = True
            row["floating_destination"] = rng.choice(FLOATING_PLACES)
            if rng.random() < 0.5:
                row["occupation"], row["employer"], row["report_unit"] = "外出务工经商人员", "", ""
            row["note"] = "外出务工，每年向党组织报告一次"
        elif tag.startswith("lost"):
            row["lost_contact"] = True
            row["occupation"], row["employer"], row["report_unit"] = "无固定职业人员", "", ""
            if tag == "lost_stopped":
                row["lost_contact_on"] = today - timedelta(days=rng.randint(400, 600))
                row["standing"] = "停止党籍"
                row["note"] = "居住地改变，去向不明；失联满六个月，经支部党员大会讨论停止党籍"
            else:
                row["lost_contact_on"] = today - timedelta(days=rng.randint(190, 300))
                row["note"] = "外出务工经商，手机停机，多次联系未果"
        elif tag == "hardship":
            row["in_hardship"] = True
            row["note"] = rng.choice(HARDSHIP_NOTES)
        elif tag in ("moved", "died"):
            start = row["confirmed_on"] or row["joined_on"]
            left_on = max(today - timedelta(days=rng.randint(15, 700)), start + timedelta(days=1))
            row["status"], row["left_on"] = ("转出", left_on) if tag == "moved" else ("死亡", left_on)
            if tag == "moved":
                row["transferred_to"] = rng.choice(TRANSFER_TARGETS)
                row["left_reason"] = rng.choice(TRANSFER_REASONS)
                detail = f"{left_on:%Y-%m-%d}，转往{row['transferred_to']}，{row['left_reason']}"
            else:
                row["left_reason"] = "病故"
                detail = f"{left_on:%Y-%m-%d}，病故"
            self.left.append((row["id"], row["status"], detail))

    def _keys(self, name: str) -> tuple[str, list[str]]:
        found = self.keys.get(name)
        if found is None:
            found = ledger.derived_columns(name, "")["name_sort"], sorted(ledger._search_keys(name))
            self.keys[name] = found
        return found

    def flush(self) -> None:
        if self.rows:
            self.session.execute(insert(Member.__table__), self.rows)
            self.session.execute(insert(MemberSearchKey.__table__), self.key_rows)
        self.rows, self.key_rows = [], []


def is_empty(session: Session) -> bool:
    has_orgs = session.scalar(select(func.count()).select_from(Organization))
    return not has_orgs and not settings.load(session).configured


def _tags(total: int) -> list[str]:
    """Who gets which special status, in order of importance (a small ledger keeps the first)."""
    counts = (
        ("probation_due", max(3, round(total * 0.004))), ("probation_overdue", 1), ("moved", max(4, round(total * 0.012))),
        ("died", max(1, round(total * 0.003))), ("lost", max(1, total // 1000)),
        ("lost_stopped", max(1, total // 1000) if total >= 100 else 0),
        ("floating", max(3, round(total * 0.012))), ("hardship", max(3, round(total * 0.02))),
        ("probation_extended", 1 if total >= 100 else 0), ("probation", max(3, round(total * 0.024))),
    )
    return [tag for tag, n in counts for _ in range(n)]


# Which organisations a tagged member may belong to, and the kind of person it takes.
_TAG_SLOTS = {"probation": ("grid", "firm", "inflow"), "lost": ("grid",), "floating": ("grid",),
              "died": ("grid", "retired"), "hardship": ("grid", "retired")}


def build(session: Session, *, seed: int = 0, today: date | None = None, members: int = DEFAULT_MEMBERS) -> DemoSummary:
    """Fill an empty database with a sample community, its organisation tree and ``members`` members."""
    today = today or date.today()
    if not 0 <= members <= MAX_MEMBERS:
        raise AppError(f"示例党员人数应在 0 到 {MAX_MEMBERS} 之间。")
    if not is_empty(session):
        raise AppError("该数据库中已有数据，示例社区只能生成到空数据库中。请换一个新的文件名。")
    rng = random.Random(seed)  # the tree and its committee names, as before members were added
    names = _Names(rng)
    member_rng = random.Random(f"demo-members-{seed}")
    people = _People(member_rng, today)
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

    # (org_id, sort_order, role, name, slot kind) of every committee post, to give each a member record.
    posts: list[tuple[int, int, str, str, str]] = []

    def founded(years_ago_min: int, years_ago_max: int) -> date:
        return today - timedelta(days=rng.randint(365 * years_ago_min, 365 * years_ago_max))

    def add(parent: int | None, name: str, kind: str, place: str, start: date, roles: tuple[str, ...],
            people_kind: str, note: str = "") -> int:
        committee = tuple((role, names.person()) for role in roles)
        # 党小组 elect no committee, so they have no term to renew.
        term_end = None if kind == "党小组" else orgs.default_term_end(start)
        org_id, _ = orgs.create(
            session, parent, orgs.OrgInput(name, kind, start, term_end, place, note, committee), today=today
        )
        posts.extend((org_id, i, role, person, people_kind) for i, (role, person) in enumerate(committee))
        return org_id

    root = add(None, f"{community}党委", "党委", community, founded(2, 3),
               ("书记", "副书记", "组织委员", "宣传委员", "纪检委员"), "staff")
    grid_count = rng.randint(4, 6)
    grid_slots: list[tuple[int, list[int], list[int]]] = []  # (branch, group ids, building numbers)
    building = 0
    for g in range(grid_count):
        grid_name = f"第{CHINESE_NUMERALS[g]}网格"
        start = founded(1, 4)
        if g == 1:  # one term running out soon, so the 工作台 has a 换届 reminder to show
            start = orgs.default_term_end(today + timedelta(days=45), years=-orgs.DEFAULT_TERM_YEARS)
        branch = add(root, f"{grid_name}党支部", "党支部", grid_name, start, ("书记", "组织委员", "宣传委员"), "grid")
        groups, numbers = [], []
        for _ in range(rng.randint(2, 3)):
            building += 1
            numbers.append(building)
            groups.append(add(branch, f"{building}号楼党小组", "党小组", f"{grid_name}/{building}号楼", start,
                              ("组长",), "grid"))
        grid_slots.append((branch, groups, numbers))
    retired = add(root, "离退休党员党支部", "党支部", community, founded(3, 4), ("书记", "组织委员"), "retired",
                  "社区离退休党员组织关系所在支部")
    veterans = add(retired, "老干部党小组", "党小组", community, founded(1, 3), ("组长",), "retired")
    volunteers = add(retired, "银龄志愿党小组", "党小组", community, founded(1, 3), ("组长",), "retired")
    joint = add(root, "两新组织联合党支部", "联合党支部", "商务楼宇", founded(1, 3), ("书记", "组织委员"), "firm",
                "辖区非公企业和社会组织党员不足 3 人，联合组建")
    floating = add(root, "流动党员党支部", "党支部", community, founded(1, 2), ("书记",), "staff",
                   "流入党员就近参加组织生活")

    everywhere = tuple(range(1, building + 1))
    slots = [_Slot(root, "staff", everywhere, 0.0)]
    for branch, groups, numbers in grid_slots:
        share = 0.58 / grid_count
        slots.append(_Slot(branch, "grid", tuple(numbers), share * 0.35))
        slots.extend(_Slot(group, "grid", (n,), share * 0.65 / len(groups))
                     for group, n in zip(groups, numbers, strict=True))
    slots += [_Slot(retired, "retired", everywhere, 0.08), _Slot(veterans, "retired", everywhere, 0.06),
              _Slot(volunteers, "retired", everywhere, 0.06), _Slot(joint, "firm", everywhere, 0.12),
              _Slot(floating, "inflow", everywhere, 0.08)]
    by_org = {s.org_id: s for s in slots}

    people.used |= names.used
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # a larger page cache for the bulk inserts: a 100,000-member demo builds a fifth faster
        cache_size = session.execute(text("PRAGMA cache_size")).scalar()
        session.execute(text(f"PRAGMA cache_size=-{_BUILD_CACHE_KIB}"))
    try:
        added, roster = _add_members(session, member_rng, today, people, community, members, posts, slots, by_org)
        activity = _add_activity(session, seed, today, people, community, root, grid_slots,
                                 (retired, veterans, volunteers), joint, floating, roster)
        if added and sqlite:
            # Statistics for the query planner: without them SQLite walks the status index over the
            # whole ledger for every search keystroke instead of starting from the search key's matches.
            session.execute(text("ANALYZE"))
    finally:
        if sqlite:
            session.execute(text(f"PRAGMA cache_size={int(cache_size)}"))
    total = session.scalar(select(func.count()).select_from(Organization)) or 0
    return DemoSummary(community, total, grid_count, building, added, *activity)


def _add_activity(session: Session, seed: int, today: date, people: _People, community: str, root: int,
                  grid_slots: list, retired: tuple[int, int, int], joint: int, floating: int,
                  roster: list[tuple]) -> tuple[int, int, int, int]:
    """Floating and inflow members, meetings and dues, from a third random stream (see _Activity)."""
    if not roster:
        return 0, 0, 0, 0
    branches = [_Branch(branch, f"第{CHINESE_NUMERALS[g]}网格党支部", (branch, *groups),
                        f"第{CHINESE_NUMERALS[g]}网格党群服务站", tuple(numbers))
                for g, (branch, groups, numbers) in enumerate(grid_slots)]
    branches += [_Branch(retired[0], "离退休党员党支部", retired, "社区党群服务中心活动室"),
                 _Branch(joint, "两新组织联合党支部", (joint,), "商务楼宇党群服务站"),
                 _Branch(floating, "流动党员党支部", (floating,), "社区党群服务中心")]
    return _Activity(session, random.Random(f"demo-activity-{seed}"), today, people, community, root, branches,
                     roster).build()


def _add_members(session: Session, rng: random.Random, today: date, people: _People, community: str, total: int,
                 posts: list, slots: list[_Slot], by_org: dict[int, _Slot]) -> tuple[int, list[tuple]]:
    """The members, and their roster (the _ROSTER columns) for what follows."""
    if total == 0:
        return 0, []
    first_id = (session.scalar(select(func.max(Member.id))) or 0) + 1
    maker = _Members(session, rng, today, people, community)
    linked: dict[tuple[int, int], int] = {}
    member_id = first_id
    for org_id, order, role, name, kind in posts[:total]:  # every committee post held by a member
        maker.add(member_id, people.holder(name, kind), by_org[org_id], post=POSTS.get(role, ""))
        linked[(org_id, order)] = member_id
        member_id += 1

    weighted = [s for s in slots if s.weight > 0]
    cum = list(accumulate(s.weight for s in weighted))
    specials = SPECIAL_NAMES[:max(0, total - len(linked))]
    home = [s for s in weighted if s.kind in ("grid", "retired")]
    for name, sex in specials:
        slot = rng.choice(home)
        maker.add(member_id, people.person(maker.kind_for(slot), name=name, sex=sex), slot)
        member_id += 1

    regular = range(member_id, first_id + total)
    tags = _tags(total)[:len(regular)]
    tagged = dict(zip(rng.sample(regular, len(tags)), tags, strict=True))
    for member_id in regular:
        tag = tagged.get(member_id, "")
        if tag:
            allowed = _TAG_SLOTS.get(tag.split("_")[0])
            choices = [s for s in weighted if allowed is None or s.kind in allowed]
            slot = rng.choice(choices)
            kind = maker.kind_for(slot)
            if tag.startswith("probation") and kind in ("retired", "student"):
                kind = "working"
            elif tag == "died" or (tag == "hardship" and rng.random() < 0.7):
                kind = "retired"
        else:
            slot = weighted[rng.choices(range(len(weighted)), cum_weights=cum)[0]]
            kind = maker.kind_for(slot)
        maker.add(member_id, people.person(kind), slot, tag=tag)
    maker.flush()

    for post in session.scalars(select(CommitteeMember)):
        post.member_id = linked.get((post.org_id, post.sort_order))
    for left_id, kind, detail in maker.left:
        audit.log(session, "members", left_id, kind, detail)
    session.flush()
    return maker.count, maker.roster


# ---------------------------------------------------------------- 流动党员之家, 组织生活, 党费
#
# A third random stream, run after the members: the tree and the member rows stay what the first two
# streams make of a seed. It reads the ledger back and writes outflow records with their contact logs and
# 失联处置, inflow members, 组织生活 with attendance, 党费 and home services — then sets the ledger's
# 流动 / 失联 marks from those records. Nothing happens after ``today`` (a certificate's validity and an
# expected return are plans, and may lie later). Large ledgers keep fewer months of meetings and dues.

HISTORY_MONTHS = 18
_HISTORY_MEMBER_MONTHS = 200_000  # months × members of meetings and dues: 18 months up to 11,000 members
FLOATING_SHARE = 0.04  # of 在册 members away now
RETURNED_SHARE = 0.015  # of 在册 members back from an earlier period away
INFLOW_SHARE = 0.01
OFFICE = "社区党委办公室"
MIGRATED_NOTE = "由台账“是否流动党员”标记转入，外出日期等信息待补全"  # as migration 0005 writes it
LOST_MIGRATED_NOTE = "由台账“是否失联党员”标记转入，待确认"

# (province, city, districts, weight): where members go; the first seven hold the old 外出流向 of the ledger.
DESTINATIONS = (
    ("广东省", "深圳市", ("南山区", "宝安区", "龙岗区", "福田区"), 12),
    ("上海市", "浦东新区", ("张江镇", "川沙新镇", "陆家嘴街道"), 8),
    ("浙江省", "杭州市", ("余杭区", "滨江区", "西湖区"), 9),
    ("江苏省", "苏州市", ("工业园区", "昆山市", "吴中区"), 7),
    ("海南省", "三亚市", ("吉阳区", "天涯区", "海棠区"), 4),
    ("天津市", "滨海新区", ("泰达街道", "塘沽街道"), 6),
    ("四川省", "成都市", ("高新区", "武侯区", "双流区"), 5),
    ("广东省", "广州市", ("天河区", "白云区", "番禺区"), 7),
    ("广东省", "东莞市", ("长安镇", "虎门镇", "松山湖"), 4),
    ("浙江省", "宁波市", ("鄞州区", "北仑区"), 3),
    ("上海市", "闵行区", ("莘庄镇", "七宝镇"), 3),
    ("江苏省", "南京市", ("江宁区", "鼓楼区"), 3),
    ("河北省", "廊坊市", ("三河市", "固安县"), 5),
    ("湖北省", "武汉市", ("洪山区", "江夏区"), 3),
    ("山东省", "青岛市", ("黄岛区", "市南区"), 3),
    ("陕西省", "西安市", ("雁塔区", "长安区"), 2),
    ("重庆市", "渝北区", ("两路街道", "回兴街道"), 2),
    ("河南省", "郑州市", ("金水区", "郑东新区"), 2),
)
SNOWBIRD_PLACES = (("海南省", "三亚市", 5), ("海南省", "海口市", 2), ("广东省", "深圳市", 2), ("上海市", "浦东新区", 1),
                   ("广西壮族自治区", "北海市", 1))
SCHOOLS = (("浙江省", "杭州市", "浙江大学"), ("上海市", "杨浦区", "复旦大学"), ("江苏省", "南京市", "南京大学"),
           ("四川省", "成都市", "四川大学"), ("湖北省", "武汉市", "武汉大学"), ("广东省", "广州市", "中山大学"),
           ("陕西省", "西安市", "西安交通大学"), ("天津市", "南开区", "南开大学"))
TRADE_NAMES = "鹏程 宏达 恒通 华泰 新锐 远航 金桥 瑞丰 联创 德信 嘉禾 东升 汇通 永盛 天成 信达".split()
INDUSTRIES = ("电子科技有限公司", "建筑工程有限公司", "物流有限公司", "餐饮管理有限公司", "服装有限公司",
              "汽车零部件有限公司", "网络科技有限公司", "装饰工程有限公司", "贸易有限公司")
STREETS = ("科技园路", "创业路", "人民路", "解放路", "建设路", "新华路", "工业大道", "滨海大道")
OUTFLOW_REASON_NOTES = {"务工经商": "外出务工", "学习": "在外地学习", "随迁": "随子女在外地居住", "其他": "单位外派"}
# (county, its region code, the province's short name): the homes of inflow members.
INFLOW_HOMES = (
    ("河北省保定市阜平县", "130624", "冀"), ("河南省周口市郸城县", "411625", "豫"), ("山东省菏泽市曹县", "371721", "鲁"),
    ("安徽省阜阳市临泉县", "341221", "皖"), ("四川省南充市仪陇县", "511324", "川"), ("黑龙江省绥化市望奎县", "231221", "黑"),
    ("湖北省黄冈市麻城市", "421181", "鄂"), ("河南省驻马店市上蔡县", "411722", "豫"), ("甘肃省定西市通渭县", "621121", "甘"),
)
TOWNS = ("城关镇", "新集镇", "白马镇", "双楼乡", "胡集乡", "石桥镇", "龙泉镇", "李楼乡")
VILLAGES = ("王庄", "李楼", "张寨", "刘集", "陈湾", "赵庄", "孙营", "前进", "红旗", "新华", "杨庙", "后湾")
INFLOW_EMPLOYERS = ("北京顺丰速运有限公司", "北京城建集团项目部", "家政服务", "北京三快科技有限公司", "{c}农贸市场（个体）",
                    "北京安居物业管理有限公司", "北京惠民养老服务有限公司", "个体（{c}早餐店）")
ABSENCE_REASONS = ("因病请假", "工作冲突，已请假", "外出探亲", "照顾家人，已请假", "单位加班")
THEME_TOPICS = (
    "学习《中国共产党章程》", "学习《中国共产党支部工作条例（试行）》", "学习《中国共产党纪律处分条例》",
    "垃圾分类入户宣传志愿服务", "消防安全隐患排查", "社区环境整治志愿服务", "走访慰问困难党员和老党员",
    "防范电信网络诈骗宣传", "文明养犬宣传", "老旧小区加装电梯议事协商", "冬季供暖安全巡查",
    "学习身边的优秀共产党员事迹",
)
THEME_BY_MONTH = {3: "学雷锋志愿服务", 4: "清明祭英烈", 7: "庆祝中国共产党成立{party}周年，重温入党誓词",
                  9: "纪念中国人民抗日战争胜利{war}周年", 10: "国庆主题教育", 12: "国家宪法日宣传"}
LECTURES = ("党员的权利和义务", "弘扬伟大建党精神", "从党史中汲取奋进力量", "基层治理中的党员先锋作用",
            "严守党的纪律和规矩", "做合格党员，当好社区群众的贴心人")
ASSEMBLIES = ("通报上季度支部工作，研究本季度计划", "讨论发展党员和预备党员转正工作", "通报党费收缴情况",
              "研究社区志愿服务安排")
COMMITTEE_TOPICS = ("研究本月主题党日安排", "研究发展党员工作", "研究困难党员帮扶", "检查党费收缴情况",
                    "研究流动党员联系工作")
HOME_ACTIVITIES = {2: "春节返乡流动党员座谈会", 6: "流动党员之家“七一”主题活动", 9: "流入党员政策宣讲和技能培训",
                   12: "流入党员年终座谈会"}
# kind → ((content, provider, result), …) for floating members and for inflow members
SERVICES_OUT = {
    "法律援助": (("在{city}务工被拖欠工资，提供维权咨询", "北京明德律师事务所", "已通过劳动仲裁追回工资"),),
    "生活救助": (("春节前走访留守家属，送去慰问金 500 元", "社区党委", "已发放"),),
    "技能培训": (("推荐参加线上电商运营培训", "朝阳区人力资源公共服务中心", "已结业"),),
    "就业推荐": (("返京后推荐到北京智联云科技有限公司应聘", "社区党群服务中心", "已入职"),),
    "其他服务": (("协助办理流动党员活动证", "社区党委", "已办结"),),
}
SERVICES_IN = {
    "就业推荐": (("推荐到北京惠民养老服务有限公司应聘护理员", "社区党群服务中心", "已入职"),
             ("推荐到北京安居物业管理有限公司应聘维修工", "社区党群服务中心", "未录用，继续推荐")),
    "技能培训": (("组织参加育婴员职业技能培训", "朝阳区人力资源公共服务中心", "已取得证书"),
             ("组织参加电工上岗培训", "朝阳区人力资源公共服务中心", "已结业")),
    "法律援助": (("租房合同纠纷法律咨询", "北京明德律师事务所", "已调解"),),
    "生活救助": (("子女入学政策咨询，协助准备借读材料", "社区居委会", "已办结"),
             ("家人患病，协助申请临时救助", "街道社会保障所", "已发放临时救助金")),
    "其他服务": (("协助办理居住证", "社区居委会", "已办结"),),
}


@dataclass(frozen=True)
class _Branch:
    org_id: int
    name: str
    orgs: tuple[int, ...]  # the branch and its 党小组
    place: str  # where it meets
    buildings: tuple[int, ...] = ()  # a grid branch's buildings: its inflow members live there


def _history_months(members: int) -> int:
    return max(2, min(HISTORY_MONTHS, _HISTORY_MEMBER_MONTHS // max(members, 1)))


def _in_month(first: date, day: int) -> date:
    return first.replace(day=min(day, calendar.monthrange(first.year, first.month)[1]))


class _Who:
    """A ledger member as the third stream reads them, and what it plans for them."""

    __slots__ = ("id", "org_id", "branch", "status", "joined", "left_on", "occupation", "post", "hardship",
                 "old_floating", "old_destination", "lost_on", "stopped", "born", "category",
                 "away", "gaps", "lapse_from", "arrears_from", "outside")

    def __init__(self, row, branch: int) -> None:
        (self.id, self.org_id, self.status, self.joined, self.left_on, self.occupation, self.post, self.hardship,
         self.old_floating, self.old_destination, self.lost_on, standing, self.born, self.category) = row
        self.branch = branch
        self.stopped = standing == "停止党籍"
        self.away: tuple[tuple[date, date | None, str, bool], ...] = ()  # (left, returned, absence reason, pays there)
        self.gaps: tuple[tuple[date, date], ...] = ()  # days (first, last) the organisation could not reach them
        self.lapse_from: date | None = None  # from this day: no 组织生活 and no dues (自行脱党 line)
        self.arrears_from: date | None = None  # dues unpaid from this month on
        self.outside = ""  # where they are while away, for the contact log

    def away_on(self, day: date) -> tuple[str, bool] | None:
        for left, back, reason, pays_there in self.away:
            if left <= day and (back is None or day < back):
                return reason, pays_there
        return None

    def reachable(self, day: date) -> bool:
        return not any(first <= day <= last for first, last in self.gaps)


class _Writer:
    """Rows for the activity tables, inserted in batches and in an order the foreign keys accept; each
    entered (``created_at``) on the day it happened, or the day the meetings and dues kept begin for older
    facts."""

    ORDER = (FloatingRecord, ContactLog, LostContactEvent, InflowMember, Meeting, MeetingAttendee, DuesPayment,
             HomeService)
    DAY = {FloatingRecord: "left_on", ContactLog: "contacted_on", LostContactEvent: "happened_on",
           InflowMember: "arrived_on", Meeting: "held_on", DuesPayment: "paid_on", HomeService: "served_on"}

    def __init__(self, session: Session, began: date) -> None:
        self.session = session
        self.began = began
        self.stamps: dict[date, datetime] = {}
        self.rows: dict[type, list[dict]] = {model: [] for model in self.ORDER}
        self.counts: dict[type, int] = dict.fromkeys(self.ORDER, 0)

    def stamp(self, day: date) -> datetime:
        found = self.stamps.get(day)
        if found is None:
            found = self.stamps[day] = datetime.combine(max(day, self.began), time(9))
        return found

    def add(self, model: type, row: dict) -> None:
        rows = self.rows[model]
        rows.append(row)
        self.counts[model] += 1
        if len(rows) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows[model]
            if rows:
                if model in self.DAY:
                    key = self.DAY[model]
                    for row in rows:
                        row["created_at"] = self.stamp(row[key])
                self._insert(model.__table__, rows)
                self.rows[model] = []

    def _insert(self, table, rows: list[dict]) -> None:
        """Core ``INSERT``; on SQLite straight to the driver with the columns' own bind processors (the
        same stored values, at a third of the cost for the hundreds of thousands of rows of a large demo)."""
        connection = self.session.connection()
        dialect = connection.dialect
        if dialect.name != "sqlite":
            connection.execute(insert(table), rows)
            return
        keys = list(rows[0])
        process = [table.c[key].type.bind_processor(dialect) for key in keys]
        sql = f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"
        connection.exec_driver_sql(sql, [tuple(p(row[k]) if p else row[k] for k, p in zip(keys, process, strict=True))
                                         for row in rows])


class _Activity:
    """Floating and inflow members, 组织生活 and 党费 of the demo ledger, from one random stream."""

    def __init__(self, session: Session, rng: random.Random, today: date, people: _People, community: str,
                 root: int, branches: list[_Branch], roster: list[tuple]) -> None:
        self.session, self.rng, self.today = session, rng, today
        short = community.removesuffix("社区")
        self.short = short
        self.estate = short if short.endswith("里") else short + "小区"
        self.root, self.branches = root, branches
        self.people = _People(rng, today)  # the same generator, sharing what the members took
        self.people.used, self.people.ids, self.people.mobiles = people.used, people.ids, people.mobiles
        self.roster = roster
        self.months_kept = _history_months(len(roster))
        this_month = today.replace(day=1)
        self.began = add_months(this_month, -(HISTORY_MONTHS - 1))  # the day the records began
        self.start = add_months(this_month, -(self.months_kept - 1))  # meetings and dues from here
        self.months = [add_months(self.start, i) for i in range(self.months_kept)]
        self.out = _Writer(session, self.start)
        self.destinations = _weighted((d, d[3]) for d in DESTINATIONS)
        self.snowbird = _weighted(((p, c), w) for p, c, w in SNOWBIRD_PLACES)
        self.scenario: dict[int, str] = {}  # member id → 正常 / 即将失联 / … of the open record
        self.open: dict[int, tuple[str, str]] = {}  # member id → (province, city) of the open record
        self.inflow: list[tuple[int, int, date, date | None]] = []  # (id, host org, arrived, left)
        self.expired = 0  # open records with an expired 流动党员活动证
        self.theme_days: dict[tuple[int, date], date] = {}  # (member, month) → 主题党日 attended: dues paid there
        # Days that, as the last day reached, make a member 即将失联 / 待联系 / 失联 (with room for an attempt).
        back = [today - timedelta(days=k) for k in range(140, 420)]
        self.soon_days = [d for d in back if add_months(d, 5) <= today < add_months(d, LOST_MONTHS)]
        self.due_days = [d for d in back if 190 <= (today - d).days < 330 and add_months(d, LOST_MONTHS) <= today]
        self.lost_days = [d for d in back if (today - d).days >= 200
                          and add_months(d, LOST_MONTHS) + timedelta(days=5) <= today]

    def _day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    # ------------------------------------------------------------ the ledger as written

    def build(self) -> tuple[int, int, int, int]:
        self._read_ledger()
        self._outflows()
        self._arrears()
        self._inflow_members()
        meetings = self._meetings()
        self._dues()
        self._services()
        self.out.flush()
        self._ledger_marks()
        return (len(self.open), self.out.counts[InflowMember], meetings, self.out.counts[DuesPayment])

    def _read_ledger(self) -> None:
        branch_of = {org: b.org_id for b in self.branches for org in b.orgs}
        self.everyone = [_Who(row, branch_of.get(row[1], self.root)) for row in self.roster]
        self.by_id = {w.id: w for w in self.everyone}
        self.committee: dict[int, list[tuple[str, str, int | None]]] = {}
        for org_id, role, name, member_id in self.session.execute(
            select(CommitteeMember.org_id, CommitteeMember.role, CommitteeMember.name, CommitteeMember.member_id)
            .order_by(CommitteeMember.org_id, CommitteeMember.sort_order)
        ):
            self.committee.setdefault(org_id, []).append((role, name, member_id))
        self.clerk = {}  # branch → who keeps its records (组织委员, else 书记)
        for org_id, posts in self.committee.items():
            names = dict((role, name) for role, name, _ in posts)
            self.clerk[org_id] = names.get("组织委员") or names.get("书记") or OFFICE

    # ------------------------------------------------------------ 外出: records, contacts, 失联处置

    def _outflows(self) -> None:
        rng, today = self.rng, self.today
        present = [w for w in self.everyone if w.status == "在册"]
        lost = [w for w in present if w.lost_on is not None]
        old = [w for w in present if w.old_floating and w.lost_on is None]
        floating_branch = self.branches[-1].org_id
        weights = {"离退休人员": 0.6, "学生": 1.0, "外出务工经商人员": 6.0, "无固定职业人员": 3.0}
        candidates = [w for w in present if not w.post and w.lost_on is None and not w.old_floating
                      and w.category == "正式党员" and w.branch != floating_branch and w.branch != self.root
                      and w.joined <= today - timedelta(days=400)]
        wanted = max(3, round(len(present) * FLOATING_SHARE)) - len(old) - len(lost)
        keyed = sorted(candidates, key=lambda w: rng.random() ** (1 / weights.get(w.occupation, 2.0)), reverse=True)
        chosen = keyed[:max(wanted, 0)]
        for i, occupation in enumerate(("离退休人员", "学生")):  # one away 随迁 and one 学习 at least
            if len(chosen) > 4 and not any(w.occupation == occupation for w in chosen):
                chosen[-1 - i] = next((w for w in keyed if w.occupation == occupation), chosen[-1 - i])
        rest = [w for w in keyed if w not in chosen]
        away = sorted(old + chosen, key=lambda w: w.id)
        returned = rest[:max(2, round(len(present) * RETURNED_SHARE))]

        order = away[:]
        rng.shuffle(order)
        n = len(order)
        plan = (["即将失联"] * max(1, round(n * 0.08)) + ["待联系"] * max(1, round(n * 0.06))
                + ["失联"] * max(1, round(n * 0.06)) + ["新外出"] * max(1, round(n * 0.08))
                + ["重新纳入"] * max(1, n // 200))
        scenarios = plan[:n] + ["正常"] * (n - len(plan))
        incomplete = {w.id for i, w in enumerate(w for w in away if w.old_floating) if i % 2 == 0}
        no_report = set()
        for w, scenario in zip(order, scenarios, strict=True):
            if w.id in incomplete and scenario in ("新外出", "重新纳入"):
                scenario = "正常"
            if scenario == "正常" and rng.random() < 0.2:
                no_report.add(w.id)
            self.scenario[w.id] = scenario
        normal = [w for w in away if self.scenario[w.id] == "正常"]
        if normal and not no_report:
            no_report.add(normal[0].id)
        searched = [w for w in away if self.scenario[w.id] == "失联"][:max(1, n // 30)]

        for w in away:
            self._away_now(w, self.scenario[w.id], w.id in incomplete, w.id in no_report, w in searched)
        for i, w in enumerate(lost):
            self._lost_member(w, migrated=i % 2 == 1 and not w.stopped)
        for w in sorted(returned, key=lambda w: w.id):
            left = max(today - timedelta(days=rng.randint(200, 6 * 365)), w.joined + timedelta(days=30))
            back = min(left + timedelta(days=rng.randint(150, 1000)), today - timedelta(days=rng.randint(5, 60)))
            if back > left:
                self._period(w, left, back)

    def _place(self, reason: str, old: str = "") -> tuple[str, str, str, str, str]:
        """(province, city, district, address, employer or school) of a period away; ``old`` is a 外出流向
        the ledger already shows ("广东省深圳市南山区"), kept as the place."""
        rng = self.rng
        street = f"{rng.choice(STREETS)}{rng.randint(1, 300)}号"
        if reason == "学习":
            province, city, school = rng.choice(SCHOOLS)
            return province, city, "", f"{school}研究生公寓", school
        if reason == "随迁":
            places, weights = self.snowbird
            province, city = rng.choices(places, cum_weights=weights)[0]
            return province, city, "", street + rng.choice(("小区", "花园")), ""
        places, weights = self.destinations
        province, city, districts, _ = rng.choices(places, cum_weights=weights)[0]
        district = rng.choice(districts)
        if old:
            province, city, districts, _ = next((d for d in DESTINATIONS if old.startswith(d[0] + d[1])),
                                                (province, city, districts, 0))
            district = old.removeprefix(province + city) or district
        stem = province.removesuffix("市") if province in ("上海市", "天津市", "重庆市") else city.removesuffix("市")
        employer = f"{stem}{rng.choice(TRADE_NAMES)}{rng.choice(INDUSTRIES)}"
        return province, city, district, district + street, employer

    def _reason(self, w: _Who) -> str:
        if w.occupation == "离退休人员":
            return "随迁"
        if w.occupation == "学生":
            return "学习"
        return "其他" if self.rng.random() < 0.12 and w.occupation.startswith("公有经济") else "务工经商"

    def _record_row(self, w: _Who, left: date, returned: date | None, *, incomplete: bool = False) -> dict:
        rng, today = self.rng, self.today
        if incomplete:  # carried over from the ledger's plain mark: only the place is known
            old = w.old_destination
            province, city = next(((p, c) for p, c, _d, _w in DESTINATIONS if old.startswith(p + c)), ("", old))
            w.outside = f"在{old}"
            return dict(member_id=w.id, destination_province=province, destination_city=city,
                        destination_address=old, employer="", reason="", left_on=left, expected_return_on=None,
                        returned_on=returned, host_org="", host_contact="", management_mode="", certificate_no="",
                        certificate_issued_on=None, certificate_valid_until=None, incomplete=True, note=MIGRATED_NOTE)
        old = w.old_destination if w.old_floating and returned is None else ""  # the ledger's 外出流向 stays
        reason = "务工经商" if old else self._reason(w)
        province, city, district, address, employer = self._place(reason, old)
        mode = rng.choices(DEFAULT_MODES, weights=(50, 25, 25))[0]
        host = host_contact = ""
        if mode != "流出地直管" or rng.random() < 0.3:
            town = province if province in ("上海市", "天津市", "重庆市") else ""
            host = (f"{employer}党支部" if employer and rng.random() < 0.4
                    else f"{town}{city}{district}流动党员党支部")[:100]
            host_contact = f"{rng.choice(self.people.surnames)}书记 {self.people.mobile()}"
        certificate_no, issued, valid_until = "", None, None
        if rng.random() < 0.4:  # 流动党员活动证: valid two years, renewed while away — except a few
            issued = min(left + timedelta(days=rng.randint(-20, 20)), today)
            valid_until = add_years(issued, 2) - timedelta(days=1)
            expired = returned is None and (not self.expired or rng.random() < 0.15)
            if valid_until < today and (returned is None and not expired):
                issued = today - timedelta(days=rng.randint(10, 600))
                valid_until = add_years(issued, 2) - timedelta(days=1)
            elif valid_until >= today and expired and add_years(issued, 1) <= today:
                valid_until = add_years(issued, 1) - timedelta(days=1)  # a one-year certificate, run out
            self.expired += returned is None and valid_until < today
            certificate_no = f"{self.short}流证〔{issued.year}〕{rng.randint(1, 300):03d}号"
        expected = None
        if reason == "学习":
            expected = date(left.year + rng.choice((2, 3)), 7, 1)
        elif reason == "其他":
            expected = add_years(left, 1)
        w.outside = f"在{city}" + (f"{employer}" if employer else "")
        note = "单位外派" if reason == "其他" else "春节返京期间参加了支部主题党日" if rng.random() < 0.1 else ""
        return dict(member_id=w.id, destination_province=province, destination_city=city,
                    destination_address=address[:200], employer=employer[:100], reason=reason, left_on=left,
                    expected_return_on=expected, returned_on=returned, host_org=host, host_contact=host_contact,
                    management_mode=mode, certificate_no=certificate_no, certificate_issued_on=issued,
                    certificate_valid_until=valid_until, incomplete=False, note=note)

    def _period(self, w: _Who, left: date, back: date | None, *, incomplete: bool = False) -> dict:
        """One period away: its record and the contacts while away (for a closed period)."""
        row = self._record_row(w, left, back, incomplete=incomplete)
        self.out.add(FloatingRecord, row)
        pays_there = bool(row["certificate_no"]) or row["management_mode"] == "流入地代管"
        w.away += ((left, back, OUTFLOW_REASON_NOTES.get(row["reason"], "外出流动"), pays_there),)
        if back is not None:
            self._contacts(w, left, back - timedelta(days=1), reached_at=None, reports=False)
        return row

    def _away_now(self, w: _Who, scenario: str, incomplete: bool, no_report: bool, searched: bool) -> None:
        rng, today = self.rng, self.today
        if scenario == "即将失联":
            reached = rng.choice(self.soon_days)
        elif scenario == "待联系":
            reached = rng.choice(self.due_days)
        elif scenario == "失联":
            reached = rng.choice(self.lost_days)
        elif scenario == "重新纳入":
            reached = today - timedelta(days=rng.randint(330, 420))
        else:
            reached = None
        if incomplete:
            left = self.began
        elif scenario == "新外出":
            left = today - timedelta(days=rng.randint(10, 130))
        elif reached is None:
            left = today - timedelta(days=int(rng.triangular(150, 6 * 365, 500)))
        else:
            left = reached - timedelta(days=rng.randint(30, 900))
        left = max(left, w.joined + timedelta(days=30))
        if reached is not None and reached < left:
            reached = left  # nobody reached them since they left
        if rng.random() < 0.12:  # away before, back, and away again
            back = left - timedelta(days=rng.randint(60, 400))
            first = back - timedelta(days=rng.randint(180, 900))
            if first > w.joined + timedelta(days=30):
                self._period(w, first, back)
        row = self._period(w, left, None, incomplete=incomplete)
        self.open[w.id] = (row["destination_province"], row["destination_city"])
        if scenario in ("正常", "新外出"):
            self._contacts(w, left, today, reached_at=None, reports=not no_report, recent=scenario == "正常")
            return
        if scenario == "重新纳入":
            self._found_again(w, left, reached)
            return
        # Reached last on ``reached``: nothing reaches them after it (no contact, meeting or dues).
        if reached > left:
            self._contacts(w, left, reached, reached_at=reached, reports=True)
        w.gaps += ((reached + timedelta(days=1), today),)
        crossed = add_months(reached, LOST_MONTHS)
        if scenario == "即将失联":
            for _ in range(rng.randint(0, 2)):
                self._contact(w, self._day(reached + timedelta(days=20), today), False)
        elif scenario == "失联":
            self._contact(w, self._day(crossed, today), False)
            for _ in range(rng.randint(1, 3)):
                self._contact(w, self._day(reached + timedelta(days=15), today), False)
            if searched:
                for step, note in enumerate(("联系其家属，家属称已半年多未与家里联系", "请流入地社区党组织协助查找")):
                    self._event(w, "寻找", self._day(crossed + timedelta(days=step * 20), today), note)

    def _found_again(self, w: _Who, left: date, reached: date) -> None:
        """Lost, established as 失联, then found again (重新纳入管理): the clock restarts that day."""
        rng, today = self.rng, self.today
        found = today - timedelta(days=rng.randint(20, 80))
        crossed = add_months(reached, LOST_MONTHS)
        confirmed = min(crossed + timedelta(days=rng.randint(20, 50)), found - timedelta(days=15))
        if reached > left:
            self._contacts(w, left, reached, reached_at=reached, reports=True)
        w.gaps += ((reached + timedelta(days=1), found - timedelta(days=1)),)
        for _ in range(rng.randint(2, 3)):
            self._contact(w, self._day(reached + timedelta(days=15), confirmed), False)
        self._event(w, "寻找", self._day(crossed, confirmed - timedelta(days=5)), "走访其家属，家属也联系不上本人")
        self._event(w, "确认失联", confirmed, "经支部委员会研究，认定为失联党员")
        self._event(w, "重新纳入管理", found, "本人主动与支部取得联系，说明外出情况，恢复正常联系")
        self._contact(w, found, True, channel="电话", summary="本人来电说明情况，已更新联系方式，恢复正常联系")
        self._contacts(w, found + timedelta(days=1), today, reached_at=None, reports=False)

    def _lost_member(self, w: _Who, *, migrated: bool) -> None:
        """A member the ledger marks 失联 (lost_contact_on): away, unreachable, 失联 established that day
        (``migrated``: carried over from the old plain flag, to be confirmed), 党籍 stopped when the
        ledger says so."""
        rng, today = self.rng, self.today
        reached = add_months(w.lost_on, -LOST_MONTHS) - timedelta(days=rng.randint(10, 90))
        left = max(reached - timedelta(days=rng.randint(60, 700)), w.joined + timedelta(days=30))
        reached = max(reached, left)
        row = self._period(w, left, None)
        self.open[w.id] = (row["destination_province"], row["destination_city"])
        self.scenario[w.id] = "失联"
        if reached > left:
            self._contacts(w, left, reached, reached_at=reached, reports=True)
        w.gaps += ((reached + timedelta(days=1), today),)
        self._contact(w, self._day(reached + timedelta(days=15), w.lost_on - timedelta(days=1)), False)
        for _ in range(rng.randint(1, 3)):
            self._contact(w, self._day(reached + timedelta(days=15), today), False)
        if migrated:
            self._event(w, "确认失联", w.lost_on, LOST_MIGRATED_NOTE, to_confirm=True)
            return
        crossed = add_months(reached, LOST_MONTHS)
        self._event(w, "寻找", self._day(crossed, w.lost_on - timedelta(days=1)), "联系其家属，家属称手机已停机，不知去向")
        self._event(w, "确认失联", w.lost_on, "经支部委员会研究，认定为失联党员")
        if w.stopped:
            self._event(w, "停止党籍", self._day(w.lost_on + timedelta(days=20), w.lost_on + timedelta(days=90)),
                        "失联满六个月，经支部党员大会讨论，停止其党籍")

    def _event(self, w: _Who, kind: str, day: date, note: str, *, to_confirm: bool = False) -> None:
        self.out.add(LostContactEvent, dict(member_id=w.id, kind=kind, happened_on=min(day, self.today), note=note,
                                            made_by=self.clerk.get(w.branch, OFFICE), to_confirm=to_confirm))

    def _contact(self, w: _Who, day: date, reached: bool, *, channel: str = "", summary: str = "",
                 report: bool = False) -> None:
        rng = self.rng
        channel = channel or rng.choices(CHANNELS[:3], weights=(50, 40, 10))[0]
        if not summary:
            if reached:
                summary = {
                    "电话": rng.choice((f"电话联系本人，{w.outside}，身体和工作情况良好",
                                      "电话联系，提醒按时交纳党费、参加线上学习", "电话联系，了解近况，无特殊困难")),
                    "微信": rng.choice(("微信联系，转发支部学习资料，本人已学习", "微信视频通话，了解工作生活情况",
                                      "微信联系，通报支部近期活动安排")),
                    "走访": "返京期间上门走访，面谈思想和工作情况",
                    "来信": "来信汇报近期思想、工作情况",
                }[channel]
            else:
                summary = rng.choice({"电话": ("电话无人接听", "电话关机", "电话提示号码已停机"),
                                      "微信": ("微信消息未回复", "微信语音未接通"),
                                      "走访": ("上门走访，家中无人", "走访家属，家属称近期也联系不上本人"),
                                      "来信": ("去信未收到回复",)}[channel])
        self.out.add(ContactLog, dict(member_id=w.id, contacted_on=day, channel=channel,
                                      made_by=self.clerk.get(w.branch, OFFICE), reached=reached, summary=summary,
                                      is_report=report))

    def _contacts(self, w: _Who, left: date, until: date, *, reached_at: date | None, reports: bool,
                  recent: bool = False) -> None:
        """A contact log from ``left`` to ``until``: every month or two, mostly reached; with ``reached_at``
        the last success is that day; ``recent`` makes sure one falls within the last four months;
        ``reports`` adds the yearly report to the organisation, this year's included."""
        rng, today = self.rng, self.today
        last_ok = reached_at - timedelta(days=1) if reached_at else until
        day = max(left + timedelta(days=rng.randint(5, 45)), today - timedelta(days=730))
        latest = None
        while day <= last_ok:
            ok = rng.random() < 0.85
            self._contact(w, day, ok)
            if ok:
                latest = day
            elif (retry := day + timedelta(days=rng.randint(1, 10))) <= last_ok:
                self._contact(w, retry, True, channel="微信")
                latest = retry
            day += timedelta(days=rng.randint(25, 80))
        if reached_at is not None:
            self._contact(w, reached_at, True)
        elif recent and (latest is None or latest < today - timedelta(days=120)):
            self._contact(w, self._day(max(left, today - timedelta(days=100)), today - timedelta(days=2)), True)
        end = reached_at or until
        for year in range(max(left.year, today.year - 2), end.year + 1):
            if year == today.year and not reports:
                continue
            first, last = max(left + timedelta(days=10), date(year, 1, 1)), min(end, date(year, 12, 31))
            if first <= last and (year == today.year or rng.random() < 0.85):
                channel = rng.choice(("来信", "微信"))
                summary = "来信汇报思想、工作情况" if channel == "来信" else "通过微信提交书面思想汇报"
                self._contact(w, self._day(first, last), True, channel=channel, summary=summary, report=True)

    # ------------------------------------------------------------ arrears and the 自行脱党 line

    def _arrears(self) -> None:
        rng, today = self.rng, self.today
        settled = [w for w in self.everyone if w.status == "在册" and w.id not in self.open and not w.post
                   and w.lost_on is None and not w.away]
        chosen = rng.sample(settled, min(len(settled), max(3, round(len(settled) * 0.02))))
        for i, w in enumerate(chosen):
            if i < max(2, len(chosen) // 5):  # neither meetings nor dues for five to seven months
                w.lapse_from = today - timedelta(days=rng.randint(150, 215))
            else:
                w.arrears_from = add_months(today.replace(day=1), -rng.randint(1, 4))

    # ------------------------------------------------------------ 流入党员

    def _inflow_members(self) -> None:
        rng, today, people = self.rng, self.today, self.people
        grids = [b for b in self.branches if b.buildings]
        count = max(6, round(len(self.everyone) * INFLOW_SHARE))
        first_id = (self.session.scalar(select(func.max(InflowMember.id))) or 0) + 1
        c = self.short
        for inflow_id in range(first_id, first_id + count):
            person = people.person("inflow")
            home, region, abbr = rng.choice(INFLOW_HOMES)
            arrived = today - timedelta(days=rng.randint(20, 6 * 365))
            left = None
            if (rng.random() < 0.1 or inflow_id == first_id + 4) and (today - arrived).days > 90:  # moved on
                left = self._day(arrived + timedelta(days=60), today - timedelta(days=5))
            kinds = ("流动党员活动证", "组织关系介绍信", "其他证明", "无")  # each at least once, then by weight
            kind = (kinds[inflow_id - first_id] if inflow_id - first_id < len(kinds)
                    else rng.choices(kinds, weights=(45, 15, 10, 30))[0])
            number, valid_until = "", None
            if kind == "流动党员活动证":
                issued = arrived - timedelta(days=rng.randint(0, 60))
                valid_until = add_years(issued, rng.choice((1, 2, 3))) - timedelta(days=1)
                number = f"{abbr}流证〔{issued.year}〕{rng.randint(1, 999):03d}号"
                if valid_until < arrived:
                    valid_until = add_years(arrived, 1)
            elif kind == "组织关系介绍信":
                number = f"介字第{rng.randint(1, 200)}号"
            grid = rng.choice(grids)
            building = rng.choice(grid.buildings)
            unit = rng.randint(1, 4)
            name = person.name
            self.out.add(InflowMember, dict(
                id=inflow_id, name=name, name_sort=ledger.derived_columns(name, "")["name_sort"], sex=person.sex,
                id_number=people.id_number(person.born, person.sex, (region,)),
                category=rng.choices(("正式党员", "预备党员", ""), weights=(85, 5, 10))[0], mobile=people.mobile(),
                home_org=f"{home}{rng.choice(TOWNS)}{rng.choice(VILLAGES)}村党支部",
                home_org_contact=f"{rng.choice(people.surnames)}书记 {people.mobile()}", arrived_on=arrived,
                certificate_kind=kind, certificate_no=number, certificate_valid_until=valid_until,
                host_org_id=grid.org_id, building=f"{building}号楼", unit=f"{unit}单元",
                address=f"{self.estate}{building}号楼{unit}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}",
                employer=rng.choice(INFLOW_EMPLOYERS).format(c=c), left_on=left,
                left_reason=rng.choice(("返回原籍", "工作变动，离开北京")) if left else "", note="",
                updated_at=self.out.stamp(left or arrived),
            ))
            self.inflow.append((inflow_id, grid.org_id, arrived, left))

    # ------------------------------------------------------------ 组织生活

    def _meetings(self) -> int:
        rng, today = self.rng, self.today
        next_id = (self.session.scalar(select(func.max(Meeting.id))) or 0) + 1
        members_of: dict[int, list[_Who]] = {}
        for w in self.everyone:
            if w.status == "在册":
                members_of.setdefault(w.branch, []).append(w)
        hosted: dict[int, list[tuple[int, date, date | None]]] = {}
        for inflow_id, host, arrived, left in self.inflow:
            hosted.setdefault(host, []).append((inflow_id, arrived, left))
        meetings: list[tuple[date, int, str, str, str]] = []  # (day, org, kind, topic, place)
        for branch in self.branches:
            theme_day = rng.randint(8, 25)
            for month in self.months:
                theme = month.replace(day=theme_day)
                party, war = month.year - 1921, month.year - 1945
                topic = THEME_BY_MONTH.get(month.month, rng.choice(THEME_TOPICS)).format(party=party, war=war)
                meetings.append((month.replace(day=theme_day - rng.randint(2, 6)), branch.org_id, "支部委员会",
                                 rng.choice(COMMITTEE_TOPICS), branch.place))
                meetings.append((theme, branch.org_id, "主题党日", topic, branch.place))
                if month.month in (3, 6, 9, 12):
                    lecturer = "书记讲党课：" if month.month == 6 else "党课："
                    meetings.append((theme, branch.org_id, "党课", lecturer + rng.choice(LECTURES), branch.place))
                if month.month in (2, 5, 8, 11):
                    meetings.append((_in_month(month, theme_day + 3), branch.org_id, "支部党员大会",
                                     rng.choice(ASSEMBLIES), branch.place))
                if month.month == 1:
                    meetings.append((_in_month(month, theme_day + 7), branch.org_id, "组织生活会",
                                     f"{month.year - 1} 年度组织生活会暨民主评议党员", branch.place))
        for month in self.months:
            meetings.append((month.replace(day=rng.randint(2, 7)), self.root, "其他",
                             "社区党委会议：研究" + rng.choice(COMMITTEE_TOPICS).removeprefix("研究"),
                             "社区党群服务中心会议室"))
            if month.month in HOME_ACTIVITIES:
                meetings.append((month.replace(day=rng.randint(8, 20)), self.root, "流动党员之家活动",
                                 HOME_ACTIVITIES[month.month], "社区党群服务中心流动党员之家"))
        order = {kind: i for i, kind in enumerate(("支部委员会", "主题党日", "党课", "支部党员大会", "组织生活会", "其他",
                                                   "流动党员之家活动"))}
        founded = dict(self.session.execute(select(Organization.id, Organization.founded_on)).all())
        meetings = sorted((m for m in meetings if m[0] <= today and (founded.get(m[1]) or m[0]) <= m[0]),
                          key=lambda m: (m[0], m[1], order[m[2]]))

        theme_presence: dict[tuple[int, date], dict[int, tuple[bool, str]]] = {}
        for meeting_id, (day, org_id, kind, topic, place) in enumerate(meetings, start=next_id):
            self.out.add(Meeting, dict(id=meeting_id, org_id=org_id, held_on=day, kind=kind, topic=topic,
                                       place=place, note="", made_by=self.clerk.get(org_id, OFFICE)))
            if kind in ("支部委员会", "其他"):
                for _role, _name, member_id in self.committee.get(org_id, ()):
                    w = self.by_id.get(member_id) if member_id else None
                    if w is not None and w.status == "在册" and w.joined <= day:
                        present = w.reachable(day) and rng.random() < 0.95
                        self._attendee(meeting_id, w.id, None, present, "" if present else "工作冲突，已请假")
            elif kind == "流动党员之家活动":
                self._home_activity(meeting_id, day, hosted)
            else:
                key = (org_id, day)
                shared = theme_presence.get(key) if kind == "党课" else None
                answers = shared if shared is not None else {}
                aged = add_years(day, -85)
                for w in members_of.get(org_id, ()):
                    if w.joined > day:
                        continue
                    if shared is None:
                        answers[w.id] = self._presence(w, day, aged)
                    present, reason = answers[w.id]
                    self._attendee(meeting_id, w.id, None, present, reason)
                    if present and kind == "主题党日":
                        self.theme_days[w.id, day.replace(day=1)] = day
                for inflow_id, arrived, left in hosted.get(org_id, ()):
                    if arrived <= day and (left is None or day <= left):
                        if shared is None:
                            answers[-inflow_id] = (rng.random() < 0.45, "")
                        if answers.get(-inflow_id, (False, ""))[0]:
                            self._attendee(meeting_id, None, inflow_id, True, "")
                if kind == "主题党日":
                    theme_presence[key] = answers
        return len(meetings)

    def _presence(self, w: _Who, day: date, aged: date) -> tuple[bool, str]:
        """At a branch meeting on ``day`` or not, with the reason; ``aged``: born by then, 85 or older."""
        rng = self.rng
        if w.away or w.gaps or w.lapse_from is not None:
            away = w.away_on(day)
            if not w.reachable(day):
                return False, away[0] if away else "失去联系"
            if w.lapse_from is not None and day >= w.lapse_from:
                return False, ""
            if away is not None:
                return rng.random() < (0.3 if day.month in (1, 2) else 0.04), away[0]
        if w.born <= aged:
            return (True, "") if rng.random() < 0.5 else (False, "年老体弱，行动不便")
        if rng.random() < 0.88:
            return True, ""
        return False, rng.choice(ABSENCE_REASONS)

    def _home_activity(self, meeting_id: int, day: date, hosted) -> None:
        rng = self.rng
        for _role, _name, member_id in self.committee.get(self.root, ()):
            if member_id and self.by_id[member_id].status == "在册":
                self._attendee(meeting_id, member_id, None, True, "")
        for member_id in sorted(self.open):
            w = self.by_id[member_id]
            if w.away_on(day) and w.reachable(day) and rng.random() < (0.5 if day.month in (1, 2) else 0.12):
                self._attendee(meeting_id, w.id, None, True, "")
        for inflow_list in hosted.values():
            for inflow_id, arrived, left in inflow_list:
                if arrived <= day and (left is None or day <= left) and rng.random() < 0.6:
                    self._attendee(meeting_id, None, inflow_id, True, "")

    def _attendee(self, meeting_id: int, member_id: int | None, inflow_id: int | None, present: bool,
                  reason: str) -> None:
        self.out.add(MeetingAttendee, dict(meeting_id=meeting_id, member_id=member_id, inflow_id=inflow_id,
                                           present=present, absence_reason="" if present else reason))

    # ------------------------------------------------------------ 党费

    def _monthly_base(self, w: _Who) -> int:
        """党费 of a month in 分: 中组发〔2008〕3号 on the fixed part of a monthly pay (or pension) after tax,
        drawn for the member; 0.2 元 for students, members without work and those in hardship."""
        rng = self.rng
        if w.occupation in ("学生", "无固定职业人员") or w.hardship:
            return 20
        if w.occupation == "离退休人员":
            income = rng.triangular(2500, 8000, 4000)
            rate = 0.005 if income <= 5000 else 0.01
        else:
            income = rng.triangular(2200, 14000, 4500)
            rate = 0.005 if income <= 3000 else 0.01 if income <= 5000 else 0.015 if income <= 10000 else 0.02
        return max(20, round(income * rate * 10) * 10)

    def _dues(self) -> None:
        rng, today = self.rng, self.today
        this_month = today.replace(day=1)
        for w in self.everyone:
            if w.status not in ("在册", "转出", "死亡") or (w.left_on is not None and w.left_on < self.start):
                continue
            base = self._monthly_base(w)
            quarterly = rng.random() < 0.28
            clerk = self.clerk.get(w.branch, OFFICE)
            last = this_month if w.left_on is None else w.left_on.replace(day=1)
            first = max(self.start, w.joined.replace(day=1))
            quarter_day: dict[date, date] = {}
            for month in self.months:
                if month < first or month > last:
                    continue
                if w.arrears_from is not None and month >= w.arrears_from:
                    break
                if w.lapse_from is not None and month >= w.lapse_from.replace(day=1):
                    break
                amount = base if month.year <= self.today.year - 1 else max(20, round(base * 1.03 / 10) * 10)
                away = w.away_on(month) if w.away else None
                paid_at, note = "本组织", ""
                if away is not None and away[1]:
                    paid_on, paid_at, note = _in_month(month, rng.randint(5, 28)), "流入地党组织", "在流入地党组织交纳"
                elif away is not None or quarterly:
                    end = add_months(month, 2 - (month.month - 1) % 3)
                    if end not in quarter_day:
                        quarter_day[end] = _in_month(end, rng.randint(10, 28))
                    paid_on = quarter_day[end]
                    note = "微信转账" if away is not None else ""
                elif (w.id, month) in self.theme_days:
                    paid_on = self.theme_days[w.id, month]
                else:
                    paid_on = month + timedelta(days=rng.randint(4, 40))
                paid_on = max(paid_on, w.joined)
                if (paid_on > today or (w.left_on is not None and paid_on > w.left_on)
                        or (w.gaps and not w.reachable(paid_on))):
                    continue
                self.out.add(DuesPayment, dict(member_id=w.id, period=month, paid_on=paid_on, amount_fen=amount,
                                               paid_at=paid_at, note=note, made_by=clerk))

    # ------------------------------------------------------------ 流动党员之家 services

    def _services(self) -> None:
        rng, today = self.rng, self.today
        served = 0
        for member_id in sorted(self.open):
            w = self.by_id[member_id]
            if self.scenario[member_id] != "正常" or (served >= 2 and rng.random() > 0.25):
                continue
            served += 1
            left = w.away[-1][0]
            kind = rng.choice(tuple(SERVICES_OUT))
            content, provider, result = rng.choice(SERVICES_OUT[kind])
            city = self.open[member_id][1]
            self.out.add(HomeService, dict(member_id=member_id, inflow_id=None, kind=kind,
                                           served_on=self._day(left, today), content=content.format(city=city),
                                           provider=provider, result=result, made_by=OFFICE))
        for i, (inflow_id, _host, arrived, left) in enumerate(self.inflow):
            if i >= 2 and rng.random() > 0.4:
                continue
            for _ in range(rng.randint(1, 2)):
                kind = rng.choice(tuple(SERVICES_IN))
                content, provider, result = rng.choice(SERVICES_IN[kind])
                self.out.add(HomeService, dict(member_id=None, inflow_id=inflow_id, kind=kind,
                                               served_on=self._day(arrived, left or today), content=content,
                                               provider=provider, result=result, made_by=OFFICE))

    # ------------------------------------------------------------ the ledger's marks follow the records

    def _ledger_marks(self) -> None:
        table = Member.__table__
        if self.open:
            self.session.execute(
                update(table).where(table.c.id == bindparam("member")).values(
                    floating=True, floating_destination=bindparam("destination")),
                [{"member": member_id, "destination": destination_of(*place)[:100]}
                 for member_id, place in sorted(self.open.items())],
            )
        stale = [w.id for w in self.everyone if w.old_floating and w.id not in self.open]
        if stale:
            self.session.execute(update(table).where(table.c.id.in_(stale)).values(floating=False,
                                                                                   floating_destination=""))
        # In these records since the meetings and dues kept began, or since joining the party (the 自行脱党
        # line counts from then).
        began = self.out.stamp(self.start)
        self.session.execute(update(table).where(table.c.joined_on < self.start).values(created_at=began,
                                                                                        updated_at=began))
        later = [{"member": w.id, "stamp": self.out.stamp(w.joined)} for w in self.everyone if w.joined >= self.start]
        if later:
            self.session.execute(update(table).where(table.c.id == bindparam("member")).values(
                created_at=bindparam("stamp"), updated_at=bindparam("stamp")), later)
