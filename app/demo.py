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

Then, from a stream of their own (so the branches' meetings stay what the third stream makes of a seed),
the 党小组会 of every 党小组 (``_Activity._group_meetings``): monthly, with a few deliberate gaps.

Last, from a fourth stream (so all of the above stays what the first three make of a seed), each member's
年度记实 and the 评定 (``_Records``): last year complete and approved, this year up to today.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from itertools import accumulate

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from app import audit, evaluation_year, orgs, settings
from app import evaluation_records as records
from app import members as ledger
from app.dates import add_months, add_years
from app.dues_rules import (
    FLAT_CATEGORIES,
    RETIRED,
    RETIRED_BRACKETS,
    WORKING,
    WORKING_BRACKETS,
    monthly_due_fen,
)
from app.errors import AppError
from app.evaluation import (
    BASIC,
    EXCELLENT,
    FAIL,
    PASS,
    PEERS,
    PUBLIC,
    SELF,
    STAR_NAMES,
    BranchFacts,
    excellent_limit,
    prefill_branch_scores,
    score_from_tenths,
)
from app.evaluation import BRANCH as BRANCH_EVALUATOR
from app.floating import (
    CHANNELS,
    DEFAULT_MODES,
    LOST_MONTHS,
    NORMAL,
    contact_status,
    destination_of,
    facts_for,
)
from app.idcard import check_code
from app.meetings import ABSENCE_REASONS as MEETING_ABSENCE_REASONS
from app.paths import resource_path
from app.pinyin import split_surname
from db.models import (
    AnnualNote,
    ChangeLog,
    CommitteeMember,
    ContactLog,
    DualReport,
    DuesPayment,
    EvaluationYear,
    FloatingRecord,
    HomeService,
    InflowMember,
    LostContactEvent,
    Meeting,
    MeetingAttendee,
    Member,
    MemberDuesBase,
    MemberSearchKey,
    Organization,
    RewardDiscipline,
    StarAdjustment,
    VolunteerService,
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
    records: RecordCounts | None = None  # 年度记实 and 评定 (None: no members, or a ledger too large)

    def describe(self) -> str:
        """What was made, in one Chinese paragraph (the CLI prints it)."""
        text = (f"已生成示例社区“{self.community_name}”：{self.organizations} 个党组织，{self.grids} 个网格，"
                f"{self.buildings} 个楼栋党小组，{self.members} 名党员；外出流动党员 {self.floating} 名，"
                f"流入党员 {self.inflow} 名，组织生活 {self.meetings} 次，党费记录 {self.dues} 条。")
        return text + (self.records.describe() if self.records is not None else "")


@dataclass(frozen=True)
class RecordCounts:
    """What the fourth stream wrote: the 年度记实 of last year and this year, and the 评定 of both."""

    last_year: int
    this_year: int
    notes: int  # 小结、反馈、年底考核、书记评语, both years
    volunteer_tenths: int  # volunteer hours in tenths, both years
    volunteer_services: int
    dual_reports: int  # 双报到 records
    rewards: int
    disciplines: int
    dues_bases: int
    grades: dict[str, int]  # last year's 民主评议: grade → members
    stars: dict[int, int]  # last year's final stars → members
    certificates: int  # last year's certificate numbers
    adjusted: int  # last year's star adjustments
    approved_on: date | None  # last year's approval (None: not yet, today is too early)
    scored_this_year: int  # cells scored so far this year

    def describe(self) -> str:
        grades = "、".join(f"{g} {n}" for g, n in self.grades.items() if n)
        stars = "、".join(f"{STAR_NAMES[s]} {self.stars.get(s, 0)}" for s in (5, 4, 3, 2, 1))
        approved = (f"{self.approved_on:%Y-%m-%d} 批准，证书 {self.certificates} 个" if self.approved_on
                    else "尚未批准")
        return (f"年度记实 {self.notes} 篇，志愿服务 {self.volunteer_services} 次共 "
                f"{records.format_hours(self.volunteer_tenths)} 小时，双报到 {self.dual_reports} 人，"
                f"奖励 {self.rewards} 条、处分 {self.disciplines} 条，党费基数 {self.dues_bases} 条；"
                f"{self.last_year} 年度评定：民主评议 {grades}；星级 {stars}；星级调整 {self.adjusted} 人；"
                f"{approved}。{self.this_year} 年度评定进行中：已评分 {self.scored_this_year} 格。")


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
        counts = _add_records(session, seed, today, root, len(roster))
        if added and sqlite:
            # Statistics for the query planner: without them SQLite walks the status index over the
            # whole ledger for every search keystroke instead of starting from the search key's matches.
            session.execute(text("ANALYZE"))
    finally:
        if sqlite:
            session.execute(text(f"PRAGMA cache_size={int(cache_size)}"))
    total = session.scalar(select(func.count()).select_from(Organization)) or 0
    return DemoSummary(community, total, grid_count, building, added, *activity, records=counts)


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
                     roster, random.Random(f"demo-groups-{seed}")).build()


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
# 党小组会: what a building's group talks about, what a month calls for, why a month was missed (see
# _Activity._group_meetings) and the reasons on its lists (app.meetings.ABSENCE_REASONS).
GROUP_TOPICS = (
    "传达支部主题党日精神，交流学习体会", "学习《中国共产党章程》，交流党员义务履行情况", "楼栋民情恳谈，收集居民意见建议",
    "学习《中国共产党纪律处分条例》", "讨论楼道堆物清理和环境整治", "研究结对帮扶本楼困难党员和独居老人",
    "交流垃圾分类楼门值守情况", "学习身边的优秀共产党员事迹", "讨论老旧小区加装电梯意见，做好邻里协调",
    "开展批评与自我批评，交流思想", "传达支部党员大会精神，讨论楼栋工作安排", "学习防范电信网络诈骗知识，分工入户宣传",
)
GROUP_BY_MONTH = {7: "重温入党誓词，交流入党初心", 12: "组织生活会前征求意见，开展谈心谈话"}
GROUP_GAPS = ("因组长住院", "因春节", "因楼内管线改造施工")
GROUP_ABSENCES = MEETING_ABSENCE_REASONS[:3]  # 病假, 事假, 因公外出
# an outflow's reason (OUTFLOW_REASON_NOTES, 外出流动 when unknown) as the list says it; others as they are
GROUP_AWAY_REASONS = {"外出务工": MEETING_ABSENCE_REASONS[3], "外出流动": MEETING_ABSENCE_REASONS[3]}
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
                 root: int, branches: list[_Branch], roster: list[tuple], group_rng: random.Random) -> None:
        self.session, self.rng, self.today = session, rng, today
        self.group_rng = group_rng  # the 党小组会: a stream of their own, added after the branches' meetings
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
        meetings += self._group_meetings()
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

        self.next_meeting_id = next_id + len(meetings)  # the 党小组会 follow (_group_meetings)
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

    def _group_meetings(self) -> int:
        """Every 党小组's 党小组会, monthly on a day of its own with the group's 在册 members on the list, from
        ``group_rng``; ids after the branches' meetings. Deliberate gaps (GROUP_GAPS): the last 党小组 of the
        third grid branch missed the two months before this one, the 离退休 branch's first 党小组 the last
        February over, and one other grid 党小组 one month of a year before the one the 工作台 checks."""
        rng, today = self.group_rng, self.today
        this_month = today.replace(day=1)
        names = dict(self.session.execute(select(Organization.id, Organization.name)).all())
        founded = dict(self.session.execute(select(Organization.id, Organization.founded_on)).all())
        members_of: dict[int, list[_Who]] = {}
        for w in self.everyone:
            if w.status == "在册":
                members_of.setdefault(w.org_id, []).append(w)
        groups = [(branch, org) for branch in self.branches for org in branch.orgs[1:]]
        grid = [b for b in self.branches if b.buildings]
        skipped: dict[int, tuple[tuple[date, ...], str]] = {}  # group → (months not held, why)
        if len(grid) >= 3 and len(grid[2].orgs) > 1:
            skipped[grid[2].orgs[-1]] = ((add_months(this_month, -2), add_months(this_month, -1)), GROUP_GAPS[0])
        retired = [b for b in self.branches if not b.buildings and len(b.orgs) > 1]
        februaries = [m for m in self.months if m.month == 2 and m < this_month]
        if retired and februaries:
            skipped[retired[0].orgs[1]] = ((februaries[-1],), GROUP_GAPS[1])
        earlier = [m for m in self.months if m.year < (this_month - timedelta(days=1)).year]
        others = [org for b in grid for org in b.orgs[1:] if org not in skipped]
        if earlier and others:
            skipped[rng.choice(others)] = ((rng.choice(earlier),), GROUP_GAPS[2])

        planned: list[tuple[date, int, str, str, str]] = []  # (day, group, topic, place, note)
        for branch, group in groups:
            usual = rng.randint(3, 26)
            name = names[group]
            place = name.removesuffix("党小组") + "党员活动室" if branch.buildings else branch.place
            missed, why = skipped.get(group, ((), ""))
            owed = ""  # said at the first meeting after a gap
            for month in self.months:
                day = _in_month(month, max(1, usual + rng.randint(-2, 2)))
                topic = GROUP_BY_MONTH.get(month.month) or rng.choice(GROUP_TOPICS)
                if month in missed:
                    owed = f"{'、'.join(f'{m.month}月' for m in missed)}{why}未召开党小组会，本次补学有关内容"
                    continue
                if owed:  # made up early in the month after
                    day = min(day, _in_month(month, 6))
                if day > today or (founded.get(group) or day) > day:
                    continue
                planned.append((day, group, topic, place, owed))
                owed = ""

        held = 0
        meeting_id = self.next_meeting_id
        for day, group, topic, place, note in sorted(planned, key=lambda m: (m[0], m[1])):
            listed = [w for w in members_of.get(group, ()) if w.joined <= day]
            if not listed:  # an empty 党小组 does not meet
                continue
            leader = next((name for role, name, _ in self.committee.get(group, ()) if role == "组长"), "")
            self.out.add(Meeting, dict(id=meeting_id, org_id=group, held_on=day, kind="党小组会", topic=topic,
                                       place=place, note=note, made_by=leader or OFFICE))
            aged = add_years(day, -85)
            for w in listed:
                present, reason = self._group_presence(w, day, aged)
                self._attendee(meeting_id, w.id, None, present, reason)
            meeting_id += 1
            held += 1
        return held

    def _group_presence(self, w: _Who, day: date, aged: date) -> tuple[bool, str]:
        """At a 党小组会 or not, with the reason (as ``_presence``, from ``group_rng``)."""
        rng = self.group_rng
        if w.away or w.gaps or w.lapse_from is not None:
            away = w.away_on(day)
            reason = GROUP_AWAY_REASONS.get(away[0], away[0]) if away else "失去联系"
            if not w.reachable(day):
                return False, reason
            if w.lapse_from is not None and day >= w.lapse_from:
                return False, ""
            if away is not None:
                return rng.random() < 0.03, reason
        if w.born <= aged:
            return (True, "") if rng.random() < 0.6 else (False, GROUP_ABSENCES[0])
        if rng.random() < 0.9:
            return True, ""
        return False, rng.choice(GROUP_ABSENCES)

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


# ---------------------------------------------------------------- 年度记实 and 评定
#
# A fourth random stream, run after the activity: the tree, the members and their activity stay what the
# first three streams make of a seed. It reads the ledger and the activity back and writes each member's
# 年度记实 — 党费 bases that give the amounts paid, 双报到, volunteer service, rewards and discipline, the
# quarterly summaries, half-year feedback, year-end assessment and secretary's comment — for last year
# complete and for this year up to today, in bulk. The 评定 itself goes through app.evaluation_year (the
# checks and rows of the grid's own edits): last year fully scored (the 支部评定 column pre-filled from the
# year's facts where the rules say so), graded by each branch on the day of its 组织生活会暨民主评议党员,
# two stars adjusted, approved with certificate numbers; this year opened and partly scored. Change-log
# entries of the 评定 are dated the day each step was taken, never after today.
#
# The 党委's own members (directly under it: its committee, the office's staff) are left with nothing
# recorded for this year (the office fills in its own people at year end) and without a 党费 base. This
# keeps the ledger's first member with a clean year: the year-record dialog's tests
# (tests/ui/test_record_dialog.py) take that member to write the first notes, hours, rewards and bases of a
# year; it also puts a block of names on the 工作台's "no summary for the last quarter" line.

RECORDS_MAX_MEMBERS = 1_000  # the 评定 through the app costs ~7 ms a member: benchmark-sized ledgers get none
DISCIPLINE_NOTES = ("饮酒后驾驶机动车，被公安机关依法处以罚款、暂扣机动车驾驶证",
                    "参与赌博，被公安机关依法给予行政处罚")
# activity, hours in tenths to choose from, months it happens in (empty: any)
VOLUNTEER_ACTIVITIES = (
    ("垃圾分类桶前值守", (15, 20), ()), ("社区环境整治", (20, 30), ()), ("楼道堆物和小广告清理", (15, 20), ()),
    ("文明交通劝导", (20,), ()), ("防范电信网络诈骗入户宣传", (15, 20), ()), ("走访慰问独居老人", (15, 20), ()),
    ("社区议事协商会", (15, 20), ()), ("消防安全隐患排查", (20, 30), ()), ("为老助餐送餐", (15, 20), ()),
    ("社区图书角整理", (20,), ()), ("老旧小区加装电梯入户征求意见", (20,), ()),
    ("冬季供暖入户走访", (20,), (1, 2, 11, 12)), ("防汛值守", (30, 40), (6, 7, 8)),
    ("“学雷锋”便民服务", (20, 30), (3,)), ("义务植树", (30,), (3, 4)), ("重阳节敬老活动", (20, 30), (10,)),
    ("国家宪法日普法宣传", (20,), (12,)), ("春节前走访困难家庭", (20,), (1, 2)),
    ("重大活动期间治安巡逻", (30, 40), (9, 10)),
)
SILVER_ACTIVITIES = (("楼门院长值守巡查", (20, 30), ()), ("银龄陪伴独居老人", (15, 20), ()))
# a word of the reporting unit's name → (its members' service, hours, the service they wish to give)
PROFESSIONAL_SERVICE = (
    ("医院", "义诊和健康咨询", (20, 30), "义诊、健康讲座"), ("中学", "“四点半课堂”课业辅导", (15, 20), "青少年课业辅导"),
    ("大学", "青少年科普讲座", (20,), "科普讲座、青少年辅导"), ("法院", "法律咨询进社区", (20,), "法律咨询、矛盾调解"),
    ("税务", "个税申报政策宣讲", (15, 20), "税收政策宣传"), ("街道", "社区议事协商会", (20,), "参与社区治理"),
    ("供电", "居民用电安全检查", (20, 30), "用电安全检查"), ("银行", "防范非法集资宣传", (15, 20), "金融知识宣传"),
    ("地铁", "文明乘车宣传", (20,), "文明出行宣传"), ("公交", "文明乘车宣传", (20,), "文明出行宣传"),
    ("图书馆", "社区读书会", (20,), "阅读推广"), ("小米", "老年人智能手机使用培训", (20,), "智能手机使用培训"),
    ("京东", "老年人智能手机使用培训", (20,), "智能手机使用培训"),
)
VOLUNTEER_MODE_HOURS = {"silver": 30, "retired": 12, "staff": 22, "dual": 16, "working": 6, "firm": 6,
                        "student": 8, "inflow": 6, "other": 8}
# What was studied each quarter (year, quarter) → topic; other years take the quarter's generic topic.
STUDY_TOPICS = {
    (2025, 1): "全国两会精神", (2025, 2): "深入贯彻中央八项规定精神学习教育有关内容",
    (2025, 3): "纪念中国人民抗日战争胜利80周年有关精神", (2025, 4): "党的二十届四中全会精神",
    (2026, 1): "全国两会精神和“十五五”规划纲要", (2026, 2): "《中国共产党章程》和党内法规",
    (2026, 3): "庆祝中国共产党成立105周年有关精神",
}
GENERIC_TOPICS = {1: "全国两会精神", 2: "《中国共产党章程》", 3: "党的创新理论", 4: "党的基本理论和路线方针政策"}
STUDY_FORMS = ("认真学习{t}", "参加支部集中学习，学习{t}", "通过“学习强国”和支部学习，重点学习了{t}", "学习{t}")
OPENINGS = {
    "retired": ("本季度坚持参加支部主题党日和党课", "本季度按时参加支部组织生活", "本季度克服身体不便，坚持参加支部活动",
                "本季度积极参加支部和楼栋党小组活动"),
    "silver": ("本季度按时参加党小组活动，坚持银龄志愿服务", "本季度坚持参加支部组织生活和楼门值守"),
    "working": ("本季度在做好本职工作的同时，按时参加支部组织生活", "本季度工作较忙，但能合理安排时间参加主题党日",
                "本季度按时参加支部组织生活，认真完成支部交办的任务"),
    "dual": ("本季度作为在职党员到社区报到服务，按时参加组织生活", "本季度在做好单位工作的同时，坚持到社区参加活动"),
    "student": ("本季度在校学习期间，利用周末参加社区支部活动", "本季度在完成学业的同时，按时参加支部学习"),
    "staff": ("本季度立足社区岗位，按时参加组织生活，认真完成网格走访任务", "本季度在社区工作中做好群众服务，按时参加支部学习"),
    "firm": ("本季度按时参加联合党支部组织生活，在企业中发挥党员作用", "本季度结合企业工作实际，参加联合党支部主题党日"),
    "inflow": ("本季度在社区就近参加流动党员党支部活动", "本季度工作之余参加流动党员党支部组织生活"),
    "other": ("本季度按时参加支部组织生活", "本季度积极参加支部和楼栋党小组活动"),
}
AWAY_OPENINGS = ("本季度在{city}，通过微信参加支部线上学习，按时向支部汇报思想和工作情况",
                 "本季度仍在{city}，与支部保持联系，参加了线上主题党日")
LOST_QUARTER = ("本季度该同志不在本地，支部多次电话、微信联系未果，未参加组织生活，未提交季度小结。",
                "本季度支部多次联系该同志未果，已联系其家属了解情况，未提交季度小结。")
CLOSINGS = ("下一步要继续加强学习，发挥好党员先锋模范作用。", "今后要多关心楼栋邻里，及时反映群众诉求。",
            "存在学习不够系统的问题，下季度加以改进。", "下季度争取多参加社区志愿服务。",
            "今后要进一步增强宗旨意识，带头做好邻里服务。", "下一步要把学习和本职工作结合起来，立足岗位作贡献。")
FEEDBACK = {
    "good": ("该同志{half}能按时参加组织生活，积极参加{act}等志愿服务，按时交纳党费，表现良好。希望{next}继续保持。",
             "{half}该同志学习认真，组织观念强，带头参加{act}，群众反映较好。",
             "{half}组织生活出勤率{rate}，能完成支部交办的任务。希望{next}在{area}方面多发挥作用。"),
    "fair": ("{half}组织生活出勤率{rate}，基本能按时参加支部活动，按时交纳党费。希望{next}多参加社区志愿服务。",
             "{half}该同志能参加支部组织的学习，参加志愿服务较少，希望{next}加以改进。"),
    "weak": ("{half}参加组织生活次数偏少（出勤率{rate}），请假较多。支部已与本人谈心谈话，希望{next}按时参加支部活动。",),
    "away": ("{half}该同志在{city}，能通过微信与支部保持联系，按时汇报思想情况。希望继续保持联系，按规定交纳党费。",),
    "lost": ("{half}支部多次联系该同志未果，已联系其家属了解情况，将继续查找。",),
}
AREAS = ("楼栋议事", "邻里互助", "垃圾分类宣传", "关心帮扶困难群众", "带动青年党员学习")
COMMENTS = {
    EXCELLENT: ("政治立场坚定，热心社区公益事业，带头参加{act}，在党员群众中起到了示范作用。",
                "工作认真负责，在{area}中主动担当，是支部的骨干力量。",
                "理论学习扎实，关心支部建设，经常为楼栋居民排忧解难，群众评价很高。"),
    PASS: ("能按时参加组织生活，认真完成支部交办的任务，群众评价较好。",
           "学习态度端正，积极参加社区活动，希望今后进一步发挥先锋模范作用。",
           "遵守党的纪律，按时交纳党费，能够参加支部组织的各项活动。",
           "热心邻里事务，今后要在理论学习上再下功夫。"),
    "retired": ("年事已高仍坚持参加支部活动，关心社区建设，为年轻党员作出了榜样。",
                "退休不褪色，积极参加银龄志愿服务，发挥了老党员的余热。"),
    "dual": ("作为在职党员积极到社区报到，发挥专业特长开展{wish}，受到居民好评。",),
    "away": ("长期在外地，能主动与支部保持联系、按时交纳党费，希望继续保持。",),
    BASIC: ("组织观念有待加强，参加组织生活不够经常，希望今后按时参加支部活动、认真完成支部交办的任务。",),
    "disciplined": ("本年度受到党内警告处分，能够认识错误，支部将加强教育帮助，希望引以为戒。",),
    "lost": ("长期与支部失去联系，未参加组织生活，支部将按照有关规定继续查找、处置。",),
    FAIL: ("全年参加组织生活很少，经支部多次谈心谈话仍未改正，评议为不合格，限期改正。",),
    "probation": ("预备期间表现良好，能按时参加组织生活，积极参加志愿服务，支部将按期讨论其转正。",),
}
UP_REASON = "在社区防汛值守和老旧小区加装电梯入户协调中表现突出，经支部委员会研究，上调为五星"
DOWN_REASON = "全年多次缺席主题党日，季度小结经提醒才提交，经支部委员会研究，下调为三星"


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    last = quarter * 3
    return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])


def _note_periods(year: int) -> list[tuple[str, date, date]]:
    """(kind, first day, last day) of the year's period notes, in the order they fall due."""
    quarters = [(kind, *_quarter_bounds(year, q)) for q, kind in enumerate(records.QUARTER_KINDS, start=1)]
    halves = [(records.H1, date(year, 1, 1), date(year, 6, 30)), (records.H2, date(year, 7, 1), date(year, 12, 31))]
    return [*quarters[:2], halves[0], *quarters[2:], halves[1]]


def _percent(rate) -> str:
    return f"{round(rate * 100)}%"


def _base_for(category: str, amount: int) -> int:
    """A monthly base in 分 whose dues under the brackets are ``amount``, whole yuan where one fits. An amount
    no base gives (in a bracket's jump: 3000.00 元 pays 15.00 元, 3000.01 元 pays 30.00 元) gets the base
    whose dues come nearest: the payment still counts, the two amounts differ by a few 角."""
    nearest: tuple[int, int] | None = None  # (how far off, base)
    floor = 1  # the bracket's lowest base
    for bound, rate in (WORKING_BRACKETS if category == WORKING else RETIRED_BRACKETS):
        exact = amount * 1000 // rate
        yuan = round(amount * 10 / rate) * 100
        for base in (yuan, yuan - 100, yuan + 100, exact, exact + 1):
            if floor <= base and (bound is None or base <= bound) and monthly_due_fen(category, base) == amount:
                return base
        low = -(-floor // 100) * 100  # the bracket's first whole yuan
        edge = max(yuan, low) if bound is None else min(max(yuan, low), bound)
        off = abs(monthly_due_fen(category, edge) - amount)
        if nearest is None or off < nearest[0]:
            nearest = (off, edge)
        floor = (bound or 0) + 1
    assert nearest is not None
    return nearest[1]


class _Life:
    """A member as the fourth stream reads them back, and what it plans for their years."""

    __slots__ = ("id", "name", "org_id", "branch", "status", "joined", "left_on", "occupation", "report_unit",
                 "post", "hardship", "stopped", "born", "root", "kind", "quality", "away", "gaps", "lapse_from",
                 "served", "dual", "disciplined")

    def __init__(self, row, branch: int, root: bool, kind: str, quality: float) -> None:
        (self.id, self.name, self.org_id, self.status, self.joined, self.left_on, self.occupation,
         self.report_unit, self.post, self.hardship, standing, self.born) = row
        self.branch, self.root, self.kind, self.quality = branch, root, kind, quality
        self.stopped = standing == "停止党籍"
        self.away: list[tuple[date, date | None, str]] = []  # (left, back, city)
        self.gaps: list[tuple[date, date]] = []  # days the branch could not reach them
        self.lapse_from: date | None = None  # no 组织生活 and no dues from this day
        self.served: dict[int, list[tuple[date, str, int]]] = {}  # year → (day, activity, tenths)
        self.dual: tuple[date, str] | None = None  # (reported on, the service wished)
        self.disciplined = False

    @property
    def gone(self) -> date | None:
        return self.left_on if self.status != "在册" else None

    def on_roll(self, first: date, last: date) -> bool:
        return self.joined <= last and (self.gone is None or self.gone >= first)

    def away_on(self, day: date) -> str | None:
        return next((city for left, back, city in self.away if left <= day and (back is None or day < back)), None)

    def here(self, day: date) -> bool:
        """On the roll, in the community, reachable and still coming: able to serve here that day."""
        if day < self.joined or (self.gone is not None and day > self.gone) or self.away_on(day) is not None:
            return False
        return not any(a <= day <= b for a, b in self.gaps) and (self.lapse_from is None or day < self.lapse_from)

    def _weeks(self, first: date, last: date) -> list[date]:
        return [first + timedelta(days=d) for d in range(0, (last - first).days + 1, 7)]

    def here_share(self, first: date, last: date) -> float:
        """The share of the weeks from ``first`` to ``last`` the member was here (see ``here``)."""
        if last < first:
            return 0.0
        if not (self.away or self.gaps or self.lapse_from):  # on the roll is all that counts
            start, end = max(first, self.joined), min(last, self.gone or last)
            return max(0, (end - start).days + 1) / ((last - first).days + 1)
        weeks = self._weeks(first, last)
        return sum(1 for d in weeks if self.here(d)) / len(weeks)

    def out_of_reach(self, first: date, last: date) -> date | None:
        """The first day from ``first`` to ``last`` the branch could not reach the member, if any."""
        return min((max(a, first) for a, b in self.gaps if a <= last and b >= first), default=None)

    def lost_in(self, first: date, last: date) -> bool:
        """Out of reach for most of the period."""
        if not self.gaps or last < first:
            return False
        weeks = self._weeks(first, last)
        return sum(1 for d in weeks if any(a <= d <= b for a, b in self.gaps)) * 2 > len(weeks)

    def away_in(self, first: date, last: date) -> str | None:
        """Where the member was for most of the period, if away."""
        if not self.away or last < first:
            return None
        weeks = self._weeks(first, last)
        cities = [c for c in map(self.away_on, weeks) if c is not None]
        return cities[0] if len(cities) * 2 > len(weeks) else None


class _Records:
    """Each member's 年度记实 and the 评定 of last year and this year, from one random stream."""

    def __init__(self, session: Session, rng: random.Random, today: date, root: int, members: int) -> None:
        self.session, self.rng, self.today, self.root = session, rng, today, root
        self.this_year = today.year
        self.last_year = today.year - 1
        this_month = today.replace(day=1)
        self.dues_from = add_months(this_month, -(_history_months(members) - 1))  # as _Activity keeps them
        self.out = _RecordWriter(session, date.min)
        self.logged = session.scalar(select(func.max(ChangeLog.id))) or 0
        values = settings.load(session)
        self.committee_name = values.committee_name or values.community_name
        self.counts: dict[str, int] = dict.fromkeys(("rewards", "disciplines", "bases", "notes", "services",
                                                    "tenths", "duals"), 0)

    # ------------------------------------------------------------ reading back

    def build(self) -> RecordCounts:
        self._read()
        self._bases()
        self._dual_reports()
        for year in (self.last_year, self.this_year):
            self._volunteer(year)
        self._rewards()
        self.out.flush()
        last = self._last_year()
        scored = self._this_year()
        self.out.flush()
        return RecordCounts(self.last_year, self.this_year, self.counts["notes"], self.counts["tenths"],
                            self.counts["services"], self.counts["duals"], self.counts["rewards"],
                            self.counts["disciplines"], self.counts["bases"], *last, scored)

    def _read(self) -> None:
        rng, today, session = self.rng, self.today, self.session
        orgs_ = {oid: (parent, kind, name) for oid, parent, kind, name in session.execute(
            select(Organization.id, Organization.parent_id, Organization.kind, Organization.name))}

        def branch_of(org_id: int) -> int:
            current = org_id
            while current is not None and orgs_[current][1] not in ledger.BRANCH_KINDS:
                current = orgs_[current][0]
            return current if current is not None else self.root

        self.names = {oid: name for oid, (_p, _k, name) in orgs_.items()}
        self.committee: dict[int, dict[str, str]] = {}
        for org_id, role, name in session.execute(
                select(CommitteeMember.org_id, CommitteeMember.role, CommitteeMember.name)
                .order_by(CommitteeMember.org_id, CommitteeMember.sort_order)):
            self.committee.setdefault(org_id, {}).setdefault(role, name)
        silver = {oid for oid, (_p, _k, name) in orgs_.items() if name == "银龄志愿党小组"}
        inflow = {oid for oid, (_p, _k, name) in orgs_.items() if name == "流动党员党支部"}
        self.lives: list[_Life] = []
        for row in session.execute(
                select(Member.id, Member.name, Member.org_id, Member.status, Member.joined_on, Member.left_on,
                       Member.occupation, Member.report_unit, Member.party_post, Member.in_hardship,
                       Member.standing, Member.birth_date).order_by(Member.id)):
            org_id, occupation = row[2], row[6]
            branch = branch_of(org_id)
            kind = ("staff" if org_id == self.root or occupation == "社区工作人员"
                    else "silver" if org_id in silver and occupation == "离退休人员"
                    else "retired" if occupation == "离退休人员" else "student" if occupation == "学生"
                    else "inflow" if branch in inflow else "firm" if orgs_[branch][1] == "联合党支部"
                    else "dual" if row[7] else "working" if "经济" in occupation or occupation == "党政机关工作人员"
                    else "other")
            self.lives.append(_Life(row, branch, org_id == self.root, kind, rng.betavariate(4, 1.7)))
        self.by_id = {life.id: life for life in self.lives}
        for member_id, left, back, city in session.execute(
                select(FloatingRecord.member_id, FloatingRecord.left_on, FloatingRecord.returned_on,
                       FloatingRecord.destination_city).order_by(FloatingRecord.member_id, FloatingRecord.left_on)):
            self.by_id[member_id].away.append((left, back, city or "外地"))
        # Out of reach: since the last time reached (open records not 正常 today), and the gap before a
        # member established as 失联 was found again.
        open_ids = [m for m, in session.execute(select(FloatingRecord.member_id)
                                                .where(FloatingRecord.returned_on.is_(None)))]
        for member_id, found in sorted(facts_for(session, open_ids, today).items()):
            status = contact_status(found, today)
            if status.status != NORMAL:
                self.by_id[member_id].gaps.append((status.last_reached + timedelta(days=1), today))
        confirmed: dict[int, date] = {}
        for member_id, kind, day in session.execute(
                select(LostContactEvent.member_id, LostContactEvent.kind, LostContactEvent.happened_on)
                .order_by(LostContactEvent.happened_on, LostContactEvent.id)):
            if kind == "确认失联":
                confirmed[member_id] = day
            elif kind == "重新纳入管理" and member_id in confirmed:
                self.by_id[member_id].gaps.append((add_months(confirmed.pop(member_id), -LOST_MONTHS),
                                                   day - timedelta(days=1)))
        # Stopped coming (the 自行脱党 line): no 组织生活 and no dues for months while here.
        met = dict(session.execute(
            select(MeetingAttendee.member_id, func.max(Meeting.held_on)).join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
            .where(MeetingAttendee.present.is_(True), MeetingAttendee.member_id.is_not(None))
            .group_by(MeetingAttendee.member_id)).all())
        paid = dict(session.execute(select(DuesPayment.member_id, func.max(DuesPayment.paid_on))
                                    .group_by(DuesPayment.member_id)).all())
        quiet = today - timedelta(days=120)
        for life in self.lives:
            if (life.status == "在册" and life.id in met and life.id in paid and not life.gaps
                    and life.away_on(today) is None and max(met[life.id], paid[life.id]) < quiet):
                life.lapse_from = max(met[life.id], paid[life.id]) + timedelta(days=1)
        self.amounts: dict[int, dict[bool, int]] = {}  # member → {this year?: the amount paid a month}
        for member_id, period, amount in session.execute(
                select(DuesPayment.member_id, DuesPayment.period, DuesPayment.amount_fen)
                .order_by(DuesPayment.member_id, DuesPayment.period)):
            self.amounts.setdefault(member_id, {}).setdefault(period.year == self.this_year, amount)

    def _writer(self, life: _Life, role: str) -> str:
        """Who wrote a note: the branch's 书记 or 组织委员 by name, else the branch itself."""
        posts = self.committee.get(life.branch, {})
        if role == "组织委员":
            return posts.get("组织委员") or posts.get("书记") or self.names[life.branch]
        return posts.get("书记") or self.names[life.branch]

    def _rate(self, life: _Life, found) -> Fraction | None:
        """The year's 组织生活 attendance as the branch reads it: unknown for a member who has left since (the
        meeting lists of the activity stream name only members still 在册: theirs would read 0 %)."""
        return found.attendance_rate if found is not None and life.status == "在册" else None

    def _facts(self, life: _Life, found) -> BranchFacts:
        return BranchFacts(self._rate(life, found), Fraction(found.volunteer_hours_tenths, 10),
                           found.months_in_arrears)

    # ------------------------------------------------------------ 党费 bases, 双报到, volunteer service, 奖惩

    def _category(self, life: _Life) -> str:
        if life.hardship:
            return "低保/困难"
        return {"离退休人员": RETIRED, "学生": "学生", "无固定职业人员": "无业"}.get(life.occupation, WORKING)

    def _bases(self) -> None:
        rng, this_january = self.rng, date(self.this_year, 1, 1)
        for life in self.lives:
            if life.root or (life.gone is not None and life.gone < self.dues_from):
                continue
            first = max(self.dues_from, life.joined.replace(day=1))
            category = self._category(life)
            paid = self.amounts.get(life.id, {})
            plan: list[tuple[date, int | None, str]] = []
            if category in FLAT_CATEGORIES:
                plan.append((first, None, ""))
            else:
                old, new = paid.get(False), paid.get(True)
                if old is not None or new is not None:
                    base = _base_for(category, old if old is not None else new)
                else:  # nothing paid to go by: what such a member earns
                    low, high, mode = (2500, 8000, 4000) if category == RETIRED else (2200, 14000, 4500)
                    base = round(rng.triangular(low, high, mode) / 10) * 1000
                plan.append((first, base, ""))
                if old is not None and new is not None and new != old and first < this_january:
                    plan.append((this_january, _base_for(category, new), f"{self.this_year}年1月起按调整后的收入核定"))
            for effective, base, note in plan:
                self.out.add(MemberDuesBase, dict(
                    member_id=life.id, effective_from=effective, category=category, base_fen=base,
                    farmer_amount_fen=None, note=note,
                    created_at=datetime.combine(effective + timedelta(days=rng.randint(2, 12)), time(9))))
                self.counts["bases"] += 1

    def _dual_reports(self) -> None:
        rng, today = self.rng, self.today
        for life in self.lives:
            if not life.report_unit or not life.on_roll(date(self.last_year, 1, 1), today):
                continue
            unit = life.report_unit.removesuffix("党委")
            service = next((s for s in PROFESSIONAL_SERVICE if s[0] in unit), None)
            wish = service[3] if service else "社区志愿服务"
            earliest = max(life.joined, date(self.last_year - 4, 3, 1))
            latest = min(today - timedelta(days=10), life.gone or today)
            if latest < earliest:
                continue
            draw = rng.random()
            first, last = ((earliest, date(self.last_year - 1, 12, 31)) if draw < 0.55
                           else (date(self.last_year, 1, 1), date(self.last_year, 12, 31)) if draw < 0.9
                           else (date(self.this_year, 1, 1), latest))
            first, last = max(first, earliest), min(last, latest)
            if last < first:
                first, last = earliest, latest
            reported = first + timedelta(days=rng.randint(0, (last - first).days))
            life.dual = (reported, wish)
            self.out.add(DualReport, dict(
                member_id=life.id, employer=unit[:100], reported_on=reported, wishes=f"愿意参加{wish}等服务",
                ended_on=life.gone, note="每季度向单位党组织反馈服务情况" if rng.random() < 0.5 else "",
                created_at=datetime.combine(reported, time(9))))
            self.counts["duals"] += 1

    def _volunteer(self, year: int) -> None:
        rng = self.rng
        first, last = date(year, 1, 1), min(date(year, 12, 31), self.today)
        if last < first:
            return
        elapsed = ((last - first).days + 1) / ((date(year, 12, 31) - first).days + 1)
        for life in self.lives:
            if not life.on_roll(first, last) or (life.root and year == self.this_year):
                continue
            mode = VOLUNTEER_MODE_HOURS[life.kind]
            target = rng.triangular(0, min(60, mode * 2.6), mode) * (0.55 + 0.9 * life.quality)
            if life.kind != "dual" and rng.random() < 0.08:
                target = 0  # never came
            target *= elapsed * life.here_share(first, last)
            if life.kind == "dual" and life.dual and life.dual[0] <= last:
                target = max(target, 6 * elapsed)
            target_tenths = min(600, round(target * 10))
            pool = VOLUNTEER_ACTIVITIES + (SILVER_ACTIVITIES if life.kind == "silver" else ())
            service = next((s for s in PROFESSIONAL_SERVICE if life.report_unit and s[0] in life.report_unit), None)
            served, used, total = [], set(), 0
            for _ in range(80):
                if total >= target_tenths:
                    break
                if service and life.dual and rng.random() < 0.45:
                    activity, options, months, since = service[1], service[2], (), life.dual[0]
                else:
                    activity, options, months = rng.choice(pool)
                    since = first
                day = since + timedelta(days=rng.randint(0, max((last - since).days, 0)))
                if day < first or day > last or day in used or (months and day.month not in months) or not life.here(day):
                    continue
                tenths = rng.choice(options)
                if total + tenths > 600:
                    break
                used.add(day)
                total += tenths
                served.append((day, activity, tenths))
            served.sort()
            life.served[year] = served
            for day, activity, tenths in served:
                note = "在职党员进社区" if service and activity == service[1] else ""
                self.out.add(VolunteerService, dict(member_id=life.id, served_on=day, activity=activity,
                                                    hours_tenths=tenths, note=note,
                                                    created_at=datetime.combine(day, time(18))))
            self.counts["services"] += len(served)
            self.counts["tenths"] += total

    def _rewards(self) -> None:
        rng, today, year = self.rng, self.today, self.last_year
        committee, street = self.committee_name, "街道党工委"
        settled = [life for life in self.lives if life.status == "在册" and not life.gaps and life.lapse_from is None]

        def add(life: _Life, kind: str, day: date, title: str, by: str, note: str = "") -> None:
            if day > today or day < life.joined:
                return
            self.out.add(RewardDiscipline, dict(member_id=life.id, kind=kind, decided_on=day, title=title,
                                                decided_by=by, note=note, created_at=datetime.combine(day, time(15))))
            self.counts["rewards" if kind == records.REWARD else "disciplines"] += 1

        july = date(year, 6, 26) + timedelta(days=rng.randint(0, 3))
        best = sorted((life for life in settled if life.joined < july and life.away_on(july) is None),
                      key=lambda life: -life.quality)
        for life in best[:max(1, round(len(self.lives) * 0.01))]:
            add(life, records.REWARD, july, "优秀共产党员", committee, f"庆祝中国共产党成立{year - 1921}周年表彰")
        secretaries = [life for life in best if life.post == "书记" and not life.root]
        if secretaries:
            add(secretaries[0], records.REWARD, july, "优秀党务工作者", committee)
        hours = sorted(settled, key=lambda life: (-sum(t for _d, _a, t in life.served.get(year, ())), life.id))
        if hours and hours[0].served.get(year):
            add(hours[0], records.REWARD, date(year, 12, 5), "优秀志愿者", street, "国际志愿者日表彰")
        candidates = sorted((life for life in settled if not life.post and life.kind not in ("staff", "inflow")
                             and life.joined < date(year, 3, 1)), key=lambda life: life.quality)
        for life, note in zip(candidates[:4:2], DISCIPLINE_NOTES[:1 if len(self.lives) < 200 else 2], strict=False):
            life.disciplined = True
            add(life, records.DISCIPLINE, date(year, rng.randint(3, 10), rng.randint(1, 28)), "党内警告", committee,
                note)
        july = date(self.this_year, 6, 26) + timedelta(days=rng.randint(0, 3))
        now = [life for life in best if not life.root and not life.disciplined and life.joined < july]
        if now:
            add(now[len(now) // 3], records.REWARD, july, "优秀共产党员", committee,
                f"庆祝中国共产党成立{self.this_year - 1921}周年表彰")

    # ------------------------------------------------------------ 年度记实: the written notes

    def _notes(self, year: int, people, facts, grades: dict[int, str], decided: dict[int | None, date]) -> None:
        """The year's notes of every participant: period notes once the period is over (this year: some
        late, none from members out of reach or no longer coming), and for a past year the 年底考核 and
        书记评语 of everyone still here at its end."""
        rng, today = self.rng, self.today
        complete = year < self.this_year
        due_year, due_quarter = records.last_complete_quarter(today)
        for p in people:
            life = self.by_id[p.member_id]
            if life.root and not complete:
                continue
            found = facts.get(p.member_id)
            rate = self._rate(life, found)
            for kind, first, last in _note_periods(year):
                if last >= today or not life.on_roll(first, last):
                    continue
                span = (max(first, life.joined), min(last, life.gone or last))
                lost = life.lost_in(*span)
                if not complete:
                    late = kind in records.QUARTER_KINDS and (year, records.QUARTER_KINDS.index(kind) + 1) == (
                        due_year, due_quarter)
                    if (lost or (life.lapse_from is not None and life.lapse_from <= last)
                            or rng.random() < (0.07 if late else 0.03)):
                        continue
                text, writer = self._period_note(life, kind, first, last, year, rate, found, lost)
                days = (rng.randint(3, 20) if kind in (records.Q4, records.H2)
                        else rng.randint(10, 30) if kind == records.H1 else rng.randint(1, 15))
                written = min(last + timedelta(days=days), today)
                if life.gone is not None and life.gone < written:
                    written = life.gone  # written when the member left
                self._note(life, year, kind, text, writer, max(written, first, life.joined))
            if complete and not p.left_in_year:
                grade = grades.get(p.member_id)
                day = decided.get(p.branch_id, date(year, 12, 31))
                lost = life.lost_in(max(date(year, 1, 1), life.joined), date(year, 12, 31))
                since = life.out_of_reach(date(year, 1, 1), date(year, 12, 31))
                if day > today:
                    grade = None
                self._note(life, year, records.YEAR_END,
                           self._assessment(life, year, p.graded, grade, found, rate, lost),
                           self.names[life.branch], min(day, today))
                self._note(life, year, records.SECRETARY,
                           self._comment(life, year, p.graded, grade,
                                         since is not None and (date(year, 12, 31) - since).days >= 90),
                           self._writer(life, "书记"), min(day + timedelta(days=rng.randint(1, 5)), today))

    def _note(self, life: _Life, year: int, kind: str, text: str, writer: str, written: date) -> None:
        self.out.add(AnnualNote, dict(member_id=life.id, year=year, kind=kind, text=text, written_by=writer[:64],
                                      written_on=written, updated_at=datetime.combine(written, time(16))))
        self.counts["notes"] += 1

    def _period_note(self, life: _Life, kind: str, first: date, last: date, year: int, rate, found,
                     lost: bool) -> tuple[str, str]:
        rng = self.rng
        city = life.away_in(first, last)
        mine = [(a, t) for d, a, t in life.served.get(year, ()) if first <= d <= last]
        acts = "、".join(list(dict.fromkeys(a for a, _ in mine))[:2])
        if kind in records.QUARTER_KINDS:
            writer = self.names[life.branch] if rng.random() < 0.25 else self._writer(life, "组织委员")
            if lost:
                return rng.choice(LOST_QUARTER), writer
            quarter = records.QUARTER_KINDS.index(kind) + 1
            opening = rng.choice(AWAY_OPENINGS).format(city=city) if city else rng.choice(OPENINGS[life.kind])
            study = rng.choice(STUDY_FORMS).format(t=STUDY_TOPICS.get((year, quarter), GENERIC_TOPICS[quarter]))
            if mine:
                service = f"参加{acts}等志愿服务 {records.format_hours(sum(t for _, t in mine))} 小时"
            else:
                service = "" if city else rng.choice(("参加志愿服务较少", "没有参加志愿服务"))
            owed = found is not None and found.months_in_arrears and year == self.this_year
            dues = "党费未能按时交纳，将尽快补交" if owed else "按时交纳党费"
            return "；".join(x for x in (opening, study, service, dues) if x) + "。" + rng.choice(CLOSINGS), writer
        tone = ("lost" if lost else "away" if city else "weak" if rate is not None and rate < Fraction(3, 5)
                else "good" if life.quality > 0.6 and mine else "fair")
        templates = [t for t in FEEDBACK[tone] if rate is not None or "{rate}" not in t] or list(FEEDBACK["fair"][1:])
        text = rng.choice(templates).format(
            half="上半年" if kind == records.H1 else "下半年", next="下半年" if kind == records.H1 else "明年",
            act=mine[0][0] if mine else "社区志愿服务", rate=_percent(rate) if rate is not None else "",
            city=city, area=rng.choice(AREAS))
        return text, self._writer(life, "书记")

    def _assessment(self, life: _Life, year: int, graded: bool, grade: str | None, found, rate,
                    lost: bool) -> str:
        served = life.served.get(year, ())
        parts = []
        city = life.away_in(max(date(year, 1, 1), life.joined), date(year, 12, 31))
        since = life.out_of_reach(date(year, 1, 1), date(year, 12, 31))
        if lost:
            parts.append("长期与支部失去联系，未参加组织生活")
        elif city and since is not None:
            parts.append(f"全年大部分时间在{city}，{since.month}月起与支部失去联系")
        elif city:
            parts.append(f"全年大部分时间在{city}，通过微信与支部保持联系")
        if rate is not None and not lost:
            parts.append(f"组织生活出勤率{_percent(rate)}")
        tenths = sum(t for _d, _a, t in served)
        parts.append(f"参加志愿服务{records.format_hours(tenths)}小时" if tenths else "未参加志愿服务")
        arrears = found.months_in_arrears if found is not None else 0
        parts.append(f"党费有{arrears}个月未交纳" if arrears else "按时足额交纳党费")
        text = f"经支部考核，{life.name}同志{year}年度" + "，".join(parts) + "。"
        if life.dual is not None and life.dual[0].year <= year:
            times = sum(1 for d, _a, _t in served if d >= life.dual[0])
            fine = grade in (EXCELLENT, PASS, None)
            text += (f"作为在职党员到社区报到，全年参加社区服务{times}次，现实表现{'良好' if fine else '一般'}，"
                     "已向其所在单位党组织反馈。")
        if not graded:
            text += "预备党员，不参加民主评议。"
        elif grade is not None:
            text += f"民主评议等次：{grade}。"
        return text

    def _comment(self, life: _Life, year: int, graded: bool, grade: str | None, lost: bool) -> str:
        rng = self.rng
        if not graded:
            pool = COMMENTS["probation"]
        elif grade == FAIL:
            pool = COMMENTS["lost"] if lost else COMMENTS[FAIL]
        elif grade == BASIC:
            pool = COMMENTS["disciplined"] if life.disciplined else COMMENTS["lost"] if lost else COMMENTS[BASIC]
        elif grade == EXCELLENT:
            pool = COMMENTS[EXCELLENT]
        else:
            pool = COMMENTS[PASS]
            if life.kind in ("retired", "silver"):
                pool += COMMENTS["retired"]
            if life.dual is not None:
                pool = COMMENTS["dual"]
            elif life.away_in(date(year, 1, 1), date(year, 12, 31)):
                pool = COMMENTS["away"]
        served = life.served.get(year, ())
        return rng.choice(pool).format(act=served[0][1] if served else "社区志愿服务", area=rng.choice(AREAS),
                                       wish=life.dual[1] if life.dual else "")

    # ------------------------------------------------------------ the 评定, through app.evaluation_year

    def _dated(self, day: date, hour: int = 10) -> None:
        """The change-log entries written since the last call: dated ``day``, when that step was taken."""
        self.session.flush()
        last = self.session.scalar(select(func.max(ChangeLog.id))) or 0
        if last > self.logged:
            table = ChangeLog.__table__
            self.session.execute(update(table).where(table.c.id > self.logged)
                                 .values(at=datetime.combine(day, time(hour))))
            self.logged = last

    def _stamp_year(self, year: int, day: date) -> None:
        table = EvaluationYear.__table__
        self.session.execute(update(table).where(table.c.year == year)
                             .values(updated_at=datetime.combine(day, time(17))))

    def _decision_days(self, year: int, groups) -> dict[int | None, date]:
        """Each branch's 民主评议 day: its 组织生活会 of the next January (the 党委's own members: its
        January meeting), else a day around the turn of the year."""
        rng = self.rng
        january = (date(year + 1, 1, 1), date(year + 1, 1, 31))
        held: dict[int, date] = {}
        for org_id, kind, day in self.session.execute(
                select(Meeting.org_id, Meeting.kind, Meeting.held_on)
                .where(Meeting.held_on.between(*january), Meeting.kind.in_(("组织生活会", "其他")))
                .order_by(Meeting.held_on, Meeting.id)):
            if (kind == "组织生活会") != (org_id == self.root):
                held.setdefault(org_id, day)
        return {branch: held.get(self.root if branch is None else branch)
                or date(year, 12, 20) + timedelta(days=rng.randint(0, 36)) for branch in groups}

    def _plan_grades(self, year: int, people, facts) -> dict[int, str]:
        """民主评议 of last year's graded members: a few 基本合格 (out of reach, disciplined, rarely there),
        at most one 不合格, 优秀 for up to a third of a branch (usually fewer), the rest 合格."""
        rng = self.rng
        first, last = date(year, 1, 1), date(year, 12, 31)
        required = [p for p in people if p.graded and not p.left_in_year]

        def lives(p) -> _Life:
            return self.by_id[p.member_id]

        def rate(p):
            return self._rate(lives(p), facts.get(p.member_id))

        lost = [p for p in required if (since := lives(p).out_of_reach(first, last)) is not None
                and (last - since).days >= 90]  # out of reach for the last three months or more
        away = {p.member_id for p in required if lives(p).away_in(max(first, lives(p).joined), last)}
        # here all year (away for a while, absences had a reason) and of working age: absences count
        settled = sorted((p for p in required if p not in lost and rate(p) is not None
                          and not any(left <= last and (back is None or back >= first)
                                      for left, back, _ in lives(p).away)
                          and add_years(lives(p).born, 70) > last), key=lambda p: (rate(p), p.member_id))
        grades: dict[int, str] = {}
        failing = [p for p in required if lives(p).stopped] or [p for p in settled[:1] if rate(p) < Fraction(1, 2)]
        if failing:
            grades[failing[0].member_id] = FAIL
        basic = [p for p in lost if p.member_id not in grades]
        basic += [p for p in required if lives(p).disciplined and p.member_id not in grades]
        basic += [p for p in settled if rate(p) < Fraction(1, 2) and p.member_id not in grades][
            :max(1, round(len(required) * 0.02))]
        for p in basic:
            grades.setdefault(p.member_id, BASIC)
        groups: dict[int | None, list] = {}
        for p in required:
            groups.setdefault(p.branch_id, []).append(p)
        for group in groups.values():
            wanted = min(excellent_limit(len(group)), round(len(group) * rng.uniform(0.15, 0.28)))
            able = [p for p in group if p.member_id not in grades and p.member_id not in away
                    and (rate(p) is None or rate(p) >= Fraction(3, 4))]
            for p in sorted(able, key=lambda p: (-lives(p).quality, p.member_id))[:wanted]:
                grades[p.member_id] = EXCELLENT
        for p in required:
            grades.setdefault(p.member_id, PASS)
        return grades

    def _level(self, life: _Life, grade: str | None) -> float:
        """How well the member did, 0–1, as all four evaluators see it (each with their own bias)."""
        rng = self.rng
        if grade == EXCELLENT:
            return rng.uniform(0.88, 0.97)
        if grade == BASIC:
            return rng.uniform(0.6, 0.7)
        if grade == FAIL:
            return rng.uniform(0.42, 0.55)
        return min(0.93, max(0.6, 0.64 + 0.24 * life.quality + rng.gauss(0, 0.025)))

    def _cell(self, level: float, points: int, evaluator: str):
        bias = {SELF: 0.05, PEERS: 0.0, PUBLIC: 0.02, BRANCH_EVALUATOR: -0.01}[evaluator]
        value = min(1.0, max(0.0, level + bias + self.rng.gauss(0, 0.025)))
        step = 10 if evaluator == SELF else 5  # a member scores themself in whole points, the others by halves
        return score_from_tenths(round(value * points * 10 / step) * step)

    def _grade(self, year: int, block: dict[int, str], day: date) -> None:
        """One branch's grades decided on ``day``, in one go (the one-third rule judged on the block)."""
        evaluation_year.set_grades(self.session, year, block, day, today=self.today)

    def _last_year(self) -> tuple[dict[str, int], dict[int, int], int, int, date | None]:
        session, rng, today, year = self.session, self.rng, self.today, self.last_year
        opened = min(date(year, 12, 1), today)
        evaluation_year.open_year(session, year, today=today)
        self._dated(opened)
        scheme = evaluation_year.scheme(session, year)
        people = evaluation_year.participants(session, year)
        scored_on = min(date(year + 1, 1, 10), today)
        facts = records.year_facts(session, year, [p.member_id for p in people], today=scored_on)
        decided = self._decision_days(year, sorted({p.branch_id for p in people}, key=lambda b: b or 0))
        grades = self._plan_grades(year, people, facts)
        self._notes(year, people, facts, grades, decided)
        self.out.flush()

        cells: dict[str, list] = {e: [] for e in (SELF, PEERS, PUBLIC, BRANCH_EVALUATOR)}
        for p in people:
            life, found = self.by_id[p.member_id], facts.get(p.member_id)
            prefilled = prefill_branch_scores(scheme, self._facts(life, found)) if found is not None else {}
            level = self._level(life, grades.get(p.member_id))
            for criterion, evaluator in scheme.cells():
                points = scheme.criterion(criterion).points
                value = prefilled.get(criterion) if evaluator == BRANCH_EVALUATOR else None
                cells[evaluator].append((p.member_id, criterion, evaluator,
                                         value if value is not None else self._cell(level, points, evaluator)))
        first_decided = min(decided.values())
        self_day = max(opened, min(date(year, 12, 15) + timedelta(days=rng.randint(0, 5)), first_decided, today))
        evaluation_year.set_scores(session, year, cells[SELF])
        self._dated(self_day)
        evaluation_year.set_scores(session, year, cells[PEERS] + cells[PUBLIC] + cells[BRANCH_EVALUATOR])
        self._dated(min(first_decided, today))
        for branch, day in sorted(decided.items(), key=lambda kv: (kv[1], kv[0] or 0)):
            block = {p.member_id: grades[p.member_id] for p in people
                     if p.branch_id == branch and p.member_id in grades}
            if block and day <= today:
                self._grade(year, block, day)
                self._dated(day, 15)

        approved_on, adjusted = max(decided.values()) + timedelta(days=8), 0
        if approved_on <= today:
            adjusted = self._adjust(year, approved_on - timedelta(days=1), facts)
            evaluation_year.approve(session, year, today=approved_on)
            self._dated(approved_on, 16)
        else:
            approved_on = None
        self._stamp_year(year, approved_on or min(max(decided.values()), today))
        rows = [r for r in evaluation_year.grid(session, year).rows if not r.participant.left_in_year]
        counted = {g: sum(1 for r in rows if r.grade == g) for g in (EXCELLENT, PASS, BASIC, FAIL)}
        stars: dict[int, int] = {}
        for r in rows:
            if r.final_stars is not None:
                stars[r.final_stars] = stars.get(r.final_stars, 0) + 1
        return counted, stars, sum(1 for r in rows if r.certificate), adjusted, approved_on

    def _adjust(self, year: int, day: date, facts) -> int:
        """Two stars adjusted by their branch, with the reasons: one raised to 五星, one lowered to 三星."""
        rows = [r for r in evaluation_year.grid(self.session, year).rows
                if not r.participant.left_in_year and r.final_stars == 4 and r.grade in (EXCELLENT, PASS)]
        up = max(rows, key=lambda r: (r.result.total, -r.member_id), default=None)
        rates = {r.member_id: self._rate(self.by_id[r.member_id], facts.get(r.member_id)) for r in rows}
        low = [r for r in rows if r is not up and r.grade == PASS and rates[r.member_id] is not None
               and add_years(self.by_id[r.member_id].born, 75) > date(year, 12, 31)]
        down = min(low, key=lambda r: (rates[r.member_id], r.member_id), default=None)
        done = 0
        for row, stars, reason in ((up, 5, UP_REASON), (down, 3, DOWN_REASON)):
            if row is not None:
                evaluation_year.adjust_stars(self.session, year, row.member_id, stars, reason)
                done += 1
        self._dated(day, 11)
        table = StarAdjustment.__table__
        self.session.execute(update(table).where(table.c.year == year)
                             .values(made_at=datetime.combine(day, time(11))))
        return done

    def _this_year(self) -> int:
        """This year so far: its notes up to today, the year opened, some members' self-assessment and the
        支部评定 pre-filled from the facts in about half the branches; no grades."""
        session, rng, today, year = self.session, self.rng, self.today, self.this_year
        opened = max(date(year, 1, 1), min(date(year, 10, 15), today - timedelta(days=20)))
        evaluation_year.open_year(session, year, today=today)
        self._dated(opened)
        people = evaluation_year.participants(session, year)
        facts = records.year_facts(session, year, [p.member_id for p in people], today=today)
        self._notes(year, people, facts, {}, {})
        self.out.flush()
        if today < date(year, 4, 1):  # no quarter over yet: nothing to score from
            self._stamp_year(year, opened)
            return 0
        scheme = evaluation_year.scheme(session, year)
        branches = sorted({p.branch_id for p in people if p.branch_id is not None})
        prefilled = set(rng.sample(branches, (len(branches) + 1) // 2))
        own, branch_cells = [], []
        for p in people:
            life = self.by_id[p.member_id]
            if not life.root and life.here(today) and rng.random() < 0.35:
                level = self._level(life, None)
                own += [(p.member_id, c.name, SELF, self._cell(level, c.points, SELF)) for c in scheme.criteria]
            found = facts.get(p.member_id)
            if p.branch_id in prefilled and found is not None:
                filled = prefill_branch_scores(scheme, self._facts(life, found))
                branch_cells += [(p.member_id, name, BRANCH_EVALUATOR, value)
                                 for name, value in filled.items() if value is not None]
        self_day = max(opened, today - timedelta(days=rng.randint(8, 15)))
        branch_day = max(self_day, today - timedelta(days=rng.randint(1, 6)))
        for cells, day in ((own, self_day), (branch_cells, branch_day)):
            if cells:
                evaluation_year.set_scores(session, year, cells)
                self._dated(day)
        self._stamp_year(year, branch_day)
        return len(own) + len(branch_cells)


class _RecordWriter(_Writer):
    """The 年度记实 rows, in batches; each row brings its own entry time (the day it was written)."""

    ORDER = (MemberDuesBase, DualReport, VolunteerService, RewardDiscipline, AnnualNote)
    DAY = {}


def _add_records(session: Session, seed: int, today: date, root: int, members: int) -> RecordCounts | None:
    """年度记实 and 评定 from a fourth random stream (see _Records); none for an empty or district-sized ledger."""
    if not members or members > RECORDS_MAX_MEMBERS:
        return None
    return _Records(session, random.Random(f"demo-records-{seed}"), today, root, members).build()
