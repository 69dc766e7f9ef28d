"""Organisation details (founding, term end, place, note), committees, change log.

Revision ID: 0002
Revises: 0001

Batch mode for SQLite; adding columns needs no table copy here. Migrations that do copy
tables are safe only because db.migrate.upgrade runs with foreign keys off in one transaction
(tests/db/test_migrations.py proves it with committee rows present).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("founded_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("term_ends_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("place", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "org_committee_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name="fk_org_committee_members_org_id_organizations", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_org_committee_members"),
    )
    op.create_index("ix_org_committee_members_org_id", "org_committee_members", ["org_id"])
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_log"),
    )
    op.create_index("ix_change_log_area_entity", "change_log", ["area", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_change_log_area_entity", table_name="change_log")
    op.drop_table("change_log")
    op.drop_index("ix_org_committee_members_org_id", table_name="org_committee_members")
    op.drop_table("org_committee_members")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("note")
        batch.drop_column("place")
        batch.drop_column("term_ends_on")
        batch.drop_column("founded_on")
