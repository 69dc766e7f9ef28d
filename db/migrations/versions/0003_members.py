"""The member ledger: members, their search keys and photos, a trigram index; tree order.

Revision ID: 0003
Revises: 0002

``org_committee_members`` gains a foreign key to ``members``; SQLite can add one only by
copying the table, with its rows, which db.migrate.upgrade makes safe (foreign keys off, one
transaction). Note for later migrations: a batch migration that copies ``members`` drops the
``members_fts_*`` triggers with the old table and must create them again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FTS_COLUMNS = "name, address, employer"
SORTED_COLUMNS = ("sex", "birth_date", "id_number", "education", "category", "joined_on", "confirmed_on", "mobile",
                  "address")
STATUS_ORG_COLUMNS = ["status", "org_id", "name_sort", "category", "floating", "lost_contact", "in_hardship", "standing"]


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("name_sort", sa.String(200), nullable=False),
        sa.Column("sex", sa.String(2), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("id_reversed", sa.String(18), nullable=False),
        sa.Column("ethnicity", sa.String(20), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("native_place", sa.String(50), nullable=False),
        sa.Column("education", sa.String(20), nullable=False),
        sa.Column("degree", sa.String(20), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("probation_extended", sa.Boolean(), nullable=False),
        sa.Column("occupation", sa.String(30), nullable=False),
        sa.Column("employer", sa.String(100), nullable=False),
        sa.Column("work_started_on", sa.Date(), nullable=True),
        sa.Column("report_unit", sa.String(100), nullable=False),
        sa.Column("party_post", sa.String(20), nullable=False),
        sa.Column("mobile", sa.String(20), nullable=False),
        sa.Column("landline", sa.String(30), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("standing", sa.String(8), nullable=False),
        sa.Column("lost_contact", sa.Boolean(), nullable=False),
        sa.Column("lost_contact_on", sa.Date(), nullable=True),
        sa.Column("floating", sa.Boolean(), nullable=False),
        sa.Column("floating_destination", sa.String(100), nullable=False),
        sa.Column("in_hardship", sa.Boolean(), nullable=False),
        sa.Column("introducers", sa.String(50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=False),
        sa.Column("transferred_to", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organizations.id"], name="fk_members_org_id_organizations",
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("id_number", name="uq_members_id_number"),
    )
    for column in ("name", "name_sort", "id_reversed", "joined_on", "mobile"):
        op.create_index(f"ix_members_{column}", "members", [column])
    # Wide enough that the ledger's default view (tree order, then name), the name sort and the
    # usual filters are read from the index alone at 100,000 members (bench/ledger.py).
    op.create_index("ix_members_org_name", "members", ["org_id", "name_sort"])
    op.create_index("ix_members_status_org", "members", STATUS_ORG_COLUMNS)
    op.create_index("ix_members_status_name_sort", "members", ["status", "name_sort", "name"])
    # One covering index per column the ledger shows by default, so sorting by it reads the index
    # in order (about 40 ms instead of 300 ms at 100,000 members; about 3 MB each at that size).
    for column in SORTED_COLUMNS:
        op.create_index(f"ix_members_status_{column}", "members", ["status", column, "name_sort"])

    op.create_table(
        "member_search_keys",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_member_search_keys_member_id_members",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id", "key", name="pk_member_search_keys"),
    )
    op.create_index("ix_member_search_keys_key", "member_search_keys", ["key"])
    op.create_table(
        "member_photos",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mime", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name="fk_member_photos_member_id_members",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_photos"),
    )

    # Substrings of three or more characters (names, addresses, employers) through FTS5's
    # trigram tokenizer, kept in step with ``members`` by triggers.
    op.execute(f"CREATE VIRTUAL TABLE members_fts USING fts5({FTS_COLUMNS}, content='members', "
               "content_rowid='id', tokenize='trigram')")
    op.execute(f"CREATE TRIGGER members_fts_ai AFTER INSERT ON members BEGIN "
               f"INSERT INTO members_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, new.name, new.address, new.employer); END")
    op.execute(f"CREATE TRIGGER members_fts_ad AFTER DELETE ON members BEGIN "
               f"INSERT INTO members_fts(members_fts, rowid, {FTS_COLUMNS}) "
               "VALUES ('delete', old.id, old.name, old.address, old.employer); END")
    op.execute(f"CREATE TRIGGER members_fts_au AFTER UPDATE OF {FTS_COLUMNS} ON members BEGIN "
               f"INSERT INTO members_fts(members_fts, rowid, {FTS_COLUMNS}) "
               "VALUES ('delete', old.id, old.name, old.address, old.employer); "
               f"INSERT INTO members_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, new.name, new.address, new.employer); END")

    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("tree_rank", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_organizations_tree_rank", ["tree_rank"])
    _rank_existing_tree()

    with op.batch_alter_table("org_committee_members") as batch:
        batch.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_org_committee_members_member_id_members", "members", ["member_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_org_committee_members_member_id", ["member_id"])


def _rank_existing_tree() -> None:
    """Number the existing organisations in pre-order (siblings by sort_order, id)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, parent_id FROM organizations ORDER BY sort_order, id")).fetchall()
    children: dict = {}
    for org_id, parent_id in rows:
        children.setdefault(parent_id, []).append(org_id)
    rank = 0
    stack = list(reversed(children.get(None, [])))
    while stack:
        org_id = stack.pop()
        conn.execute(sa.text("UPDATE organizations SET tree_rank = :r WHERE id = :i"), {"r": rank, "i": org_id})
        rank += 1
        stack.extend(reversed(children.get(org_id, [])))


def downgrade() -> None:
    with op.batch_alter_table("org_committee_members") as batch:
        batch.drop_index("ix_org_committee_members_member_id")
        batch.drop_constraint("fk_org_committee_members_member_id_members", type_="foreignkey")
        batch.drop_column("member_id")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_index("ix_organizations_tree_rank")
        batch.drop_column("tree_rank")
    for trigger in ("members_fts_ai", "members_fts_ad", "members_fts_au"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE members_fts")
    op.drop_table("member_photos")
    op.drop_index("ix_member_search_keys_key", table_name="member_search_keys")
    op.drop_table("member_search_keys")
    op.drop_table("members")
