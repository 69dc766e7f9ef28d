"""The first start on an empty database: 新建社区 or 打开示例社区, and where the sample goes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app import demo, orgs, settings
from app.database import open_app_database
from app.paths import default_db_path, sample_db_path
from tests.conftest import TODAY
from tests.ui.chinese_input import type_text
from ui.welcome import WelcomeDialog


def is_empty(database) -> bool:
    with database.read() as session:
        return demo.is_empty(session)


@pytest.fixture
def dialog(qtbot, database):
    dialog = WelcomeDialog(database)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_new_community_creates_the_settings_and_the_top_organisation(qtbot, dialog, database):
    # GIVEN an empty database and the welcome dialog
    assert is_empty(database)
    # WHEN the user types the community's name and their own, and clicks 新建社区
    type_text(qtbot, dialog.name, "和平里社区")
    assert dialog.top_name.text() == "和平里社区党委"  # filled in as the name is typed
    type_text(qtbot, dialog.operator, "李明")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    # THEN the dialog says NEW and the database holds the community and its 党委
    assert dialog.result() == WelcomeDialog.NEW
    with database.read() as session:
        values = settings.load(session)
        tree = orgs.list_tree(session)
    assert values.community_name == "和平里社区"
    assert values.committee_name == "中共和平里社区委员会"
    assert values.operator_name == "李明"
    assert [(n.name, n.kind, n.parent_id) for n in tree] == [("和平里社区党委", "党委", None)]


def test_top_organisation_follows_the_kind_until_edited(qtbot, dialog):
    type_text(qtbot, dialog.name, "枫林社区")
    dialog.top_kind.setCurrentText("党总支")
    assert dialog.top_name.text() == "枫林社区党总支"
    dialog.top_name.selectAll()
    type_text(qtbot, dialog.top_name, "中共枫林社区总支部")
    type_text(qtbot, dialog.name, "东")
    assert dialog.top_name.text() == "中共枫林社区总支部"  # the user's own wording is kept


def test_empty_name_is_explained_and_nothing_is_created(qtbot, dialog, database):
    # GIVEN the empty form: nothing scolds the user yet, but 新建社区 cannot be pressed
    error = dialog.findChild(QLabel, "communityNameError")
    assert not error.isVisible()
    assert not dialog.create_button.isEnabled()
    # WHEN a name is typed and deleted again
    type_text(qtbot, dialog.name, "ab")
    assert dialog.create_button.isEnabled() and not error.isVisible()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Backspace)
    # THEN the problem is named beside the field, and nothing was created
    assert error.isVisible() and error.text() == "请填写社区名称。"
    assert not dialog.create_button.isEnabled()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != WelcomeDialog.NEW and dialog.isVisible()
    assert is_empty(database)


def test_open_sample_returns_sample(qtbot, dialog, database):
    qtbot.mouseClick(dialog.findChild(type(dialog.sample_button), "openSample"), Qt.MouseButton.LeftButton)
    assert dialog.result() == WelcomeDialog.SAMPLE
    assert is_empty(database)  # choosing the sample writes nothing into the user's database


def test_sample_is_built_in_its_own_file_never_in_the_users_database(user_data):
    from ui.application import open_sample_database

    # GIVEN the user's (empty) database in the user data folder
    users = open_app_database(default_db_path())
    try:
        assert is_empty(users)
        # WHEN the sample community is opened
        sample = open_sample_database(today=TODAY)
        try:
            # THEN it lives in its own file, with the demo tree
            assert sample.path == sample_db_path().resolve()
            assert sample.path.parent == user_data.resolve()
            assert sample.path != users.path
            with sample.read() as session:
                assert len(orgs.list_tree(session)) == 28
                assert settings.load(session).community_name == "幸福里社区"
        finally:
            sample.close()
        # and opening it again reuses it rather than building a second community
        again = open_sample_database(today=TODAY)
        try:
            with again.read() as session:
                assert len(orgs.list_tree(session)) == 28
        finally:
            again.close()
        # AND the user's database is still empty
        assert is_empty(users)
    finally:
        users.close()
