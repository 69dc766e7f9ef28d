"""What a use case changed, so the UI refreshes only the views that show it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    orgs: bool = False
    settings: bool = False
    backups: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            orgs=self.orgs or other.orgs,
            settings=self.settings or other.settings,
            backups=self.backups or other.backups,
        )

    @property
    def any(self) -> bool:
        return self.orgs or self.settings or self.backups


ORGS = Changes(orgs=True)
SETTINGS = Changes(settings=True)
BACKUPS = Changes(backups=True)
