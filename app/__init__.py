"""社区党建工作台 — the application core (no Qt here)."""

__version__ = "0.1.0"
APP_NAME = "社区党建工作台"
APP_ID = "dangjian-workbench"
