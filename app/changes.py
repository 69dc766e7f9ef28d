"""What a use case changed, so the UI refreshes only the views that show it."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    orgs: bool = False
    members: bool = False
    settings: bool = False
    backups: bool = False
    floating: bool = False  # floating records, contact log, inflow members, home services (流动党员之家)
    meetings: bool = False  # 组织生活 and their attendance
    dues: bool = False  # 党费 payments
    evaluation: bool = False  # the year's record and the evaluation (年度记实, 民主评议, 星级评定)

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


ORGS = Changes(orgs=True)
MEMBERS = Changes(members=True)
EVERYTHING = Changes(orgs=True, members=True, settings=True, backups=True, floating=True, meetings=True, dues=True,
                    evaluation=True)
SETTINGS = Changes(settings=True)
BACKUPS = Changes(backups=True)
FLOATING = Changes(floating=True)
MEETINGS = Changes(meetings=True)
DUES = Changes(dues=True)
EVALUATION = Changes(evaluation=True)
