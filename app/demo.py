"""The demo community: deterministic for a seed and a date, built only into an empty database.

``build`` makes the organisation tree, then the members: every committee post held by a member
record (and linked to it), retired members, in-service members who report to the community
(双报到), employees of the small firms of the 两新 joint branch, inflow members, a few 预备党员
close to 转正, floating and lost members, and a handful who left the ledger. Up to 100,000
members for benchmarks: rows go in with Core ``INSERT`` in batches, with the derived columns and
search keys of ``app.members`` computed once per distinct name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from app import audit, orgs, settings
from app import members as ledger
from app.dates import add_years
from app.errors import AppError
from app.idcard import check_code
from app.paths import resource_path
from app.pinyin import split_surname
from db.models import CommitteeMember, Member, MemberSearchKey, Organization

COMMUNITIES = ("幸福里", "和平里", "阳光", "长青", "映山红", "枫林", "滨河", "望京西")
CHINESE_NUMERALS = "一二三四五六七八九十"
DEFAULT_MEMBERS = 300
MAX_MEMBERS = 200_000
_BATCH = 5_000
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

    def id_number(self, born: date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(100) * 10 + self.rng.randrange(1 if sex == "男" else 0, 10, 2)
            first17 = f"{self.rng.choice(REGIONS)}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
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
    added = _add_members(session, member_rng, today, people, community, members, posts, slots, by_org)
    if added and session.get_bind().dialect.name == "sqlite":
        # Statistics for the query planner: without them SQLite walks the status index over the
        # whole ledger for every search keystroke instead of starting from the search key's matches.
        session.execute(text("ANALYZE"))
    total = session.scalar(select(func.count()).select_from(Organization)) or 0
    return DemoSummary(community, total, grid_count, building, added)


def _add_members(session: Session, rng: random.Random, today: date, people: _People, community: str, total: int,
                 posts: list, slots: list[_Slot], by_org: dict[int, _Slot]) -> int:
    if total == 0:
        return 0
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
    return maker.count
